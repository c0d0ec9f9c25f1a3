package main

import (
	"testing"
	"time"
)

func TestParsePprofTop(t *testing.T) {
	text := `File: accord
Type: cpu
Duration: 20.01s, Total samples = 30.50s (152.45%)
Showing nodes accounting for 30.50s, 100% of 30.50s total
      flat  flat%   sum%        cum   cum%
     1.20s  3.93%  3.93%      1.20s  3.93%  internal/runtime/syscall/linux.Syscall6
      40ms  0.13%  4.06%     25.12s 82.36%  net/http.(*conn).serve
         0     0%  4.06%      2.5s  8.20%  accord/internal/store.(*Store).Units
         0     0%  4.06%     24.9s 81.64%  accord/internal/server.securityHeaders.func1
         0     0%  4.06%     24.8s 81.31%  accord/internal/server/pages.(*Server).loadViewer-fm.(*Server).loadViewer.func1
      10ms  0.03%  4.09%     1.5mins  100%  runtime.mallocgc (inline)
      10ms  0.03%  4.12%       10ms 0.03%  aeshashbody
`
	fns, d, samples, err := parsePprofTop(text)
	if err != nil {
		t.Fatal(err)
	}
	if d != 20010*time.Millisecond || samples != 30500*time.Millisecond {
		t.Fatalf("duration %s, samples %s", d, samples)
	}
	if len(fns) != 7 || fns[1].Name != "net/http.(*conn).serve" || fns[1].Flat != 40*time.Millisecond ||
		fns[1].Cum != 25120*time.Millisecond || fns[5].Name != "runtime.mallocgc" || fns[5].Cum != 90*time.Second {
		t.Fatalf("%+v", fns)
	}
	for fn, want := range map[string]bool{
		"accord/internal/server.securityHeaders.func1":                                    true,
		"accord/internal/server/pages.(*Server).loadViewer-fm.(*Server).loadViewer.func1": true,
		"accord/internal/store.(*Store).Units":                                            false,
		"accord/internal/server/pages.(*Server).showSection.func1":                        false,
		"accord/internal/server/pages.(*Server).showDepartmentPage":                       false,
	} {
		if middleware(fn) != want {
			t.Errorf("middleware(%q) = %v", fn, !want)
		}
	}
	for fn, want := range map[string]string{
		"net/http.(*conn).serve":                  "net/http",
		"accord/internal/store.(*Store).Units":    "accord/internal/store",
		"github.com/jackc/pgx/v5.(*Conn).Query":   "github.com/jackc/pgx/v5",
		"internal/runtime/syscall/linux.Syscall6": "system calls",
		"internal/runtime/maps.(*Map).getWithKey": "runtime",
		"aeshashbody": "runtime",
	} {
		if got := packageOf(fn); got != want {
			t.Errorf("packageOf(%q) = %q, want %q", fn, got, want)
		}
	}
}

func TestOneLineAndProfileSeconds(t *testing.T) {
	if got := oneLine("SELECT a\n\t FROM t | x WHERE `b`", 100); got != "SELECT a FROM t \\| x WHERE 'b'" {
		t.Fatalf("%q", got)
	}
	if got := oneLine("SELECT 一二三四五", 9); got != "SELECT 一二 …" {
		t.Fatalf("%q", got)
	}
	if profileSeconds(3*time.Second) != 3 || profileSeconds(2500*time.Millisecond) != 2 || profileSeconds(time.Millisecond) != 1 {
		t.Fatal("profileSeconds")
	}
}
