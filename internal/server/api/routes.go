package api

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// The JSON API under /api/v1: the same store calls and domain rules as the pages,
// authenticated with personal bearer tokens instead of the session cookie.

//go:embed openapi.json
var openAPIDocument []byte

// maxAPIBodyBytes caps a JSON request body.
const maxAPIBodyBytes = 1 << 20

// Routes registers the API on its own subrouter, outside the session's group: no
// cookie is read, so a browser's session cannot be used against it. Each group of
// endpoints declares its own routes in its file, as the pages do.
func (s *Server) Routes(r chi.Router) {
	r.NotFound(s.apiNotFound)
	r.MethodNotAllowed(s.apiMethodNotAllowed)
	r.Get("/openapi.json", s.apiOpenAPI)
	r.Group(func(r chi.Router) {
		r.Use(s.apiAuth)
		s.unitRoutes(r)
		s.adminRoutes(r)
		s.orgImportRoutes(r)
		s.portfolioRoutes(r)
		s.projectRoutes(r)
		s.workbookRoutes(r)
		s.requestRoutes(r)
		s.escalationRoutes(r)
		s.commentRoutes(r)
		s.followRoutes(r)
		s.searchRoutes(r)
		s.calendarFeedRoutes(r)
		s.standInRoutes(r)
	})
}

// apiOpenAPI serves the hand-written OpenAPI document; tests keep it and the router
// in step.
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}

// apiAuth reads the bearer token, loads its user as the viewer, and picks the
// language: the request's Accept-Language, else the user's saved choice.
func (s *Server) apiAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		accept := r.Header.Get("Accept-Language")
		ctx = i18n.WithLocalizer(ctx, s.I18n.Localizer(s.I18n.Match("", accept)))
		r = r.WithContext(ctx)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Add("Vary", "Accept-Language, Authorization")
		r.Body = http.MaxBytesReader(w, r.Body, maxAPIBodyBytes)

		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			s.apiFail(w, r, accord.Errorf(accord.ECodeUnauthorized, "api_token_invalid", nil))
			return
		}
		v, err := s.store.TokenViewer(ctx, secret, s.Now())
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		if accept == "" && v.User.Locale != "" {
			ctx = i18n.WithLocalizer(ctx, s.I18n.Localizer(s.I18n.Match(v.User.Locale, "")))
		}
		v.Location = s.Location(v.User)
		ctx = ui.WithLocation(spine.WithViewer(ctx, &v), v.Location)
		w.Header().Set("Content-Language", i18n.Lang(ctx))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.apiError(w, r, http.StatusNotFound, "not_found", i18n.T(s.apiCtx(r), "api_not_found"), nil)
}

func (s *Server) apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.apiError(w, r, http.StatusMethodNotAllowed, "method_not_allowed", i18n.T(s.apiCtx(r), "api_method_not_allowed"), nil)
}

// apiCtx is the request's context with a localizer, for answers given before apiAuth.
func (s *Server) apiCtx(r *http.Request) context.Context {
	ctx := r.Context()
	if i18n.From(ctx) == nil {
		ctx = i18n.WithLocalizer(ctx, s.I18n.Localizer(s.I18n.Match("", r.Header.Get("Accept-Language"))))
	}
	return ctx
}

// apiJSON writes v as the response body with status.
func (s *Server) apiJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.Log.Error("encode api response", "request_id", middleware.GetReqID(r.Context()), "err", err)
		http.Error(w, `{"error":{"code":"internal","message":"encode"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// apiErrorBody is every error's shape.
type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
	Current any               `json:"current,omitempty"` // a 409's object as it stands now
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, code, message string, fields map[string]string) {
	if fields == nil {
		fields = map[string]string{}
	}
	s.apiJSON(w, r, status, apiErrorBody{Error: apiErrorDetail{Code: code, Message: message, Fields: fields}})
}

// apiFail answers with err's status and translated message. current, when given, is
// the object as it stands now and goes with a 409. Only unexpected errors are logged.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error, current ...any) {
	ctx := s.apiCtx(r)
	var bad *apiBadRequest
	switch {
	case errors.As(err, &bad):
		s.apiError(w, r, http.StatusBadRequest, "bad_request", i18n.T(ctx, "api_bad_json", map[string]any{"Detail": bad.detail}), translateFields(ctx, bad.fields))
		return
	case isTooLarge(err):
		s.apiError(w, r, http.StatusRequestEntityTooLarge, "too_large", i18n.T(ctx, "api_too_large"), nil)
		return
	case spine.ClientGone(r.Context()):
		s.Abandoned(w, r, err)
		return
	case store.IsUnavailable(err) || spine.TimedOut(ctx):
		s.Log.Warn("database unavailable", "request_id", middleware.GetReqID(ctx), "err", err)
		w.Header().Set("Retry-After", "5")
		s.apiError(w, r, http.StatusServiceUnavailable, "unavailable", i18n.T(ctx, "api_unavailable"), nil)
		return
	}
	code := accord.ErrorCodeOf(err)
	status := spine.StatusOf(code)
	if code == accord.ECodeInternal {
		s.Log.Error("internal error", "request_id", middleware.GetReqID(ctx), "path", r.URL.Path, "err", err)
		s.apiError(w, r, status, string(code), i18n.T(ctx, "error_internal_body"), nil)
		return
	}
	if code == accord.ECodeUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord"`)
	}
	message := spine.RequestErrorText(ctx, err)
	if code == accord.ECodeNotFound {
		message = i18n.T(ctx, "api_not_found")
	}
	if code == accord.ECodeForbidden && spine.MessageID(err, "") == "" {
		message = i18n.T(ctx, "error_forbidden_body")
	}
	body := apiErrorBody{Error: apiErrorDetail{Code: string(code), Message: message,
		Fields: translateFields(ctx, accord.FieldErrors(err))}}
	if code == accord.ECodeConflict && len(current) > 0 {
		body.Error.Current = current[0]
	}
	s.apiJSON(w, r, status, body)
}

func translateFields(ctx context.Context, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for field, id := range fields {
		out[field] = i18n.T(ctx, id)
	}
	return out
}

func isTooLarge(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

// apiBadRequest is a body that is not JSON, or JSON of the wrong shape: 400.
type apiBadRequest struct {
	detail string
	fields map[string]string // field → message id
}

func (e *apiBadRequest) Error() string { return "api: bad request: " + e.detail }

// decodeJSON reads a request body into dst: one JSON object, no unknown fields.
func decodeJSON(r *http.Request, dst any) error {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		if isTooLarge(err) {
			return err
		}
		return &apiBadRequest{detail: "unreadable body"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return &apiBadRequest{detail: "one JSON object expected"}
		}
		return refuseBadText(raw) // the decoder would have stored U+FFFD in its place
	}
	if isTooLarge(err) {
		return err
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return &apiBadRequest{detail: "empty body"}
	case errors.As(err, &typeErr):
		// The version every change carries sits in an embedded struct, whose Go name
		// the decoder puts before the JSON one.
		field := strings.TrimPrefix(typeErr.Field, "sentVersion.")
		if field == "" {
			field = "body"
		}
		return &apiBadRequest{detail: fmt.Sprintf("%s must be %s", field, jsonTypeName(typeErr.Type.String())),
			fields: map[string]string{field: "api_wrong_type"}}
	case errors.As(err, &syntaxErr):
		return &apiBadRequest{detail: fmt.Sprintf("syntax error at byte %d", syntaxErr.Offset)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apiBadRequest{detail: "unknown field " + field, fields: map[string]string{field: "api_unknown_field"}}
	default:
		return &apiBadRequest{detail: "malformed JSON"}
	}
}

// jsonTypeName names a Go type as the JSON a client should send.
func jsonTypeName(goType string) string {
	switch {
	case strings.Contains(goType, "string"):
		return "a string"
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

// opt is a field of a patch: Set when the body names it, Value nil when it says null.
type opt[T any] struct {
	Set   bool
	Value *T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// apply sets *dst to the patch's value when the body names the field.
func (o opt[T]) apply(dst *T) {
	if o.Set && o.Value != nil {
		*dst = *o.Value
	}
}

// applyPtr sets *dst to the patch's value, or nil for null, when the body names it.
func (o opt[T]) applyPtr(dst **T) {
	if o.Set {
		*dst = o.Value
	}
}

// apiID formats an id as the API shows it: a string.
func apiID(id int64) string { return strconv.FormatInt(id, 10) }

func apiIDPtr(id *int64) *string {
	if id == nil {
		return nil
	}
	s := apiID(*id)
	return &s
}

// parseAPIID reads an id sent as a string; problems go to v under field.
func parseAPIID(raw *string, field string, v *accord.Validation) *int64 {
	if raw == nil {
		return nil
	}
	id, err := strconv.ParseInt(strings.TrimSpace(*raw), 10, 64)
	if err != nil || id <= 0 {
		v.Add(field, "api_id_invalid")
		return nil
	}
	return &id
}

// parseAPIDate reads a date sent as YYYY-MM-DD; problems go to v under field.
func parseAPIDate(raw *string, field string, v *accord.Validation) *time.Time {
	if raw == nil {
		return nil
	}
	d, ok := spine.ParseDate(strings.TrimSpace(*raw))
	if !ok {
		v.Add(field, "api_date_invalid")
		return nil
	}
	return d
}

// apiDate shows a stored date (midnight UTC) as YYYY-MM-DD.
func apiDate(d *time.Time) *string {
	if d == nil {
		return nil
	}
	s := d.UTC().Format(time.DateOnly)
	return &s
}

// requireVersion refuses a write that does not say which version it saw.
// sentVersion is the version a body says it was read at, which every change must
// carry (optimistic concurrency): embedded in each such body.
type sentVersion struct {
	Version *int `json:"version"`
}

func (v sentVersion) readAt() *int { return v.Version }

// decodeVersioned reads a change's body and refuses one without its version.
func decodeVersioned(r *http.Request, body interface{ readAt() *int }) error {
	if err := decodeJSON(r, body); err != nil {
		return err
	}
	return requireVersion(body.readAt())
}

func requireVersion(version *int) error {
	if version == nil {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
			Fields: map[string]string{"version": "api_version_required"}}
	}
	return nil
}

// apiPathID reads the {id} in the path; anything but a positive integer is not found.
func apiPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, accord.Errorf(accord.ECodeNotFound, "api_not_found", nil)
	}
	return id, nil
}

// apiPage is a page of a list: the offset behind an opaque cursor, and the size.
type apiPage struct {
	Offset, Limit int
}

const (
	apiDefaultLimit = 20
	apiMaxLimit     = 100
	apiMaxOffset    = 10_000_000
)

// readPage reads ?cursor= and ?limit=.
func readPage(r *http.Request) (apiPage, error) {
	p := apiPage{Limit: apiDefaultLimit}
	q := r.URL.Query()
	var v accord.Validation
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > apiMaxLimit {
			v.Add("limit", "api_limit_range")
		} else {
			p.Limit = n
		}
	}
	if raw := q.Get("cursor"); raw != "" {
		b, err := base64.RawURLEncoding.DecodeString(raw)
		var c struct {
			Offset int `json:"o"`
		}
		if err != nil || json.Unmarshal(b, &c) != nil || c.Offset < 0 || c.Offset > apiMaxOffset {
			v.Add("cursor", "api_cursor_invalid")
		} else {
			p.Offset = c.Offset
		}
	}
	return p, v.Err()
}

// nextCursor is the cursor of the page after p, or nil on the last page.
func (p apiPage) nextCursor(total int) *string {
	if p.Offset+p.Limit >= total {
		return nil
	}
	b, _ := json.Marshal(map[string]int{"o": p.Offset + p.Limit})
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}
