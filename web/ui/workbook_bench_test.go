package ui

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"accord/internal/accord"
	"accord/web/i18n"
)

// largeWorkbook is the shape of the benchmark's project 1: 200 needs held by 164 units
// out of 1,000, edited by its lead.
func largeWorkbook() WorkbookView {
	v := WorkbookView{Project: accord.Project{ID: 1, Name: "项目 1", NameEN: "Project 1"}, CanEdit: true,
		Today: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	for u := int64(1); u <= 1000; u++ {
		v.Units = append(v.Units, accord.Unit{ID: u, Name: fmt.Sprintf("部门 %d", u), NameEN: fmt.Sprintf("Unit %d", u)})
	}
	due := v.Today.AddDate(0, 1, 0)
	for i := int64(1); i <= 200; i++ {
		holder := 2 + i%164
		v.Needs = append(v.Needs, accord.Need{ID: i, ProjectID: 1, Title: fmt.Sprintf("需求 %d：协助提供资源", i),
			TitleEN: fmt.Sprintf("Need %d: resources", i), HolderUnitID: &holder, HolderName: fmt.Sprintf("部门 %d", holder),
			HolderNameEN: fmt.Sprintf("Unit %d", holder), Tier: accord.TierImportant, NeededBy: &due, EffortDays: 3.5, Version: 1})
	}
	for u := int64(2); u <= 165; u++ {
		v.Plans = append(v.Plans, accord.UnitPlan{ProjectID: 1, UnitID: u, UnitName: fmt.Sprintf("部门 %d", u),
			UnitNameEN: fmt.Sprintf("Unit %d", u), Concerns: []string{"人手", "考核"}, TheyNeed: "明确的优先级",
			WeGive: "项目成果共享", TheyGet: "纳入部门考核", Stance: accord.StanceNeutral, Version: 1})
	}
	v.PlanFormsOnDemand = true // as the server sets it past a dozen units
	v.UnitChooser = true       // and past unitSelectMax open units
	return v
}

func BenchmarkWorkbookRender(b *testing.B) {
	bundle, err := i18n.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	ctx := i18n.WithLocalizer(context.Background(), bundle.Localizer(i18n.English))
	v := largeWorkbook()
	b.ReportAllocs()
	var n countingWriter
	for b.Loop() {
		n = 0
		if err := Workbook(v).Render(ctx, &n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "bytes/page")
}

type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
