# Accord — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/accord
GOFILES = $(shell git ls-files '*.go' 2>/dev/null | grep -v '_templ\.go$$')

.PHONY: run build generate test check fmt vet templ-check fuzz clean

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
test: check
	$(GO) run ./cmd/pgtemp -- $(GO) test -race -count=1 ./...
	$(MAKE) fuzz

# A few seconds per fuzz target: enough to catch a regression, short enough for CI.
FUZZTIME ?= 5s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzNextRequestState$$' -fuzztime $(FUZZTIME) ./internal/accord
	$(GO) test -run '^$$' -fuzz '^FuzzParseNeeds$$' -fuzztime $(FUZZTIME) ./internal/workbookio

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

clean:
	rm -rf bin
