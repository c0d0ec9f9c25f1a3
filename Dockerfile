# ---- build stage -------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Download modules in their own layer so source-only changes reuse the cache.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
# Pure Go: a static binary runs on distroless/static (no libc needed).
# Static assets and migrations are embedded, so the binary is all we ship.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /accord ./cmd/accord

# ---- runtime stage -----------------------------------------------------------
# distroless/static has no shell, package manager or curl; ":nonroot" runs as
# uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /accord /accord

ENV PORT=8080
EXPOSE 8080
USER nonroot:nonroot

# No curl in this image: the binary probes GET http://127.0.0.1:$PORT/healthz
# itself. Exec form is required because there is no /bin/sh.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/accord", "healthcheck"]

ENTRYPOINT ["/accord"]
# --demo loads the demo organisation only when the database is empty.
# Drop --demo in production (e.g. `docker run ... accord serve --migrate`).
CMD ["serve", "--migrate", "--demo"]
