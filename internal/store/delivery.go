package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// DeliveryEnqueuer asks for notifications to go out by email and webhook, inside the
// transaction that adds them, so a delivery job exists exactly when its notification
// does. internal/jobs implements it with River; it must work before River starts.
type DeliveryEnqueuer interface {
	EnqueueDeliveries(ctx context.Context, tx pgx.Tx, notificationIDs []int64) error
}

// SetDeliveryEnqueuer makes every new notification also go out by email and webhook.
// Call it at start-up, before the store is used concurrently; without it
// notifications stay in-app only.
func (s *Store) SetDeliveryEnqueuer(e DeliveryEnqueuer) { s.enqueuer = e }

// storeTx is the transaction WithTx hands out: it carries the store's enqueuer down
// to notify, which only sees the transaction.
type storeTx struct {
	pgx.Tx
	enqueuer DeliveryEnqueuer
}

// enqueueDeliveries asks for the notifications' delivery inside tx, when the store has
// an enqueuer.
func enqueueDeliveries(ctx context.Context, tx pgx.Tx, notificationIDs ...int64) error {
	st, ok := tx.(storeTx)
	if !ok || st.enqueuer == nil || len(notificationIDs) == 0 {
		return nil
	}
	if err := st.enqueuer.EnqueueDeliveries(ctx, st.Tx, notificationIDs); err != nil {
		return fmt.Errorf("enqueue delivery of notifications %v: %w", notificationIDs, err)
	}
	return nil
}

// NotificationForDelivery loads what one notification's delivery needs: its text
// parts, its recipient, the webhooks it goes to and the deliveries made so far.
//
// The webhooks are the enabled ones of the open units, among the two the request
// concerns (the holder's unit and the project's owning unit), that the recipient
// belongs to as a member or head: the holder's chat hears what the holder's side
// must do, the lead's chat what the lead must know. A recipient in neither unit (a
// superior deciding an escalation) is reached through the units they belong to.
func (s *Store) NotificationForDelivery(ctx context.Context, id int64) (accord.Outgoing, error) {
	var o accord.Outgoing
	n := &o.Notification
	to := &o.Recipient
	var units []int64
	err := s.pool.QueryRow(ctx, `SELECT `+notificationColumns+`,
			u.email, u.name, u.name_en, u.locale, u.deactivated_at IS NULL,
			array_remove(ARRAY[r.holder_unit_id, p.owning_unit_id], NULL), coalesce(n.delivery_key::text, '')`+notificationFrom+`
		JOIN users u ON u.id = n.user_id
		WHERE n.id = $1`, id).Scan(append(notificationDest(n), &to.Email, &to.Name, &to.NameEN, &to.Locale, &to.Active, &units, &o.DeliveryKey)...)
	if err != nil {
		return accord.Outgoing{}, fmt.Errorf("store: notification %d for delivery: %w", id, mapNotFound(err, "notification_not_found"))
	}
	to.UserID = n.UserID
	if n.OnBehalfName != "" {
		// A stand-in's copy goes to the stand-in alone: the chats already hear the
		// original the absent head was sent.
		return s.withDeliveries(ctx, o, id)
	}
	rows, err := s.pool.Query(ctx, `WITH mine AS (
			SELECT unit_id FROM memberships WHERE user_id = $1
			UNION SELECT id FROM units WHERE head_user_id = $1),
		concerned AS (SELECT unit_id FROM mine WHERE unit_id = ANY($2::bigint[]))
		SELECT `+webhookColumns+webhookFrom+`
		WHERE w.enabled AND u.closed_at IS NULL AND w.unit_id IN (
			SELECT unit_id FROM concerned
			UNION ALL SELECT unit_id FROM mine WHERE NOT EXISTS (SELECT 1 FROM concerned))
		ORDER BY w.id`, n.UserID, units)
	if err != nil {
		return accord.Outgoing{}, fmt.Errorf("store: webhooks for notification %d: %w", id, err)
	}
	if o.Webhooks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Webhook, error) { return scanWebhook(r) }); err != nil {
		return accord.Outgoing{}, fmt.Errorf("store: webhooks for notification %d: %w", id, err)
	}
	return s.withDeliveries(ctx, o, id)
}

// withDeliveries adds to o the deliveries of notification id made so far.
func (s *Store) withDeliveries(ctx context.Context, o accord.Outgoing, id int64) (accord.Outgoing, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.notification_id = $1 ORDER BY d.id`, id)
	if err != nil {
		return accord.Outgoing{}, fmt.Errorf("store: deliveries of notification %d: %w", id, err)
	}
	if o.Deliveries, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Delivery, error) { return scanDelivery(r) }); err != nil {
		return accord.Outgoing{}, fmt.Errorf("store: deliveries of notification %d: %w", id, err)
	}
	return o, nil
}

// maxDeliveryError bounds the error text kept with a delivery.
const maxDeliveryError = 500

// RecordDelivery records one attempt to deliver: a notification's delivery by email or
// to one webhook keeps a single row whose attempts count up; an admin's test message
// (no NotificationID) adds a row of its own.
func (s *Store) RecordDelivery(ctx context.Context, d accord.Delivery, at time.Time) error {
	msg := d.LastError
	if utf8.RuneCountInString(msg) > maxDeliveryError {
		msg = string([]rune(msg)[:maxDeliveryError]) + "…"
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO deliveries (notification_id, channel, webhook_id, status, attempts, last_error, updated_at)
		VALUES ($1, $2, $3, $4, 1, $5, $6)
		ON CONFLICT (notification_id, channel, (COALESCE(webhook_id, 0))) WHERE notification_id IS NOT NULL
		DO UPDATE SET status = EXCLUDED.status, attempts = deliveries.attempts + 1,
			last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at`,
		d.NotificationID, d.Channel, d.WebhookID, d.Status, msg, at)
	if err != nil {
		return fmt.Errorf("store: record %s delivery: %w", d.Channel, err)
	}
	return nil
}

// RecentDeliveries lists, for the admin page, each webhook's latest delivery and its
// latest failures (up to failures of them), and the latest failed emails (as many),
// newest first, in one query whatever the history's size.
func (s *Store) RecentDeliveries(ctx context.Context, failures int) ([]accord.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT x.* FROM webhooks w CROSS JOIN LATERAL (
			(SELECT `+deliveryColumns+` FROM deliveries d WHERE d.webhook_id = w.id ORDER BY d.updated_at DESC, d.id DESC LIMIT 1)
			UNION
			(SELECT `+deliveryColumns+` FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 'failed'
				ORDER BY d.updated_at DESC, d.id DESC LIMIT $1)) x
		UNION ALL
		(SELECT `+deliveryColumns+` FROM deliveries d WHERE d.channel = 'email' AND d.status = 'failed'
			ORDER BY d.updated_at DESC, d.id DESC LIMIT $1)
		ORDER BY updated_at DESC, id DESC`, failures)
	if err != nil {
		return nil, fmt.Errorf("store: recent deliveries: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("store: recent deliveries: %w", err)
	}
	return list, nil
}

const deliveryColumns = `d.id, d.notification_id, d.channel, d.webhook_id, d.status, d.attempts, d.last_error, d.updated_at`

func scanDelivery(row pgx.Row) (accord.Delivery, error) {
	var d accord.Delivery
	err := row.Scan(&d.ID, &d.NotificationID, &d.Channel, &d.WebhookID, &d.Status, &d.Attempts, &d.LastError, &d.UpdatedAt)
	return d, err
}

const webhookColumns = `w.id, w.unit_id, u.name, u.name_en, w.platform, w.url, w.secret, w.enabled, w.created_at, w.version`

const webhookFrom = ` FROM webhooks w JOIN units u ON u.id = w.unit_id `

func scanWebhook(row pgx.Row) (accord.Webhook, error) {
	var w accord.Webhook
	err := row.Scan(&w.ID, &w.UnitID, &w.UnitName, &w.UnitNameEN, &w.Platform, &w.URL, &w.Secret, &w.Enabled, &w.CreatedAt, &w.Version)
	return w, err
}

// Webhooks lists every webhook in the order of the org tree, then as added.
func (s *Store) Webhooks(ctx context.Context) ([]accord.Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+webhookFrom+`ORDER BY u.path, w.id`)
	if err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Webhook, error) { return scanWebhook(r) })
	if err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", err)
	}
	return list, nil
}

// Webhook returns one webhook.
func (s *Store) Webhook(ctx context.Context, id int64) (accord.Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+webhookFrom+`WHERE w.id = $1`, id))
	if err != nil {
		return accord.Webhook{}, fmt.Errorf("store: webhook %d: %w", id, mapNotFound(err, "webhook_not_found"))
	}
	return w, nil
}

// CreateWebhook adds an enabled webhook to an open unit.
func (s *Store) CreateWebhook(ctx context.Context, actorID int64, in accord.WebhookInput) (accord.Webhook, error) {
	var w accord.Webhook
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var open bool
		err := tx.QueryRow(ctx, `SELECT closed_at IS NULL FROM units WHERE id = $1 FOR SHARE`, in.UnitID).Scan(&open)
		if err != nil {
			return fieldNotFound(err, "unit_id", "unit_not_found")
		}
		if !open {
			return &accord.Error{Code: accord.ECodeInvalid, MessageID: "webhook_unit_closed",
				Fields: map[string]string{"unit_id": "webhook_unit_closed"}}
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO webhooks (unit_id, platform, url, secret) VALUES ($1, $2, $3, $4) RETURNING id`,
			in.UnitID, in.Platform, in.URL, in.Secret).Scan(&id); err != nil {
			return err
		}
		if w, err = scanWebhook(tx.QueryRow(ctx, `SELECT `+webhookColumns+webhookFrom+`WHERE w.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditWebhook, id, accord.AuditCreate, nil, webhookAudit(w))
	})
	if err != nil {
		return accord.Webhook{}, fmt.Errorf("store: create webhook: %w", err)
	}
	return w, nil
}

// SetWebhookEnabled turns a webhook on or off if nobody changed it since version.
func (s *Store) SetWebhookEnabled(ctx context.Context, actorID, id int64, version int, enabled bool) (accord.Webhook, error) {
	action := accord.AuditDisable
	if enabled {
		action = accord.AuditEnable
	}
	var after accord.Webhook
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockWebhook(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhooks SET enabled = $2, version = version + 1 WHERE id = $1`, id, enabled); err != nil {
			return err
		}
		if after, err = scanWebhook(tx.QueryRow(ctx, `SELECT `+webhookColumns+webhookFrom+`WHERE w.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditWebhook, id, action, webhookAudit(before), webhookAudit(after))
	})
	if err != nil {
		return accord.Webhook{}, fmt.Errorf("store: %s webhook %d: %w", action, id, err)
	}
	return after, nil
}

// DeleteWebhook removes a webhook and its delivery history if nobody changed it since
// version.
func (s *Store) DeleteWebhook(ctx context.Context, actorID, id int64, version int) (accord.Webhook, error) {
	var before accord.Webhook
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if before, err = lockWebhook(ctx, tx, id, version); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditWebhook, id, accord.AuditDelete, webhookAudit(before), nil)
	})
	if err != nil {
		return accord.Webhook{}, fmt.Errorf("store: delete webhook %d: %w", id, err)
	}
	return before, nil
}

// lockWebhook locks a webhook for a change and checks the version the admin saw.
func lockWebhook(ctx context.Context, tx pgx.Tx, id int64, version int) (accord.Webhook, error) {
	w, err := scanWebhook(tx.QueryRow(ctx, `SELECT `+webhookColumns+webhookFrom+`WHERE w.id = $1 FOR UPDATE OF w`, id))
	if err != nil {
		return accord.Webhook{}, mapNotFound(err, "webhook_not_found")
	}
	if w.Version != version {
		return accord.Webhook{}, accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
	}
	return w, nil
}

// webhookAudit is what the audit log keeps of a webhook: never its token or secret.
func webhookAudit(w accord.Webhook) map[string]any {
	return map[string]any{"unit_id": w.UnitID, "platform": w.Platform, "url": w.MaskedURL(),
		"signed": w.Secret != "", "enabled": w.Enabled}
}
