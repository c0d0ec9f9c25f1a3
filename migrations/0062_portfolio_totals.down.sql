DROP TRIGGER project_signals_totals_insert ON project_signals;
DROP TRIGGER project_signals_totals_update ON project_signals;
DROP TRIGGER project_signals_totals_delete ON project_signals;
DROP TRIGGER project_signals_totals_truncate ON project_signals;
DROP FUNCTION rebuild_portfolio_totals();
DROP FUNCTION fold_portfolio_totals();
DROP FUNCTION count_portfolio_totals();
DROP TABLE portfolio_totals;
