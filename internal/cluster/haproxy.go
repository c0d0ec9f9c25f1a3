package cluster

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"text/template"
	"time"
)

// haproxyTemplate is the balancer in front of the instances. The settings, and why:
//
//   - balance roundrobin: sessions live in PostgreSQL, so any instance serves any
//     request; no stickiness needed.
//   - option httpchk GET /readyz with a fast inter/fall/rise: an instance that
//     starts draining (readyz 503) or dies is out of rotation within inter × fall,
//     which must stay below the instances' ACCORD_DRAIN_DELAY; a restarted one is
//     back after rise checks.
//   - retries, option redispatch: a connection that cannot be made (the instance
//     is gone and the check has not noticed yet) is retried on another instance.
//   - retry-on conn-failure empty-response: also retry a request the server closed
//     without answering (a kept-alive connection closed under it), but only for
//     requests that may be repeated: POSTs are never resent after they reached an
//     instance (disable-l7-retry), so a write is never applied twice.
//   - option forwardfor: the client's address reaches Accord in X-Forwarded-For;
//     the instances trust it because ACCORD_TRUSTED_PROXIES names the balancer.
//   - timeouts: bounded everywhere, so nothing hangs; `timeout check 2s`, because
//     without it a check must answer within inter (250ms), and a busy instance's
//     slow /readyz would take it out of rotation.
//
//go:embed haproxy.cfg.tmpl
var haproxyTemplate string

// balancerConfig is what the template needs.
type balancerConfig struct {
	Bind      string   // host:port the balancer listens on
	StatsBind string   // host:port of the stats page (CSV at /stats;csv)
	Servers   []string // host:port of each instance
	Inter     time.Duration
	Fall      int
	Rise      int
}

func ms(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

func (c balancerConfig) render() ([]byte, error) {
	t, err := template.New("haproxy").Funcs(template.FuncMap{"ms": ms}).Parse(haproxyTemplate)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// FindHAProxy is the haproxy executable: on PATH, or where Debian puts it
// (/usr/sbin is not on a normal user's PATH).
func FindHAProxy() (string, error) {
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy", nil
	}
	return "", errors.New("haproxy is missing: install it with `sudo apt-get install -y haproxy` (make test and make cluster do as root)")
}
