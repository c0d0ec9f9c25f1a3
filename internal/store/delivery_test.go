package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func (b testBundle) addWebhook(t *testing.T, unitEN string, platform accord.WebhookPlatform, url string) accord.Webhook {
	t.Helper()
	w, err := b.st.CreateWebhook(b.ctx, b.users["admin@accord.demo"].ID,
		accord.WebhookInput{UnitID: b.units[unitEN].ID, Platform: platform, URL: url})
	require.NoError(t, err)
	return w
}

func TestWebhookLifecycle(t *testing.T) {
	b := setup(t)
	admin := b.users["admin@accord.demo"].ID
	in := accord.WebhookInput{UnitID: b.units["IT"].ID, Platform: accord.PlatformFeishu,
		URL: "https://open.feishu.test/open-apis/bot/v2/hook/0123456789abcdef", Secret: "SECsecret"}
	w, err := b.st.CreateWebhook(b.ctx, admin, in)
	require.NoError(t, err)
	require.Equal(t, accord.Webhook{ID: w.ID, UnitID: b.units["IT"].ID, UnitName: "信息技术部", UnitNameEN: "IT",
		Platform: accord.PlatformFeishu, URL: in.URL, Secret: "SECsecret", Enabled: true, CreatedAt: w.CreatedAt, Version: 1}, w)
	got, err := b.st.Webhook(b.ctx, w.ID)
	require.NoError(t, err)
	require.Equal(t, w, got)

	// The audit log keeps neither the token nor the secret.
	entries, err := b.st.AuditEntries(b.ctx, "webhook", w.ID, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, accord.AuditCreate, entries[0].Action)
	require.NotContains(t, string(entries[0].After), "0123456789ab")
	require.NotContains(t, string(entries[0].After), "SECsecret")
	require.Contains(t, string(entries[0].After), "…cdef")

	_, err = b.st.SetWebhookEnabled(b.ctx, admin, w.ID, w.Version+1, false)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err), "a stale version is a conflict")
	off, err := b.st.SetWebhookEnabled(b.ctx, admin, w.ID, w.Version, false)
	require.NoError(t, err)
	require.False(t, off.Enabled)
	require.Equal(t, 2, off.Version)

	_, err = b.st.DeleteWebhook(b.ctx, admin, w.ID, w.Version)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	_, err = b.st.DeleteWebhook(b.ctx, admin, w.ID, off.Version)
	require.NoError(t, err)
	_, err = b.st.Webhook(b.ctx, w.ID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
	_, err = b.st.SetWebhookEnabled(b.ctx, admin, w.ID, off.Version, true)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestCreateWebhookRefusesClosedAndUnknownUnits(t *testing.T) {
	b := setup(t)
	admin := b.users["admin@accord.demo"].ID
	legal := b.units["Legal"]
	_, err := b.st.CloseUnit(b.ctx, admin, legal.ID, legal.Version)
	require.NoError(t, err)
	for name, unitID := range map[string]int64{"closed": legal.ID, "unknown": 987654} {
		t.Run(name, func(t *testing.T) {
			_, err := b.st.CreateWebhook(b.ctx, admin, accord.WebhookInput{UnitID: unitID, Platform: accord.PlatformSlack, URL: "https://hooks.slack.test/x"})
			require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
			require.Contains(t, accord.FieldErrors(err), "unit_id")
		})
	}
	list, err := b.st.Webhooks(b.ctx)
	require.NoError(t, err)
	require.Empty(t, list)
}

// TestNotificationForDeliveryTargetsTheRecipientsSide checks which chats hear a
// notification: the recipient's unit among the two the request concerns, else the
// recipient's own units; never a disabled webhook or another unit's chat.
func TestNotificationForDeliveryTargetsTheRecipientsSide(t *testing.T) {
	b := setup(t)
	now := time.Now()
	itHook := b.addWebhook(t, "IT", accord.PlatformFeishu, "https://feishu.test/it")
	off := b.addWebhook(t, "IT", accord.PlatformSlack, "https://slack.test/it")
	_, err := b.st.SetWebhookEnabled(b.ctx, 0, off.ID, off.Version, false)
	require.NoError(t, err)
	leadHook := b.addWebhook(t, "After-sales", accord.PlatformDingTalk, "https://dingtalk.test/as")
	hqHook := b.addWebhook(t, "HQ", accord.PlatformWeCom, "https://wecom.test/hq")
	b.addWebhook(t, "Legal", accord.PlatformSlack, "https://slack.test/legal")

	it := sendSmart(t, b, now)["IT"]
	itHead := b.viewer(t, "it@accord.demo")
	_, err = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	// A decision for the shared superior (the CEO heads HQ, above both units).
	var toCEO int64
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `INSERT INTO notifications (user_id, kind, project_id, request_id, data)
		VALUES ($1, 'escalation_assigned', $2, $3, '{"state":"declined"}') RETURNING id`,
		b.users["ceo@accord.demo"].ID, it.ProjectID, it.ID).Scan(&toCEO))

	notificationOf := func(email string, kind accord.NotificationKind) int64 {
		var id int64
		require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id FROM notifications WHERE user_id = $1 AND kind = $2 AND request_id = $3`,
			b.users[email].ID, kind, it.ID).Scan(&id))
		return id
	}
	tests := []struct {
		name      string
		id        int64
		recipient string
		want      []int64
	}{
		{"holder's head hears in the holder's chat", notificationOf("it@accord.demo", accord.NotifyRequestReceived), "it@accord.demo", []int64{itHook.ID}},
		{"the lead hears in the project unit's chat", notificationOf("aftersales@accord.demo", accord.NotifyRequestAnswered), "aftersales@accord.demo", []int64{leadHook.ID}},
		{"a superior in neither unit hears in their own", toCEO, "ceo@accord.demo", []int64{hqHook.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := b.st.NotificationForDelivery(b.ctx, tt.id)
			require.NoError(t, err)
			u := b.users[tt.recipient]
			require.Equal(t, accord.Recipient{UserID: u.ID, Email: u.Email, Name: u.Name, NameEN: u.NameEN, Locale: u.Locale, Active: true}, o.Recipient)
			require.Equal(t, tt.id, o.Notification.ID)
			require.Equal(t, "Smart service upgrade", o.Notification.ProjectNameEN)
			require.Equal(t, "CRM system development", o.Notification.NeedTitleEN)
			var got []int64
			for _, w := range o.Webhooks {
				got = append(got, w.ID)
				require.True(t, w.Enabled)
			}
			require.Equal(t, tt.want, got)
			require.Empty(t, o.Deliveries)
		})
	}
	_, err = b.st.NotificationForDelivery(b.ctx, 987654)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestRecordDeliveryKeepsOneRowPerTarget(t *testing.T) {
	b := setup(t)
	now := time.Now().Truncate(time.Microsecond)
	hook := b.addWebhook(t, "IT", accord.PlatformFeishu, "https://feishu.test/it")
	sendSmart(t, b, now)
	var nid int64
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id FROM notifications WHERE user_id = $1`, b.users["it@accord.demo"].ID).Scan(&nid))

	record := func(channel accord.DeliveryChannel, webhookID *int64, notificationID *int64, errText string, at time.Time) {
		d := accord.Delivery{NotificationID: notificationID, Channel: channel, WebhookID: webhookID, Status: accord.DeliverySent}
		if errText != "" {
			d.Status, d.LastError = accord.DeliveryFailed, errText
		}
		require.NoError(t, b.st.RecordDelivery(b.ctx, d, at))
	}
	record(accord.ChannelWebhook, &hook.ID, &nid, "feishu answered HTTP 500: boom", now)
	record(accord.ChannelWebhook, &hook.ID, &nid, "feishu answered HTTP 502: gateway", now.Add(time.Second))
	record(accord.ChannelEmail, nil, &nid, "email to it@accord.demo: 550 no such user", now.Add(2*time.Second))
	record(accord.ChannelWebhook, &hook.ID, nil, "", now.Add(3*time.Second)) // an admin's test message

	o, err := b.st.NotificationForDelivery(b.ctx, nid)
	require.NoError(t, err)
	require.Len(t, o.Deliveries, 2)
	hd := o.Deliveries[0]
	require.Equal(t, accord.Delivery{ID: hd.ID, NotificationID: &nid, Channel: accord.ChannelWebhook, WebhookID: &hook.ID,
		Status: accord.DeliveryFailed, Attempts: 2, LastError: "feishu answered HTTP 502: gateway", UpdatedAt: now.Add(time.Second)}, hd)
	require.False(t, o.Sent(accord.ChannelWebhook, hook.ID))

	record(accord.ChannelWebhook, &hook.ID, &nid, "", now.Add(4*time.Second))
	o, err = b.st.NotificationForDelivery(b.ctx, nid)
	require.NoError(t, err)
	require.Equal(t, accord.DeliverySent, o.Deliveries[0].Status)
	require.Equal(t, 3, o.Deliveries[0].Attempts)
	require.Empty(t, o.Deliveries[0].LastError)
	require.True(t, o.Sent(accord.ChannelWebhook, hook.ID))
	require.False(t, o.Sent(accord.ChannelEmail, 0))

	recent, err := b.st.RecentDeliveries(b.ctx, 3)
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
	recent, err = b.st.RecentDeliveries(b.ctx, 3)
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
	b := setup(t)
	_, err := b.st.Pool().Exec(b.ctx, `CREATE TABLE enqueued (notification_id bigint NOT NULL)`)
	require.NoError(t, err)
	ids := func(sql string, args ...any) []int64 {
		rows, err := b.st.Pool().Query(b.ctx, sql, args...)
		require.NoError(t, err)
		list, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		require.NoError(t, err)
		return list
	}

	var before int64 // the demo's own notifications
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT COALESCE(max(id), 0) FROM notifications`).Scan(&before))

	// The queue fails: the whole action rolls back, notification and all.
	b.st.SetDeliveryEnqueuer(enqueueRecorder{fail: true})
	smart := b.project(t, "Smart service upgrade")
	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	var internal []int64
	for _, n := range needs {
		if n.HolderUnitID != nil {
			internal = append(internal, n.ID)
		}
	}
	_, err = b.st.SendNeeds(b.ctx, b.users["aftersales@accord.demo"].ID, smart.ID, internal, "", time.Now())
	require.ErrorContains(t, err, "queue unavailable")
	require.Empty(t, ids(`SELECT id FROM notifications WHERE id > $1`, before))
	require.Empty(t, ids(`SELECT id FROM requests WHERE project_id = $1`, smart.ID))

	// It works: one job per notification, committed with it, stale reminders included.
	b.st.SetDeliveryEnqueuer(enqueueRecorder{})
	sendSmart(t, b, time.Now().Add(-60*24*time.Hour))
	n, err := b.st.SweepStale(b.ctx, time.Now())
	require.NoError(t, err)
	require.EqualValues(t, 4, n)
	all := ids(`SELECT id FROM notifications WHERE id > $1 ORDER BY id`, before)
	require.Len(t, all, 8, "four requests received, four reminders")
	require.Equal(t, all, ids(`SELECT notification_id FROM enqueued ORDER BY notification_id`))

	// A repeat the dedupe key swallows enqueues nothing.
	n, err = b.st.SweepStale(b.ctx, time.Now())
	require.NoError(t, err)
	require.Zero(t, n)
	require.Len(t, ids(`SELECT notification_id FROM enqueued`), 8)
}
