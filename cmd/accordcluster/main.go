// Command accordcluster is `make cluster`: three `accord serve` behind HAProxy on
// loopback, one private PostgreSQL with the demo organisation, clients working
// through the balancer while instances are restarted and killed; it prints what the
// clients saw. See internal/cluster.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"accord/internal/cluster"
)

func main() {
	var opts cluster.Options
	flag.IntVar(&opts.Instances, "instances", 3, "accord serve processes behind the balancer")
	flag.IntVar(&opts.Clients, "clients", 16, "concurrent clients, each with its own session")
	flag.DurationVar(&opts.Settle, "settle", 3*time.Second, "load before and after each disturbance")
	flag.StringVar(&opts.Binary, "binary", "", "a built accord binary (default: go build one)")
	flag.StringVar(&opts.HAProxy, "haproxy", "", "the haproxy executable (default: on PATH or /usr/sbin/haproxy)")
	flag.Parse()
	opts.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fig, err := cluster.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "accordcluster:", err)
		os.Exit(1)
	}
	Print(os.Stdout, fig)
	if !fig.Passed() {
		os.Exit(1)
	}
}

// Print writes the figures as a small table.
func Print(w io.Writer, f cluster.Figures) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	s := func(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
	fmt.Fprintf(w, "\n%d instances behind HAProxy, %d clients, one PostgreSQL, all on loopback (run took %s)\n\n",
		f.Instances, f.Clients, s(f.Total))
	fmt.Fprintf(w, "%-34s %9s %8s %8s %10s %10s\n", "scenario", "requests", "failed", "refused", "p50", "p99")
	row := func(name string, l cluster.Load) {
		fmt.Fprintf(w, "%-34s %9d %8d %8d %10s %10s\n", name, l.Requests, l.Failures, l.Refused, ms(l.P50), ms(l.P99))
	}
	row("rolling restart (SIGTERM each)", f.Rolling)
	row("kill: until the balancer noticed", f.KillBefore)
	row("kill: after", f.KillAfter)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "session made on one instance, signed in on: %d of %d addresses (each instance and the balancer)\n",
		boolInt(f.SessionOK)*f.SessionChecks, f.Instances+1)
	fmt.Fprintf(w, "compression: the inbox through the balancer, asked for with gzip: %v, %d bytes for %d of HTML; an instance directly: %q\n",
		f.Compressed, f.CompressedBytes, f.PageBytes, f.InstanceEncoding)
	fmt.Fprintf(w, "rolling restart, signal to exit:      %s\n", durations(f.ShutdownTimes, s))
	fmt.Fprintf(w, "rolling restart, signal to back in:   %s\n", durations(f.RestartTimes, s))
	fmt.Fprintf(w, "kill: balancer noticed after %s; restarted and back in after %s\n", s(f.KillNoticed), s(f.KillRestart))
	fmt.Fprintf(w, "background: %d notifications made during the restarts (%d left without a webhook delivery), %d deliveries sent, %d posts received, %d repeated (by %s)\n",
		f.Notifications, f.Undelivered, f.DeliveriesSent, f.WebhookPosts, f.DuplicatePosts, f.DeliveryKey)
	fmt.Fprintf(w, "background: %d sweeps ran across the restarts; %d requests due for a reminder, %d reminded, %d twice\n",
		f.SweepRuns, f.StaleRequests, f.Reminders, f.DuplicateReminder)
	for _, l := range []cluster.Load{f.Rolling, f.KillBefore, f.KillAfter} {
		for _, e := range l.FirstErrors {
			fmt.Fprintln(w, "  e.g.", e)
		}
	}
	if f.BuildTime > 0 {
		fmt.Fprintf(w, "(building accord took %s)\n", s(f.BuildTime))
	}
	if f.Passed() {
		fmt.Fprintln(w, "\nPASS: zero failed requests through the rolling restart and after the balancer noticed the kill; background work once")
	} else {
		fmt.Fprintln(w, "\nFAIL: see the figures above")
	}
}

func durations(ds []time.Duration, f func(time.Duration) string) string {
	out := ""
	for i, d := range ds {
		if i > 0 {
			out += ", "
		}
		out += f(d)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
