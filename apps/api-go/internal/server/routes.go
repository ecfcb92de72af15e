package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/homelab/homelab/apps/api-go/internal/cache"
	"github.com/homelab/homelab/apps/api-go/internal/cursor"
	"github.com/homelab/homelab/apps/api-go/internal/faults"
	"github.com/homelab/homelab/apps/api-go/internal/identity"
	"github.com/homelab/homelab/apps/api-go/internal/jsonx"
	"github.com/homelab/homelab/apps/api-go/internal/notes"
	"github.com/homelab/homelab/apps/api-go/internal/problem"
	"github.com/homelab/homelab/apps/api-go/internal/validate"
)

// Route labels: the TypeScript API's Hono route patterns, so the SLO rules select the same series.
const (
	routeNote  = "/v1/notes/:id"
	routeNotes = "/v1/notes"
	routeV1    = "/v1/*"
)

func (s *Server) handle(pattern string, h func(*request)) {
	s.mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
		st := state(r)
		st.r = r
		h(st)
	})
}

func (s *Server) routes() {
	s.handle("GET /v1/notes/{id}", s.getNote)
	s.handle("GET /v1/notes", s.withIdentity(routeNotes, s.listNotes))
	s.handle("POST /v1/notes", s.withIdentity(routeNotes, s.createNote))
	s.handle("PATCH /v1/notes/{id}", s.withIdentity(routeNote, s.patchNote))
	s.handle("DELETE /v1/notes/{id}", s.withIdentity(routeNote, s.deleteNote))
	s.handle("/v1/notes", s.withIdentity(routeNotes, s.methodNotAllowed("GET, HEAD, POST")))
	s.handle("/v1/notes/{id}", s.withIdentity(routeNote, s.methodNotAllowed("GET, HEAD, PATCH, DELETE")))
	s.handle("/v1/", s.withIdentity(routeV1, s.notFound))
	s.handle("GET /healthz", s.route("/healthz", func(st *request) { writeJSON(st, 200, []byte(`{"status":"ok"}`)) }))
	s.handle("GET /readyz", s.route("/readyz", s.readyz))
	s.handle("GET /metrics", s.route("/metrics", func(st *request) { s.metricsH.ServeHTTP(st.w, st.r) }))
	s.handle("GET /openapi.json", s.route("/openapi.json", func(st *request) { writeJSON(st, 200, s.OpenAPI) }))
	s.handle("/admin/faults", s.route("/admin/faults", s.adminFaults))
	s.handle("/", s.notFound)
}

func (s *Server) route(label string, h func(*request)) func(*request) {
	return func(st *request) { st.route = label; h(st) }
}

func (s *Server) unauthorized(st *request) {
	s.fail(st, problem.New(401, "Unauthorized", "no valid identity: the "+identity.Header+" token is missing, forged or expired"))
}

// withIdentity is the `/v1/*` identity middleware: a 401 is labelled with its pattern, as Hono labels it.
func (s *Server) withIdentity(label string, h func(*request)) func(*request) {
	return func(st *request) {
		token, _ := header(st.r, identity.Header)
		st.owner = s.Verifier.Verify(token)
		if st.owner == "" {
			st.route = routeV1
			s.unauthorized(st)
			return
		}
		st.route = label
		if label == routeNote && st.r.PathValue("id") == "" {
			st.route = routeV1
			s.notFound(st)
			return
		}
		h(st)
	}
}

func (s *Server) methodNotAllowed(allow string) func(*request) {
	return func(st *request) {
		st.w.Header().Set("allow", allow)
		s.fail(st, problem.New(405, "Method Not Allowed", "allowed: "+allow))
	}
}

func schemaProblem(issues []validate.Issue) *problem.Error {
	arr := []byte{'['}
	for i, is := range issues {
		if i > 0 {
			arr = append(arr, ',')
		}
		arr = append(arr, jsonx.NewObject().String("path", is.Path).String("message", is.Message).Bytes()...)
	}
	arr = append(arr, ']')
	return problem.New(400, "Bad Request", "the request does not match the API schema", problem.Extra{Key: "errors", JSON: arr})
}

// getNote is the hot path: identity, UUID, cache, database.
func (s *Server) getNote(st *request) {
	st.route = routeNote
	token, _ := header(st.r, identity.Header)
	owner := s.Verifier.Verify(token)
	if owner == "" {
		s.unauthorized(st)
		return
	}
	id := st.r.PathValue("id")
	if id == "" {
		st.route = routeV1
		s.notFound(st)
		return
	}
	if issues := validate.ID(id); issues != nil {
		s.fail(st, schemaProblem(issues))
		return
	}
	ctx := st.r.Context()
	key := cache.Key(owner, id)
	if cached, ok := s.Cache.Get(ctx, key); ok {
		s.Metrics.CacheLookups.WithLabelValues("hit").Inc()
		writeJSON(st, 200, cached)
		return
	}
	s.Metrics.CacheLookups.WithLabelValues("miss").Inc()
	note, err := s.Repository.Get(ctx, owner, id)
	if errors.Is(err, notes.ErrMissing) {
		s.fail(st, problem.New(404, "Not Found", "no such note"))
		return
	}
	if err != nil {
		s.fail(st, err)
		return
	}
	body := note.JSON()
	s.Cache.Set(ctx, key, body)
	writeJSON(st, 200, body)
}

// queryParams is c.req.queries() in key order (empty keys dropped, as Hono's parser drops them).
func queryParams(rawQuery string) []validate.QueryParam {
	var out []validate.QueryParam
	index := map[string]int{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if k == "" {
			continue
		}
		if i, ok := index[k]; ok {
			out[i].Values = append(out[i].Values, v)
			continue
		}
		index[k] = len(out)
		out = append(out, validate.QueryParam{Key: k, Values: []string{v}})
	}
	return out
}

func unescapeQuery(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := urlQueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (s *Server) listNotes(st *request) {
	q, issues := validate.List(queryParams(st.r.URL.RawQuery))
	if issues != nil {
		s.fail(st, schemaProblem(issues))
		return
	}
	var after *cursor.Cursor
	if q.HasCursor {
		c, ok := cursor.Decode(q.Cursor)
		if !ok {
			s.fail(st, problem.New(400, "Bad Request", "the cursor is not one this API issued"))
			return
		}
		after = &c
	}
	list, next, err := s.Repository.List(st.r.Context(), st.owner, q.Limit, after)
	if err != nil {
		s.fail(st, err)
		return
	}
	body := []byte(`{"notes":[`)
	for i, n := range list {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, n.JSON()...)
	}
	body = append(body, `],"nextCursor":`...)
	if next != nil {
		body = jsonx.AppendString(body, cursor.Encode(*next))
	} else {
		body = append(body, "null"...)
	}
	writeJSON(st, 200, append(body, '}'))
}

var jsonRequest = regexp.MustCompile(`(?i)^application/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9\-]+=([^;]+))*$`)
var jsonMedia = regexp.MustCompile(`(?i)^application/([\w.-]+\+)?json$`)

// readJSON is the route's body validator: the media type gate (415), the guarded body (413, 408, cut off 400),
// JSON.parse (400 "Malformed JSON in request body").
func (s *Server) readJSON(st *request) (validate.Value, *problem.Error) {
	r := st.r
	contentType, hasType := header(r, "content-type")
	body, perr := readBody(st)
	if hasType && !jsonRequest.MatchString(contentType) || !hasType && len(body) > 0 {
		if perr != nil {
			return nil, perr
		}
		return nil, problem.New(415, "Unsupported Media Type", "Unsupported Media Type")
	}
	if perr != nil {
		return nil, perr
	}
	media := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	if !jsonMedia.MatchString(media) {
		return &validate.Object{Values: map[string]validate.Value{}}, nil
	}
	v, err := validate.Parse(body)
	if err != nil {
		return nil, problem.New(400, "Bad Request", "Malformed JSON in request body")
	}
	return v, nil
}

// readBody enforces the size limit while reading and the body deadline from the request head.
func readBody(st *request) ([]byte, *problem.Error) {
	r := st.r
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	rc := http.NewResponseController(st.w.ResponseWriter)
	deadline := time.Now().Add(BodyDeadline)
	_ = rc.SetReadDeadline(deadline)
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	switch {
	case len(data) > MaxBodyBytes:
		return nil, problem.New(413, "Content Too Large", "request bodies are limited to 65536 bytes")
	case err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || time.Now().After(deadline)):
		return nil, problem.New(408, "Request Timeout", "the request body did not arrive within 4000 ms")
	case err != nil:
		return nil, problem.New(400, "Bad Request", "the request body was cut off")
	}
	return data, nil
}

func (s *Server) createNote(st *request) {
	v, perr := s.readJSON(st)
	if perr != nil {
		s.fail(st, perr)
		return
	}
	input, issues := validate.Create(v)
	if issues != nil {
		s.fail(st, schemaProblem(issues))
		return
	}
	note, err := s.Repository.Create(st.r.Context(), st.owner, uuid.NewString(), input.Title, input.Body, s.now())
	if errors.Is(err, notes.ErrQuotaExceeded) {
		s.fail(st, problem.New(409, "Conflict", "note quota reached"))
		return
	}
	if err != nil {
		s.fail(st, err)
		return
	}
	st.w.Header().Set("location", "/v1/notes/"+note.ID)
	writeJSON(st, 201, note.JSON())
}

// now is at millisecond precision: what a JavaScript Date holds, so both implementations store the same values.
func (s *Server) now() time.Time { return s.Now().Truncate(time.Millisecond) }

var ifMatchPattern = regexp.MustCompile(`^(?:W/)?"?(\d{1,9})"?$`)

// parseIfMatch: missing 428, `*` any version, a version number, else 400.
func parseIfMatch(r *http.Request) (*int, *problem.Error) {
	h, ok := header(r, "if-match")
	if !ok {
		return nil, problem.New(428, "Precondition Required", `send If-Match: "<version>" (or * to overwrite any version)`)
	}
	h = strings.TrimFunc(h, func(c rune) bool { return c == ' ' || c == '\t' })
	if h == "*" {
		return nil, nil
	}
	m := ifMatchPattern.FindStringSubmatch(h)
	if m == nil {
		return nil, problem.New(400, "Bad Request", `If-Match must be a note version, e.g. "3"`)
	}
	n, _ := strconv.Atoi(m[1])
	return &n, nil
}

func (s *Server) patchNote(st *request) {
	id := st.r.PathValue("id")
	if issues := validate.ID(id); issues != nil {
		s.fail(st, schemaProblem(issues))
		return
	}
	v, perr := s.readJSON(st)
	if perr != nil {
		s.fail(st, perr)
		return
	}
	input, issues := validate.Patch(v)
	if issues != nil {
		s.fail(st, schemaProblem(issues))
		return
	}
	expected, perr := parseIfMatch(st.r)
	if perr != nil {
		s.fail(st, perr)
		return
	}
	ctx := st.r.Context()
	note, err := s.Repository.Update(ctx, st.owner, id, input.Title, input.Body, s.now(), expected)
	if err != nil && !errors.Is(err, notes.ErrMissing) && !errors.Is(err, notes.ErrConflict) {
		s.fail(st, err)
		return
	}
	// Invalidate after the write committed (ADR 0012).
	s.Cache.Delete(context.WithoutCancel(ctx), cache.Key(st.owner, id))
	switch {
	case errors.Is(err, notes.ErrMissing):
		s.fail(st, problem.New(404, "Not Found", "no such note"))
	case errors.Is(err, notes.ErrConflict):
		s.fail(st, problem.New(412, "Precondition Failed", "the note has a newer version"))
	default:
		writeJSON(st, 200, note.JSON())
	}
}

func (s *Server) deleteNote(st *request) {
	id := st.r.PathValue("id")
	if issues := validate.ID(id); issues != nil {
		s.fail(st, schemaProblem(issues))
		return
	}
	ctx := st.r.Context()
	err := s.Repository.Delete(ctx, st.owner, id)
	if err != nil && !errors.Is(err, notes.ErrMissing) {
		s.fail(st, err)
		return
	}
	s.Cache.Delete(context.WithoutCancel(ctx), cache.Key(st.owner, id))
	if err != nil {
		s.fail(st, problem.New(404, "Not Found", "no such note"))
		return
	}
	st.w.WriteHeader(204)
}

func (s *Server) readyz(st *request) {
	if s.draining.Load() {
		s.fail(st, problem.New(503, "Service Unavailable", "draining: shutting down"))
		return
	}
	ctx, cancel := context.WithTimeout(st.r.Context(), readinessTimeout)
	defer cancel()
	checks := jsonx.NewObject()
	ready := true
	if err := s.Ping(ctx); err != nil {
		ready = false
		checks.String("database", err.Error())
	} else {
		checks.String("database", "ok")
	}
	if msg := s.Faults.ReadinessError(); msg != "" {
		ready = false
		checks.String("faults", msg)
	} else {
		checks.String("faults", "ok")
	}
	if !ready {
		s.fail(st, problem.New(503, "Service Unavailable", "a dependency is not usable", problem.Extra{Key: "checks", JSON: checks.Bytes()}))
		return
	}
	writeJSON(st, 200, jsonx.NewObject().String("status", "ready").Raw("checks", checks.Bytes()).Bytes())
}

// adminFaults is the kit's fault admin API.
func (s *Server) adminFaults(st *request) {
	f := s.Faults
	if !f.Enabled {
		s.fail(st, &problem.Error{Status: 404, Title: "Not Found"})
		return
	}
	auth, _ := header(st.r, "authorization")
	if !f.Authorized(auth) {
		st.w.Header().Set("www-authenticate", `Bearer realm="admin"`)
		s.fail(st, problem.New(401, "Unauthorized", "a valid admin bearer token is required"))
		return
	}
	switch st.r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(st, 200, f.StatusJSON())
	case http.MethodPut:
		body, perr := readBody(st)
		if perr != nil {
			s.fail(st, perr)
			return
		}
		v, err := validate.Parse(body)
		if err != nil {
			s.fail(st, problem.New(400, "Bad Request", "the body must be JSON"))
			return
		}
		settings, issues := faults.Parse(v)
		if issues != nil {
			p := schemaProblem(issues)
			p.Detail = "invalid fault settings"
			s.fail(st, p)
			return
		}
		f.Set(settings)
		if settings.Crash {
			s.Log.Error("crash fault: exiting")
			// After the answer is on its way, so the drill sees its request acknowledged.
			time.AfterFunc(50*time.Millisecond, f.Crash)
		}
		writeJSON(st, 200, f.SettingsJSON())
	case http.MethodDelete:
		f.Set(faults.Defaults())
		st.w.WriteHeader(204)
	default:
		s.notFound(st)
	}
}
