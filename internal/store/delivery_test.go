package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// addWebhook connects unit u's chat.
func addWebhook(t *testing.T, w *storetest.World, u accord.Unit, platform accord.WebhookPlatform, url string) accord.Webhook {
	t.Helper()
	hook, err := w.Store.CreateWebhook(w.Ctx, 0, accord.WebhookInput{UnitID: u.ID, Platform: platform, URL: url})
	require.NoError(t, err)
	return hook
}

func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	admin := w.Person(t, storetest.PersonOpts{Admin: true}).ID
	it := w.Unit(t, storetest.UnitOpts{Name: "信息技术部", NameEN: "IT"})
	in := accord.WebhookInput{UnitID: it.ID, Platform: accord.PlatformFeishu,
		URL: "https://open.feishu.test/open-apis/bot/v2/hook/0123456789abcdef", Secret: "SECsecret"}
	hook, err := w.Store.CreateWebhook(w.Ctx, admin, in)
	require.NoError(t, err)
	require.Equal(t, accord.Webhook{ID: hook.ID, UnitID: it.ID, UnitName: "信息技术部", UnitNameEN: "IT",
		Platform: accord.PlatformFeishu, URL: in.URL, Secret: "SECsecret", Enabled: true, CreatedAt: hook.CreatedAt, Version: 1}, hook)
	got, err := w.Store.Webhook(w.Ctx, hook.ID)
	require.NoError(t, err)
	require.Equal(t, hook, got)

	// The audit log keeps neither the token nor the secret.
	entries, err := w.Store.AuditEntries(w.Ctx, "webhook", hook.ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, accord.AuditCreate, entries[0].Action)
	require.NotContains(t, string(entries[0].After), "0123456789ab")
	require.NotContains(t, string(entries[0].After), "SECsecret")
	require.Contains(t, string(entries[0].After), "…cdef")

	_, err = w.Store.SetWebhookEnabled(w.Ctx, admin, hook.ID, hook.Version+1, false)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err), "a stale version is a conflict")
	off, err := w.Store.SetWebhookEnabled(w.Ctx, admin, hook.ID, hook.Version, false)
	require.NoError(t, err)
	require.False(t, off.Enabled)
	require.Equal(t, 2, off.Version)

	_, err = w.Store.DeleteWebhook(w.Ctx, admin, hook.ID, hook.Version)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	_, err = w.Store.DeleteWebhook(w.Ctx, admin, hook.ID, off.Version)
	require.NoError(t, err)
	_, err = w.Store.Webhook(w.Ctx, hook.ID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
	_, err = w.Store.SetWebhookEnabled(w.Ctx, admin, hook.ID, off.Version, true)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestCreateWebhookRefusesClosedAndUnknownUnits(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	admin := w.Person(t, storetest.PersonOpts{Admin: true}).ID
	legal := w.Unit(t, storetest.UnitOpts{})
	_, err := w.Store.CloseUnit(w.Ctx, admin, legal.ID, legal.Version)
	require.NoError(t, err)
	for name, unitID := range map[string]int64{"closed": legal.ID, "unknown": 987654} {
		t.Run(name, func(t *testing.T) {
			_, err := w.Store.CreateWebhook(w.Ctx, admin, accord.WebhookInput{UnitID: unitID, Platform: accord.PlatformSlack, URL: "https://hooks.slack.test/x"})
			require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
			require.Contains(t, accord.FieldErrors(err), "unit_id")
		})
	}
	list, err := w.Store.Webhooks(w.Ctx)
	require.NoError(t, err)
	require.Empty(t, list)
}

// TestNotificationForDeliveryTargetsTheRecipientsSide checks which chats hear a
// notification: the recipient's unit among the two the request concerns, else the
// recipient's own units; never a disabled webhook or another unit's chat.
func TestNotificationForDeliveryTargetsTheRecipientsSide(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	hq := w.Root(t)
	itUnit, asUnit, legal := w.Unit(t, storetest.UnitOpts{}), w.Unit(t, storetest.UnitOpts{}), w.Unit(t, storetest.UnitOpts{})
	itHook := addWebhook(t, w, itUnit, accord.PlatformFeishu, "https://feishu.test/it")
	off := addWebhook(t, w, itUnit, accord.PlatformSlack, "https://slack.test/it")
	_, err := w.Store.SetWebhookEnabled(w.Ctx, 0, off.ID, off.Version, false)
	require.NoError(t, err)
	leadHook := addWebhook(t, w, asUnit, accord.PlatformDingTalk, "https://dingtalk.test/as")
	hqHook := addWebhook(t, w, hq, accord.PlatformWeCom, "https://wecom.test/hq")
	addWebhook(t, w, legal, accord.PlatformSlack, "https://slack.test/legal")

	p := w.Project(t, storetest.ProjectOpts{Owner: &asUnit, NameEN: "Smart service upgrade"})
	need := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &itUnit, TitleEN: "CRM system development"})
	it := w.Request(t, storetest.RequestOpts{Need: &need, State: accord.RequestDeclined, At: now})
	users := map[string]accord.User{"holder": w.Head(t, itUnit), "lead": w.Head(t, asUnit), "top": w.Head(t, hq)}
	// A decision for the shared superior (the root's head, above both units).
	var toTop int64
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `INSERT INTO notifications (user_id, kind, project_id, request_id, data)
		VALUES ($1, 'escalation_assigned', $2, $3, '{"state":"declined"}') RETURNING id`,
		users["top"].ID, it.ProjectID, it.ID).Scan(&toTop))

	notificationOf := func(who string, kind accord.NotificationKind) int64 {
		var id int64
		require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT id FROM notifications WHERE user_id = $1 AND kind = $2 AND request_id = $3`,
			users[who].ID, kind, it.ID).Scan(&id))
		return id
	}
	tests := []struct {
		name      string
		id        int64
		recipient string
		want      []int64
	}{
		{"holder's head hears in the holder's chat", notificationOf("holder", accord.NotifyRequestReceived), "holder", []int64{itHook.ID}},
		{"the lead hears in the project unit's chat", notificationOf("lead", accord.NotifyRequestAnswered), "lead", []int64{leadHook.ID}},
		{"a superior in neither unit hears in their own", toTop, "top", []int64{hqHook.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := w.Store.NotificationForDelivery(w.Ctx, tt.id)
			require.NoError(t, err)
			u := users[tt.recipient]
			require.Equal(t, accord.Recipient{UserID: u.ID, Email: u.Email, Name: u.Name, NameEN: u.NameEN, Locale: u.Locale, Active: true}, o.Recipient)
			require.Equal(t, tt.id, o.Notification.ID)
			require.Equal(t, "Smart service upgrade", o.Notification.ProjectNameEN)
			require.Equal(t, "CRM system development", o.Notification.NeedTitleEN)
			var got []int64
			for _, hook := range o.Webhooks {
				got = append(got, hook.ID)
				require.True(t, hook.Enabled)
			}
			require.Equal(t, tt.want, got)
			require.Empty(t, o.Deliveries)
		})
	}
	_, err = w.Store.NotificationForDelivery(w.Ctx, 987654)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestRecordDeliveryKeepsOneRowPerTarget(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now().Truncate(time.Microsecond)
	itUnit := w.Unit(t, storetest.UnitOpts{})
	hook := addWebhook(t, w, itUnit, accord.PlatformFeishu, "https://feishu.test/it")
	need := w.Need(t, storetest.NeedOpts{Holder: &itUnit})
	w.Request(t, storetest.RequestOpts{Need: &need, At: now})
	var nid int64
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT id FROM notifications WHERE user_id = $1`, w.Head(t, itUnit).ID).Scan(&nid))

	record := func(channel accord.DeliveryChannel, webhookID *int64, notificationID *int64, errText string, at time.Time) {
		d := accord.Delivery{NotificationID: notificationID, Channel: channel, WebhookID: webhookID, Status: accord.DeliverySent}
		if errText != "" {
			d.Status, d.LastError = accord.DeliveryFailed, errText
		}
		require.NoError(t, w.Store.RecordDelivery(w.Ctx, d, at))
	}
	record(accord.ChannelWebhook, &hook.ID, &nid, "feishu answered HTTP 500: boom", now)
	record(accord.ChannelWebhook, &hook.ID, &nid, "feishu answered HTTP 502: gateway", now.Add(time.Second))
	record(accord.ChannelEmail, nil, &nid, "email to it@accord.test: 550 no such user", now.Add(2*time.Second))
	record(accord.ChannelWebhook, &hook.ID, nil, "", now.Add(3*time.Second)) // an admin's test message

	o, err := w.Store.NotificationForDelivery(w.Ctx, nid)
	require.NoError(t, err)
	require.Len(t, o.Deliveries, 2)
	hd := o.Deliveries[0]
	require.Equal(t, accord.Delivery{ID: hd.ID, NotificationID: &nid, Channel: accord.ChannelWebhook, WebhookID: &hook.ID,
		Status: accord.DeliveryFailed, Attempts: 2, LastError: "feishu answered HTTP 502: gateway", UpdatedAt: now.Add(time.Second)}, hd)
	require.False(t, o.Sent(accord.ChannelWebhook, hook.ID))

	record(accord.ChannelWebhook, &hook.ID, &nid, "", now.Add(4*time.Second))
	o, err = w.Store.NotificationForDelivery(w.Ctx, nid)
	require.NoError(t, err)
	require.Equal(t, accord.DeliverySent, o.Deliveries[0].Status)
	require.Equal(t, 3, o.Deliveries[0].Attempts)
	require.Empty(t, o.Deliveries[0].LastError)
	require.True(t, o.Sent(accord.ChannelWebhook, hook.ID))
	require.False(t, o.Sent(accord.ChannelEmail, 0))

	recent, err := w.Store.RecentDeliveries(w.Ctx, 3)
	require.NoError(t, err)
	type line struct {
		channel accord.DeliveryChannel
		status  accord.DeliveryStatus
		test    bool
	}
	var got []line
	for _, d := range recent {
		got = append(got, line{d.Channel, d.Status, d.NotificationID == nil})
	}
	// Newest first: the webhook's latest delivery (sent at last, so no failure is left
	// to list), then the failed email.
	require.Equal(t, []line{{accord.ChannelWebhook, accord.DeliverySent, false}, {accord.ChannelEmail, accord.DeliveryFailed, false}}, got)

	// A failed test message is the webhook's latest delivery and its latest failure.
	record(accord.ChannelWebhook, &hook.ID, nil, "feishu refused the message: code 19021: sign match fail", now.Add(5*time.Second))
	recent, err = w.Store.RecentDeliveries(w.Ctx, 3)
	require.NoError(t, err)
	got = nil
	for _, d := range recent {
		got = append(got, line{d.Channel, d.Status, d.NotificationID == nil})
	}
	require.Equal(t, []line{{accord.ChannelWebhook, accord.DeliveryFailed, true}, {accord.ChannelEmail, accord.DeliveryFailed, false}}, got)
	require.Equal(t, "feishu refused the message: code 19021: sign match fail", recent[0].LastError)
}

// enqueueRecorder stands in for River: it writes down, inside the transaction it is
// given, which notifications it was asked to deliver.
type enqueueRecorder struct{ fail bool }

func (e enqueueRecorder) EnqueueDeliveries(ctx context.Context, tx pgx.Tx, ids []int64) error {
	if e.fail {
		return errors.New("queue unavailable")
	}
	_, err := tx.Exec(ctx, `INSERT INTO enqueued (notification_id) SELECT unnest($1::bigint[])`, ids)
	return err
}

func TestDeliveryIsEnqueuedInTheNotificationsTransaction(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	p := w.Project(t, storetest.ProjectOpts{})
	var internal []int64
	for range 4 {
		internal = append(internal, w.Need(t, storetest.NeedOpts{Project: &p}).ID)
	}
	send := func(at time.Time) error {
		_, err := w.Store.SendNeeds(w.Ctx, p.LeadUserID, p.ID, internal, "", at)
		return err
	}
	_, err := w.Store.Pool().Exec(w.Ctx, `CREATE TABLE enqueued (notification_id bigint NOT NULL)`)
	require.NoError(t, err)
	ids := func(sql string, args ...any) []int64 {
		rows, err := w.Store.Pool().Query(w.Ctx, sql, args...)
		require.NoError(t, err)
		list, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		require.NoError(t, err)
		return list
	}

	var before int64 // notifications from before the test's own actions
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT COALESCE(max(id), 0) FROM notifications`).Scan(&before))

	// The queue fails: the whole action rolls back, notification and all.
	w.Store.SetDeliveryEnqueuer(enqueueRecorder{fail: true})
	err = send(time.Now())
	require.ErrorContains(t, err, "queue unavailable")
	require.Empty(t, ids(`SELECT id FROM notifications WHERE id > $1`, before))
	require.Empty(t, ids(`SELECT id FROM requests WHERE project_id = $1`, p.ID))

	// It works: one job per notification, committed with it, stale reminders included.
	w.Store.SetDeliveryEnqueuer(enqueueRecorder{})
	require.NoError(t, send(time.Now().Add(-60*24*time.Hour)))
	n, err := w.Store.SweepStale(w.Ctx, time.Now())
	require.NoError(t, err)
	require.EqualValues(t, 4, n)
	all := ids(`SELECT id FROM notifications WHERE id > $1 ORDER BY id`, before)
	require.Len(t, all, 8, "four requests received, four reminders")
	require.Equal(t, all, ids(`SELECT notification_id FROM enqueued ORDER BY notification_id`))

	// A repeat the dedupe key swallows enqueues nothing.
	n, err = w.Store.SweepStale(w.Ctx, time.Now())
	require.NoError(t, err)
	require.Zero(t, n)
	require.Len(t, ids(`SELECT notification_id FROM enqueued`), 8)
}
