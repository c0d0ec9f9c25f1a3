package cluster

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

func (c *cluster) scenarios(ctx context.Context) error {
	signedIn, err := c.sessionAcrossInstances()
	if err != nil {
		return err
	}
	if err := c.compressedThroughBalancer(signedIn); err != nil {
		return err
	}
	if err := c.prepareNudges(ctx); err != nil {
		return err
	}
	if err := c.rollingRestart(ctx); err != nil {
		return err
	}
	if err := c.backgroundOnce(ctx); err != nil {
		return err
	}
	return c.kill(ctx)
}

// sessionAcrossInstances signs in on the first instance directly and uses that
// session on every instance directly and through the balancer. (The cookie jar
// keeps cookies per host, not port, as browsers do.) It returns the signed-in client.
func (c *cluster) sessionAcrossInstances() (*client, error) {
	first := newClient(fmt.Sprintf("http://127.0.0.1:%d", c.inst[0].port))
	if err := first.login("it@accord.demo"); err != nil {
		return nil, err
	}
	bases := []string{c.base}
	for _, in := range c.inst {
		bases = append(bases, fmt.Sprintf("http://127.0.0.1:%d", in.port))
	}
	for _, base := range bases {
		cl := &client{base: base, http: first.http}
		status, err := cl.do(http.MethodGet, "/inbox", nil, false)
		if err != nil {
			return nil, fmt.Errorf("session on %s: %w", base, err)
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("session made on %s is not signed in on %s: status %d", c.inst[0].name, base, status)
		}
		c.fig.SessionChecks++
	}
	c.fig.SessionOK = true
	c.logf("session: made on %s, signed in on all %d instances and through the balancer", c.inst[0].name, len(c.inst))
	return first, nil
}

// compressedThroughBalancer fetches the inbox through the balancer asking for gzip,
// and from an instance directly: the balancer compresses text (docs/benchmarks.md,
// "Compression"), Accord does not.
func (c *cluster) compressedThroughBalancer(signedIn *client) error {
	fetch := func(base string) (encoding string, body []byte, err error) {
		req, err := http.NewRequest(http.MethodGet, base+"/inbox", nil)
		if err != nil {
			return "", nil, err
		}
		// Set by hand, so the client neither asks on its own nor decompresses.
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := signedIn.http.Do(req)
		if err != nil {
			return "", nil, err
		}
		defer resp.Body.Close()
		body, err = io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		return resp.Header.Get("Content-Encoding"), body, err
	}
	encoding, sent, err := fetch(c.base)
	if err != nil {
		return fmt.Errorf("inbox through the balancer: %w", err)
	}
	if encoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(sent))
		if err != nil {
			return fmt.Errorf("inbox through the balancer: %w", err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			return fmt.Errorf("inbox through the balancer: %w", err)
		}
		// The whole page (fetch refused anything but a 200, so not the sign-in page).
		c.fig.Compressed = bytes.HasSuffix(bytes.TrimSpace(page), []byte("</html>"))
		c.fig.CompressedBytes, c.fig.PageBytes = len(sent), len(page)
	}
	if encoding, _, err = fetch(fmt.Sprintf("http://127.0.0.1:%d", c.inst[0].port)); err != nil {
		return fmt.Errorf("inbox from %s: %w", c.inst[0].name, err)
	}
	c.fig.InstanceEncoding = encoding
	c.logf("compression: the inbox came through the balancer as %d bytes of gzip (%d of HTML); from %s directly %q",
		c.fig.CompressedBytes, c.fig.PageBytes, c.inst[0].name, encoding)
	return nil
}

// nudge is one open request its project's lead may remind the holder of.
type nudge struct {
	id   int64
	lead *client
}

// prepareNudges signs in, through the balancer, the lead of every request that
// waits on its holder.
func (c *cluster) prepareNudges(ctx context.Context) error {
	rows, err := c.pool.Query(ctx, `SELECT r.id, u.email FROM requests r
		JOIN projects p ON p.id = r.project_id JOIN users u ON u.id = p.lead_user_id
		WHERE r.state IN ('requested', 'agreed', 'in_progress') ORDER BY r.id`)
	if err != nil {
		return err
	}
	type row struct {
		id    int64
		email string
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.email); err != nil {
			return err
		}
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	leads := map[string]*client{}
	for _, r := range found {
		cl := leads[r.email]
		if cl == nil {
			cl = newClient(c.base)
			if err := cl.login(r.email); err != nil {
				return err
			}
			leads[r.email] = cl
		}
		c.nudges = append(c.nudges, nudge{id: r.id, lead: cl})
	}
	if len(c.nudges) == 0 {
		return fmt.Errorf("the demo organisation has no request to nudge")
	}
	return nil
}

// nudgeRound has each lead remind (nudge) the holder of each request, through the
// balancer: each one a notification whose delivery to the units' webhooks is
// background work. The product lets a lead nudge once in accord.NudgeInterval;
// the harness lifts that in the database first, so rounds can follow each other.
func (c *cluster) nudgeRound(ctx context.Context, rec *recorder) error {
	ids := make([]int64, len(c.nudges))
	for i, n := range c.nudges {
		ids[i] = n.id
	}
	if _, err := c.pool.Exec(ctx, `UPDATE requests SET last_nudge_at = NULL WHERE id = ANY($1)`, ids); err != nil {
		return err
	}
	for _, n := range c.nudges {
		path := fmt.Sprintf("/requests/%d/nudge", n.id)
		began := time.Now()
		status, err := n.lead.do(http.MethodPost, path, url.Values{}, false)
		rec.add("POST "+path, time.Since(began), status, err)
		if err == nil && status == http.StatusSeeOther {
			c.nudged++
		}
	}
	return nil
}

// rollingRestart stops each instance in turn with SIGTERM and starts it again,
// waiting until the balancer has it back, while the clients keep working.
func (c *cluster) rollingRestart(ctx context.Context) error {
	l, err := c.startLoad(ctx)
	if err != nil {
		return err
	}
	defer l.end()
	rec := l.recorder()
	// Notifications keep coming while instances restart: their deliveries are
	// enqueued on one instance and may be worked by another.
	nudging := make(chan struct{})
	nudged := make(chan error, 1)
	go func() {
		for {
			if err := c.nudgeRound(ctx, rec); err != nil {
				nudged <- err
				return
			}
			select {
			case <-nudging:
				nudged <- nil
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	time.Sleep(c.opts.Settle)
	for _, in := range c.inst {
		began := time.Now()
		if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return err
		}
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			return fmt.Errorf("%s did not stop within 30s of SIGTERM", in.name)
		}
		c.fig.ShutdownTimes = append(c.fig.ShutdownTimes, time.Since(began))
		if err := c.start(in, false); err != nil {
			return err
		}
		if err := c.waitReady(ctx, in); err != nil {
			return err
		}
		if err := c.waitBalancer(ctx, in, "UP", 15*time.Second); err != nil {
			return err
		}
		c.fig.RestartTimes = append(c.fig.RestartTimes, time.Since(began))
		c.logf("rolling restart: %s stopped in %v, back in the balancer after %v", in.name,
			c.fig.ShutdownTimes[len(c.fig.ShutdownTimes)-1].Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	}
	close(nudging)
	if err := <-nudged; err != nil {
		return err
	}
	time.Sleep(c.opts.Settle)
	l.end()
	c.fig.Rolling = rec.figures()
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = 'nudge'`).Scan(&c.fig.Notifications); err != nil {
		return err
	}
	c.logf("rolling restart: %d nudges through the balancer made %d notifications", c.nudged, c.fig.Notifications)
	c.logf("rolling restart: %d requests, %d failed", c.fig.Rolling.Requests, c.fig.Rolling.Failures)
	return nil
}

// backgroundOnce waits for the delivery queue to empty and counts: every sent
// delivery reached the receiver once, and the sweep did its work once.
func (c *cluster) backgroundOnce(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int
		if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'accord_deliver'
			AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&pending); err != nil {
			return err
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d deliveries still queued after 30s", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND status = 'sent'`).
		Scan(&c.fig.DeliveriesSent); err != nil {
		return err
	}
	if c.receiver != nil {
		c.fig.WebhookPosts, c.fig.DuplicatePosts, c.fig.DeliveryKey = c.receiver.counts()
		if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM notifications n WHERE n.kind = 'nudge' AND NOT EXISTS (
				SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.channel = 'webhook' AND d.status = 'sent')`).
			Scan(&c.fig.Undelivered); err != nil {
			return err
		}
	}
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'accord_sweep' AND state = 'completed'`).
		Scan(&c.fig.SweepRuns); err != nil {
		return err
	}
	if err := c.pool.QueryRow(ctx, `SELECT count(*), count(*) - count(DISTINCT request_id)
		FROM notifications WHERE kind = 'reminder'`).Scan(&c.fig.Reminders, &c.fig.DuplicateReminder); err != nil {
		return err
	}
	c.logf("background: %d notifications (%d without a sent webhook delivery), %d deliveries sent, %d posts received (%d repeated), %d sweeps, %d reminders (%d duplicated)",
		c.fig.Notifications, c.fig.Undelivered, c.fig.DeliveriesSent, c.fig.WebhookPosts, c.fig.DuplicatePosts, c.fig.SweepRuns, c.fig.Reminders, c.fig.DuplicateReminder)
	return nil
}

// kill SIGKILLs one instance under load, measures until and after the balancer
// notices, and starts it again.
func (c *cluster) kill(ctx context.Context) error {
	l, err := c.startLoad(ctx)
	if err != nil {
		return err
	}
	defer l.end()
	before := l.recorder()
	time.Sleep(c.opts.Settle)
	in := c.inst[len(c.inst)/2]
	killed := time.Now()
	if err := in.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-in.done
	if err := c.waitBalancer(ctx, in, "DOWN", 15*time.Second); err != nil {
		return err
	}
	c.fig.KillNoticed = time.Since(killed)
	after := l.phase()
	time.Sleep(c.opts.Settle)
	restarted := time.Now()
	if err := c.start(in, false); err != nil {
		return err
	}
	if err := c.waitReady(ctx, in); err != nil {
		return err
	}
	if err := c.waitBalancer(ctx, in, "UP", 15*time.Second); err != nil {
		return err
	}
	c.fig.KillRestart = time.Since(restarted)
	time.Sleep(c.opts.Settle / 2)
	l.end()
	c.fig.KillBefore, c.fig.KillAfter = before.figures(), after.figures()
	c.logf("kill: %s noticed after %v; %d of %d requests failed before, %d of %d after", in.name,
		c.fig.KillNoticed.Round(time.Millisecond), c.fig.KillBefore.Failures, c.fig.KillBefore.Requests,
		c.fig.KillAfter.Failures, c.fig.KillAfter.Requests)
	return nil
}
