# Accord — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/accord
GOFILES = $(shell git ls-files '*.go' 2>/dev/null | grep -v '_templ\.go$$')

.PHONY: run build generate test browser haproxy pgbouncer check fmt vet templ-check fuzz clean bench screenshots cluster

## run: start Accord at http://localhost:8080 with a private PostgreSQL and the demo organisation
run: build
	./$(BIN) dev

## build: compile the binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/accord

## generate: regenerate templ components after editing *.templ
generate:
	$(GO) tool templ generate

## test: formatting, vet, templ drift, every test with -race against one throwaway PostgreSQL, fuzz smoke
test: check browser haproxy pgbouncer
	$(GO) run ./cmd/pgtemp -- $(GO) test -race -count=1 ./...
	$(MAKE) fuzz

## browser: install Chromium and a Chinese font for the browser journeys (internal/journeys) when missing
# As root on Debian/Ubuntu (CI, containers) it installs the package; otherwise it says
# what to install, and the journeys skip locally but fail when CI=true.
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Chromium and Chinese fonts for the browser journeys (about a minute)..."; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
		else \
			echo "Chromium or a Chinese font is missing: the browser journeys need both. Install them with: sudo apt-get install -y chromium fonts-noto-cjk"; \
		fi; \
	fi

# A few seconds per fuzz target: enough to catch a regression, short enough for CI.
# A count, not a duration: with a duration Go's fuzz coordinator can report a bare
# "context deadline exceeded" at the boundary on a busy machine (golang/go#75804).
FUZZTIME ?= 30000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzNextRequestState$$' -fuzztime $(FUZZTIME) ./internal/accord
	$(GO) test -run '^$$' -fuzz '^FuzzNextEscalationState$$' -fuzztime $(FUZZTIME) ./internal/accord
	$(GO) test -run '^$$' -fuzz '^FuzzCommentSegments$$' -fuzztime $(FUZZTIME) ./internal/accord
	$(GO) test -run '^$$' -fuzz '^FuzzHighlight$$' -fuzztime $(FUZZTIME) ./internal/accord
	$(GO) test -run '^$$' -fuzz '^FuzzParseNeeds$$' -fuzztime $(FUZZTIME) ./internal/workbookio
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSON$$' -fuzztime $(FUZZTIME) ./internal/server/api
	$(GO) test -run '^$$' -fuzz '^FuzzFormReaders$$' -fuzztime $(FUZZTIME) ./internal/server/pages

## haproxy: install HAProxy for the cluster test and `make cluster` when it is missing
# As with Chromium: as root on Debian/Ubuntu it installs the package; otherwise it
# says what to install, and the cluster test skips locally but fails when CI=true.
haproxy:
	@if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing HAProxy for the cluster test..."; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy; \
		else \
			echo "HAProxy is missing: the cluster test and make cluster need it. Install it with: sudo apt-get install -y haproxy"; \
		fi; \
	fi

## pgbouncer: install PgBouncer for the test that runs Accord through it in transaction mode, when it is missing
pgbouncer:
	@if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing PgBouncer for the PgBouncer test..."; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer; \
		else \
			echo "PgBouncer is missing: its test skips. Install it with: sudo apt-get install -y pgbouncer"; \
		fi; \
	fi

## cluster: three instances behind HAProxy on loopback, restarted and killed under load; prints what clients saw
# Flags of cmd/accordcluster, through CLUSTERFLAGS: -clients 16 -settle 3s -instances 3.
cluster: haproxy
	$(GO) run ./cmd/accordcluster $(CLUSTERFLAGS)

## check: the fast static checks that `make test` runs first
check: fmt vet templ-check

fmt:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The generated *_templ.go files are committed; fail when they lag behind the .templ sources.
templ-check:
	@$(GO) tool templ generate >/dev/null
	@if ! git diff --quiet -- '*_templ.go' || [ -n "$$(git ls-files --others --exclude-standard -- '*_templ.go')" ]; then \
		echo "templ generate changed generated files; run 'make generate' and commit them:"; \
		git status --short -- '*_templ.go'; exit 1; fi

## screenshots: every key page for every demo role, in English and Chinese, at 1366 and 390 px, into screenshots/ (not committed)
# Flags of cmd/screenshots, through SHOTFLAGS: -roles admin,lead -langs en -widths 390 -base http://localhost:8080 -out dir.
screenshots: browser
	@if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-noto-cjk; \
		else \
			echo "Chinese will show as empty boxes without a CJK font: sudo apt-get install -y fonts-noto-cjk"; \
		fi; \
	fi
	$(GO) run ./cmd/screenshots $(SHOTFLAGS)

## bench: measure Accord at enterprise scale on this machine and write docs/benchmarks.md (minutes; not in `make test`)
# Flags of cmd/accordbench, through BENCHFLAGS: -scale large|small (default large), -compare small|large|none,
# -clients 32, -duration 20s, -warmup 2s, -superior-iterations 2000, -out docs/benchmarks.md, -profiles DIR,
# -only pages -keep DIR -pages floor,inbox (measure one change against a kept, seeded cluster).
# A quick trial: make bench BENCHFLAGS='-scale small -duration 3s -out /tmp/bench.md'
bench:
	$(GO) run ./cmd/accordbench $(BENCHFLAGS)

clean:
	rm -rf bin
