package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// escPolicyInputs are the project form's escalation inputs, by id.
var escPolicyInputs = []string{"project-p0_declined_days", "project-p0_overdue_days", "project-p1_declined_days",
	"project-p1_overdue_days", "project-stale_factor"}

// escFormValues reads every named input and text area of the project form as a
// browser would post it.
func escFormValues(r response) url.Values {
	in := url.Values{}
	r.doc.Find(`[data-testid="project-form"] input, [data-testid="project-form"] textarea`).Each(func(_ int, s *goquery.Selection) {
		if name, ok := s.Attr("name"); ok {
			if goquery.NodeName(s) == "textarea" {
				in.Set(name, s.Text())
			} else {
				in.Set(name, s.AttrOr("value", ""))
			}
		}
	})
	r.doc.Find(`[data-testid="project-form"] select`).Each(func(_ int, s *goquery.Selection) {
		in.Set(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
	})
	return in
}

func escPolicyValues(r response) map[string]string {
	out := map[string]string{}
	for _, id := range escPolicyInputs {
		out[id] = r.attrOf("#"+id, "value")
	}
	return out
}

func TestProjectFormEscalationPolicyRoundTrip(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	smart := b.demoProject(t, "Smart service upgrade")
	path := "/projects/" + idStr(smart.ID) + "/edit"

	// Empty fields with the defaults as placeholders.
	form := c.get(path)
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, "Escalation", form.textOf(`[data-testid="project-escalation"] legend`))
	placeholders := map[string]string{}
	for _, id := range escPolicyInputs {
		placeholders[id] = form.attrOf("#"+id, "placeholder")
		require.Equal(t, "number", form.attrOf("#"+id, "type"), id)
	}
	require.Equal(t, map[string]string{"project-p0_declined_days": "3", "project-p0_overdue_days": "0",
		"project-p1_declined_days": "7", "project-p1_overdue_days": "3", "project-stale_factor": "2"}, placeholders)
	require.Equal(t, map[string]string{"project-p0_declined_days": "", "project-p0_overdue_days": "",
		"project-p1_declined_days": "", "project-p1_overdue_days": "", "project-stale_factor": ""}, escPolicyValues(form))
	require.Equal(t, "Empty means the default, 3 days; 0 escalates on the first sweep.", form.textOf("#project-p0_declined_days-hint"))
	require.Contains(t, form.textOf("#project-escalation-hint"), "P2 alternatives never escalate by themselves")

	// Two thresholds set, the rest left to the defaults.
	in := escFormValues(form)
	in.Set("p0_declined_days", " 10 ")
	in.Set("stale_factor", "0")
	resp := c.post(path, in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	after := b.demoProject(t, "Smart service upgrade")
	require.Equal(t, accord.EscalationOverrides{P0DeclinedDays: ptrInt(10), StaleFactor: ptrInt(0)}, after.EscalationOverrides)
	require.Equal(t, smart.CadenceDays, after.CadenceDays, "the rest of the project is unchanged")
	require.Equal(t, smart.Name, after.Name)

	form = c.get(path)
	require.Equal(t, map[string]string{"project-p0_declined_days": "10", "project-p0_overdue_days": "",
		"project-p1_declined_days": "", "project-p1_overdue_days": "", "project-stale_factor": "0"}, escPolicyValues(form))

	// Emptied again, the defaults apply.
	in = escFormValues(form)
	in.Set("p0_declined_days", "")
	in.Set("stale_factor", "")
	resp = c.post(path, in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	require.Equal(t, accord.EscalationOverrides{}, b.demoProject(t, "Smart service upgrade").EscalationOverrides)
}

func TestProjectFormEscalationPolicyProblems(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			c.lang = lang
			in := validProjectForm(b, t)
			in.Set("p0_declined_days", "366")
			in.Set("p0_overdue_days", "-1")
			in.Set("p1_declined_days", "soon")
			in.Set("p1_overdue_days", "365")
			in.Set("stale_factor", "11")
			resp := c.post("/projects", in)
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
			want := map[string]string{
				"project-p0_declined_days": "Choose from 0 to 365 days, or leave the field empty for the default.",
				"project-p0_overdue_days":  "Choose from 0 to 365 days, or leave the field empty for the default.",
				"project-p1_declined_days": "Enter a whole number, e.g. 7, or leave the field empty for the default.",
				"project-stale_factor":     "Choose from 0 to 10, or leave the field empty for the default.",
			}
			if lang == "zh" {
				want = map[string]string{
					"project-p0_declined_days": "请填写 0 到 365 之间的天数，或留空沿用默认值。",
					"project-p0_overdue_days":  "请填写 0 到 365 之间的天数，或留空沿用默认值。",
					"project-p1_declined_days": "请输入整数，例如 7；留空则沿用默认值。",
					"project-stale_factor":     "请填写 0 到 10 之间的数，或留空沿用默认值。",
				}
			}
			require.Len(t, resp.doc.Find(`[data-testid="project-form"] .error`).Nodes, len(want), resp.textOf(`[data-testid="project-form"]`))
			for id, msg := range want {
				require.Equal(t, msg, resp.textOf("#"+id+"-error"), id)
				require.Equal(t, "true", resp.attrOf("#"+id, "aria-invalid"), id)
				require.Contains(t, resp.attrOf("#"+id, "aria-describedby"), id+"-error", id)
			}
			require.Equal(t, "false", resp.attrOf("#project-p1_overdue_days", "aria-invalid"), "365 is allowed")
			require.Equal(t, map[string]string{"project-p0_declined_days": "366", "project-p0_overdue_days": "-1",
				"project-p1_declined_days": "soon", "project-p1_overdue_days": "365", "project-stale_factor": "11"},
				escPolicyValues(resp), "the input is kept")
		})
	}
}

func TestCreateProjectWithEscalationPolicy(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	form := c.get("/projects/new")
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, "7", form.attrOf("#project-p1_declined_days", "placeholder"))
	in := validProjectForm(b, t)
	in.Set("p1_overdue_days", "5")
	resp := c.post("/projects", in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	created := b.demoProject(t, "Appointment reminders")
	require.Equal(t, accord.EscalationOverrides{P1OverdueDays: ptrInt(5)}, created.EscalationOverrides)
	policy := created.EscalationPolicy(accord.TierImportant)
	require.Equal(t, 5, *policy.OverdueDays)
	require.Equal(t, 7, *policy.DeclinedDays, "the default where nothing is set")
}

func ptrInt(n int) *int { return &n }
