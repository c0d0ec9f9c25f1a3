package main

import (
	"compress/gzip"
	"strings"
	"testing"
	"time"
)

// TestCompressionReportSaysOnlyWhatItMeasured: the report calls the balancer cheaper
// only when its measured extra CPU is below Go's gzip time, and never prints a ratio
// from a difference lost in noise.
func TestCompressionReportSaysOnlyWhatItMeasured(t *testing.T) {
	result := func(goGzip, haproxyOff, haproxyOn time.Duration) compressionResult {
		return compressionResult{Name: "Workbook", Path: "/projects/1", Clients: 32, Bytes: 125 << 10,
			InProcess: []gzipCost{{Level: gzip.BestSpeed, Bytes: 14 << 10, PerPage: goGzip + time.Microsecond},
				{Level: gzip.DefaultCompression, Bytes: 11 << 10, PerPage: goGzip}},
			Balancer: []balancerRun{{WireBytes: 125 << 10, BalancerCPU: haproxyOff, Load: loadResult{RPS: 300}},
				{Compress: true, WireBytes: 20 << 10, BalancerCPU: haproxyOn, Load: loadResult{RPS: 310}}}}
	}
	cheap := result(time.Millisecond, 150*time.Microsecond, 400*time.Microsecond).markdown()
	for _, want := range []string{"costs 4.0× less", "belongs at the balancer: cheaper there", "6 (default)", "0.25 ms more CPU"} {
		if !strings.Contains(cheap, want) {
			t.Errorf("the report of a cheaper balancer lacks %q:\n%s", want, cheap)
		}
	}
	dear := result(200*time.Microsecond, 150*time.Microsecond, 400*time.Microsecond).markdown()
	if strings.Contains(dear, "less, and not on") || strings.Contains(dear, "cheaper there") {
		t.Errorf("the balancer was dearer, yet the report calls it cheaper:\n%s", dear)
	}
	if !strings.Contains(dear, "was not the cheaper one") {
		t.Errorf("the report hides that the balancer was dearer:\n%s", dear)
	}
	noise := result(time.Millisecond, 400*time.Microsecond, 390*time.Microsecond).markdown()
	if strings.Contains(noise, "×") || !strings.Contains(noise, "within the runs' noise") {
		t.Errorf("a negative difference must not give a ratio:\n%s", noise)
	}
	if got := (compressionResult{Err: "haproxy is missing"}).markdown(); !strings.Contains(got, "could not be measured: haproxy is missing") {
		t.Errorf("a failed measurement must say why: %q", got)
	}
}
