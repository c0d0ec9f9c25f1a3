// Package tour walks Accord's key pages as each demo role reaches them: `make
// screenshots` photographs every stop at a laptop's and a phone's width in both
// languages, and a browser journey fails when one overflows a phone's width.
//
// A tour is planned over plain HTTP (sign in, then follow the links each page shows
// that person) and played in Chromium with the same session, so it visits what a
// role can reach, never a page it could only type in.
package tour

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Role is a demo person standing for one kind of user.
type Role struct {
	Name  string // short, for file names: "admin", "lead", …
	Email string
}

// Roles are the demo people whose tours cover every kind of user: an administrator,
// the top executive, an executive with an escalation to decide, a lead with a project
// in flight, a lead whose project is not yet sent, a department head answering
// requests and a key person doing the work.
func Roles() []Role {
	return []Role{
		{"admin", "admin@accord.demo"},
		{"ceo", "ceo@accord.demo"},
		{"executive", "ops@accord.demo"},
		{"lead", "marketing@accord.demo"},
		{"lead-unsent", "aftersales@accord.demo"},
		{"head", "it@accord.demo"},
		{"key-person", "it.dev@accord.demo"},
	}
}

// Page is one stop of a tour.
type Page struct {
	Name string // "home", "workbook", …
	Path string // "/projects/4"
}

// stop says how a person reaches a key page: by a link matching Link on one of the
// pages named in From (the first that has one). A stop with a Path is where the tour
// starts.
type stop struct {
	Name string
	Path string
	From []string
	Link *regexp.Regexp
}

var stops = []stop{
	{Name: "home", Path: "/"},
	{Name: "search", Path: "/search?q=data"},
	{Name: "projects", From: []string{"home"}, Link: regexp.MustCompile(`^/projects$`)},
	{Name: "workbook", From: []string{"home", "projects"}, Link: regexp.MustCompile(`^/projects/\d+$`)},
	{Name: "tracker", From: []string{"workbook"}, Link: regexp.MustCompile(`^/projects/\d+/tracker$`)},
	{Name: "history", From: []string{"workbook"}, Link: regexp.MustCompile(`^/projects/\d+/history$`)},
	{Name: "conversation", From: []string{"workbook"}, Link: regexp.MustCompile(`^/projects/\d+/conversation$`)},
	{Name: "send", From: []string{"workbook"}, Link: regexp.MustCompile(`^/projects/\d+/send$`)},
	{Name: "inbox", From: []string{"home"}, Link: regexp.MustCompile(`^/inbox$`)},
	{Name: "request", From: []string{"home", "inbox", "tracker"}, Link: regexp.MustCompile(`^/requests/\d+$`)},
	{Name: "escalations", From: []string{"home"}, Link: regexp.MustCompile(`^/escalations$`)},
	{Name: "escalation", From: []string{"escalations", "home"}, Link: regexp.MustCompile(`^/escalations/\d+$`)},
	{Name: "portfolio", From: []string{"home"}, Link: regexp.MustCompile(`^/portfolio$`)},
	{Name: "retro", From: []string{"portfolio"}, Link: regexp.MustCompile(`^/projects/\d+/retro$`)},
	{Name: "goals", From: []string{"home"}, Link: regexp.MustCompile(`^/goals$`)},
	{Name: "goal", From: []string{"goals"}, Link: regexp.MustCompile(`^/goals/\d+$`)},
	{Name: "org", From: []string{"home"}, Link: regexp.MustCompile(`^/org$`)},
	{Name: "unit", From: []string{"home", "org"}, Link: regexp.MustCompile(`^/units/\d+$`)},
	{Name: "notifications", From: []string{"home"}, Link: regexp.MustCompile(`^/notifications$`)},
	{Name: "settings", From: []string{"home"}, Link: regexp.MustCompile(`^/settings/tokens$`)},
	{Name: "admin-units", From: []string{"home"}, Link: regexp.MustCompile(`^/admin/units$`)},
	{Name: "admin-unit", From: []string{"admin-units"}, Link: regexp.MustCompile(`^/admin/units/\d+$`)},
	{Name: "admin-users", From: []string{"home"}, Link: regexp.MustCompile(`^/admin/users$`)},
	{Name: "admin-user", From: []string{"admin-users"}, Link: regexp.MustCompile(`^/admin/users/\d+$`)},
	{Name: "admin-webhooks", From: []string{"home"}, Link: regexp.MustCompile(`^/admin/webhooks$`)},
}

// Session is a signed-in person: their cookies, to hand to a browser.
type Session struct {
	Base    *url.URL
	Cookies []*http.Cookie
}

// Plan signs in as a role over HTTP with the demo password and lists the key pages
// that person reaches, in the order of the tour.
func Plan(ctx context.Context, base, password string, r Role) (Session, []Page, error) {
	u, err := url.Parse(base)
	if err != nil {
		return Session{}, nil, fmt.Errorf("tour: base %q: %w", base, err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return Session{}, nil, err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	if err := signIn(ctx, c, base, r.Email, password); err != nil {
		return Session{}, nil, err
	}
	docs := map[string]*goquery.Document{}
	var pages []Page
	for _, s := range stops {
		path := s.Path
		for _, from := range s.From {
			doc := docs[from]
			if doc == nil {
				continue
			}
			if path = firstLink(doc, s.Link); path != "" {
				break
			}
		}
		if path == "" {
			continue // this role does not reach the page
		}
		doc, status, err := get(ctx, c, base+path)
		if err != nil {
			return Session{}, nil, fmt.Errorf("tour: %s as %s: %w", path, r.Email, err)
		}
		if status != http.StatusOK {
			return Session{}, nil, fmt.Errorf("tour: %s as %s answered %d, though a page links to it", path, r.Email, status)
		}
		docs[s.Name] = doc
		pages = append(pages, Page{Name: s.Name, Path: path})
	}
	return Session{Base: u, Cookies: jar.Cookies(u)}, pages, nil
}

func signIn(ctx context.Context, c *http.Client, base, email, password string) error {
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("tour: sign in as %s: %w", email, err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" {
		return fmt.Errorf("tour: sign in as %s: ended at %s (%s), not at home", email, resp.Request.URL.Path, resp.Status)
	}
	return nil
}

func get(ctx context.Context, c *http.Client, target string) (*goquery.Document, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	return doc, resp.StatusCode, err
}

// firstLink is the path of the first link in the page's main content (or, for the
// pages only the navigation leads to, anywhere) whose path matches.
func firstLink(doc *goquery.Document, pattern *regexp.Regexp) string {
	var found string
	doc.Find("main a[href], header a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		href, _ := a.Attr("href")
		u, err := url.Parse(href)
		if err != nil || u.Host != "" || !pattern.MatchString(u.Path) {
			return true
		}
		found = u.Path
		return false
	})
	return found
}
