package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"accord/internal/accord"
	"accord/internal/delivery"
)

// QueueDelivery is the queue delivery jobs run on, apart from the sweep, so a slow
// mail server or chat platform never holds up reminders.
const QueueDelivery = "delivery"

// DeliverArgs asks for one notification to go out by email and webhook.
type DeliverArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "accord_deliver" }

// InsertOpts puts the job on the delivery queue; a failed delivery is retried with
// River's backoff (about 1 s, 16 s, 81 s, … 78 minutes in all before the last try).
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDelivery, MaxAttempts: accord.MaxDeliveryAttempts}
}

// DeliveryStore is the store work a delivery does.
type DeliveryStore interface {
	NotificationForDelivery(ctx context.Context, id int64) (accord.Outgoing, error)
	RecordDelivery(ctx context.Context, d accord.Delivery, at time.Time) error
}

// Mailer sends one email (delivery.Mailer does).
type Mailer interface {
	Send(ctx context.Context, e delivery.Email) error
}

// WebhookPoster posts one text message to a webhook (delivery.Poster does), marked
// with its delivery id.
type WebhookPoster interface {
	Post(ctx context.Context, w accord.Webhook, deliveryID, text string) error
}

// Deliverer sends notifications out of Accord.
type Deliverer struct {
	Store    DeliveryStore
	Mailer   Mailer                               // nil: email is off
	Poster   WebhookPoster                        // posts to chat webhooks
	Localize func(lang string) delivery.Translate // the recipient's language
	// Text gives text people typed (a decision's reason) in the recipient's language
	// when its translation is known; as typed when nil.
	Text    func(lang, s string) string
	BaseURL string // where links point, e.g. https://accord.example.com
	Logger  *slog.Logger
	Now     func() time.Time // time.Now when nil
}

// Deliver sends one notification to every channel that does not have it yet: email to
// the recipient when email is on, and every enabled webhook of the recipient's units
// (see store.NotificationForDelivery). Each attempt is recorded. It fails when any
// channel failed, so River retries; channels already sent are skipped on the retry,
// so nobody gets the message twice. A post whose answer was lost is posted again
// (at least once); each carries delivery.DeliveryID, the same every time, so the
// receiver can drop the repeat.
func (d *Deliverer) Deliver(ctx context.Context, notificationID int64) error {
	o, err := d.Store.NotificationForDelivery(ctx, notificationID)
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		return river.JobCancel(err) // gone with its database row: nothing to deliver
	}
	if err != nil {
		return err
	}
	if !o.Recipient.Active {
		return nil
	}
	lang := delivery.Language(o.Recipient)
	if d.Text != nil {
		o.Notification.Reason = d.Text(lang, o.Notification.Reason)
	}
	msg := delivery.Render(o.Notification, o.Recipient, lang, d.Localize(lang), d.BaseURL)
	var failed []error
	record := func(channel accord.DeliveryChannel, webhookID *int64, sendErr error) {
		rec := accord.Delivery{NotificationID: &o.Notification.ID, Channel: channel, WebhookID: webhookID, Status: accord.DeliverySent}
		if sendErr != nil {
			rec.Status, rec.LastError = accord.DeliveryFailed, sendErr.Error()
			failed = append(failed, sendErr)
		}
		if err := d.Store.RecordDelivery(ctx, rec, d.now()); err != nil {
			failed = append(failed, err)
		}
	}
	if d.Mailer != nil && o.Recipient.Email != "" && !o.Sent(accord.ChannelEmail, 0) {
		name := accord.User{Name: o.Recipient.Name, NameEN: o.Recipient.NameEN}.DisplayName(lang)
		record(accord.ChannelEmail, nil, d.Mailer.Send(ctx, delivery.Email{
			ToName: name, To: o.Recipient.Email, Subject: msg.Subject, Body: msg.Body}))
	}
	for _, w := range o.Webhooks {
		if o.Sent(accord.ChannelWebhook, w.ID) {
			continue
		}
		// The same id on every retry, from whichever instance: the receiver drops repeats.
		record(accord.ChannelWebhook, &w.ID, d.Poster.Post(ctx, w, delivery.DeliveryID(o.DeliveryKey, o.Notification.ID, w.ID), msg.Chat))
	}
	if len(failed) > 0 {
		return fmt.Errorf("jobs: deliver notification %d: %w", notificationID, errors.Join(failed...))
	}
	return nil
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// deliverWorker runs delivery jobs.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	d *Deliverer
}

// Work delivers the job's notification.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	err := w.d.Deliver(ctx, job.Args.NotificationID)
	if err != nil && w.d.Logger != nil {
		w.d.Logger.Warn("deliver notification", "notification_id", job.Args.NotificationID, "attempt", job.Attempt, "err", err)
	}
	return err
}

// Timeout bounds one attempt: an email and a few webhooks, each with its own timeout.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 2 * time.Minute }

// Enqueuer puts delivery jobs into River inside the caller's transaction (it
// implements store.DeliveryEnqueuer). Inserting needs no started client, so the
// store may use it before the client starts.
type Enqueuer struct {
	client *river.Client[pgx.Tx]
}

// NewEnqueuer enqueues through client.
func NewEnqueuer(client *river.Client[pgx.Tx]) *Enqueuer { return &Enqueuer{client: client} }

// EnqueueDeliveries adds one delivery job per notification.
func (e *Enqueuer) EnqueueDeliveries(ctx context.Context, tx pgx.Tx, notificationIDs []int64) error {
	params := make([]river.InsertManyParams, len(notificationIDs))
	for i, id := range notificationIDs {
		params[i] = river.InsertManyParams{Args: DeliverArgs{NotificationID: id}}
	}
	if _, err := e.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("jobs: enqueue deliveries: %w", err)
	}
	return nil
}
