package delivery

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
)

// DeliveryHeader is the HTTP header every webhook post carries: the delivery's id.
// Deliveries are at least once (a post whose answer is lost is posted again), so a
// receiver that must not act twice keeps the ids it has seen and drops a repeat.
//
// The id goes in this header only, never in the body: none of the custom-bot webhooks
// Accord posts to (Feishu/Lark custom bot, DingTalk custom robot, WeCom group robot,
// Slack incoming webhook) documents a de-duplication field in its request body. Feishu's
// "uuid" belongs to the app-bot API (im/v1/messages), which custom bots cannot call,
// and WeCom's "enable_duplicate_check" to the app message API (message/send); see
// docs/webhooks.md.
const DeliveryHeader = "X-Accord-Delivery"

// DeliveryID is the id of one notification's delivery to one webhook:
// "acc-<key>-<webhook>", key being the notification's random delivery key, or, for a
// notification made before keys existed, "acc-<notification>-<webhook>". It comes
// from the delivery job's own data, so it is the same on every retry and on
// whichever instance runs the job; and it differs between notifications and between
// webhooks — also after a restore of an older backup rewinds the id sequences, and
// between two installations posting to one receiver.
func DeliveryID(key string, notificationID, webhookID int64) string {
	if key == "" {
		key = strconv.FormatInt(notificationID, 10)
	}
	return "acc-" + key + "-" + strconv.FormatInt(webhookID, 10)
}

// TestDeliveryID is a fresh id for an admin's test message,
// "acc-test-<webhook>-<random>": each press of the button is a message of its own.
func TestDeliveryID(webhookID int64) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "acc-test-" + strconv.FormatInt(webhookID, 10) + "-" + hex.EncodeToString(b[:])
}
