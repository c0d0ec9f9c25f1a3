// Package journeys holds Accord's browser journeys: real Chromium, driven by chromedp,
// plays the stories users live — a lead plans and sends requests, a head declines
// and later agrees, a stalled request is decided by the shared superior, the
// language switch — against the whole app on a fresh demo database per journey.
//
// The journeys are tests only; run them with `make test`, or alone with
//
//	go run ./cmd/pgtemp -- go test -race -count=1 ./internal/journeys/
//
// They need Chromium (`make browser` installs it). Without it they skip locally and
// fail when CI=true. On failure each open tab leaves a full-page screenshot and its
// HTML in test-artifacts/<TestName>/ at the repository root.
package journeys
