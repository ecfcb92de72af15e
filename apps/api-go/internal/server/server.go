// Package server is the Go API's HTTP side: the service kit's front door (request id and traceparent, access log
// and RED metrics, security headers, body limit, request timeout, fault injection, problem+json errors), the
// probes, /metrics, the faults admin API and the notes routes, on net/http's pattern router.
package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/homelab/homelab/apps/api-go/internal/cache"
	"github.com/homelab/homelab/apps/api-go/internal/faults"
	"github.com/homelab/homelab/apps/api-go/internal/identity"
	"github.com/homelab/homelab/apps/api-go/internal/metrics"
	"github.com/homelab/homelab/apps/api-go/internal/notes"
	"github.com/homelab/homelab/apps/api-go/internal/problem"
)

// The platform's HTTP facts (packages/platform/src/http.ts).
const (
	MaxBodyBytes     = 64 * 1024
	BodyDeadline     = 4 * time.Second
	RequestTimeout   = 5 * time.Second
	requestIDHeader  = "x-request-id"
	readinessTimeout = 2 * time.Second
)

// securityHeaders is securityHeaderValues in the service kit, keys canonicalised once.
var securityHeaders = canonical([][2]string{
	{"x-content-type-options", "nosniff"},
	{"x-frame-options", "DENY"},
	{"referrer-policy", "no-referrer"},
	{"cross-origin-opener-policy", "same-origin"},
	{"cross-origin-resource-policy", "same-origin"},
	{"strict-transport-security", "max-age=15552000; includeSubDomains"},
	{"x-dns-prefetch-control", "off"},
	{"x-permitted-cross-domain-policies", "none"},
})

func canonical(pairs [][2]string) [][2]string {
	for i := range pairs {
		pairs[i][0] = http.CanonicalHeaderKey(pairs[i][0])
	}
	return pairs
}

// Deps are what the server needs.
type Deps struct {
	Log        *slog.Logger
	AccessLog  bool
	Metrics    *metrics.Metrics
	Repository *notes.Repository
	// Ping checks the database for /readyz.
	Ping     func(context.Context) error
	Cache    cache.Cache
	Verifier *identity.Verifier
	Faults   *faults.Faults
	OpenAPI  []byte
	// Now is the clock for created/updated times (default time.Now).
	Now func() time.Time
}

// Server is an http.Handler.
type Server struct {
	Deps
	mux      *http.ServeMux
	draining atomic.Bool
	metricsH http.Handler
}

// New wires the routes.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{Deps: d, mux: http.NewServeMux()}
	s.metricsH = promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{})
	s.routes()
	return s
}

// BeginDrain: readiness answers 503 and every later answer carries Connection: close.
func (s *Server) BeginDrain() { s.draining.Store(true) }

// Draining reports whether BeginDrain ran.
func (s *Server) Draining() bool { return s.draining.Load() }

// request is one request's state, handed to the handlers.
type request struct {
	r         *http.Request
	w         *responseWriter
	path      string
	requestID string
	route     string
	owner     string
}

type ctxKey struct{}

func state(r *http.Request) *request { return r.Context().Value(ctxKey{}).(*request) }

// responseWriter records the status for the access log and metrics, and marks every answer started after the
// drain began with Connection: close (in-flight ones included), so no client reuses a socket about to close.
// (http.Server.SetKeepAlivesEnabled(false) would instead close idle keep-alive connections at once, resetting a
// client whose next request is already on the wire: measured in drain.test.ts.)
type responseWriter struct {
	http.ResponseWriter
	status   int
	draining *atomic.Bool
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if w.draining.Load() {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)
var traceparentPattern = regexp.MustCompile(`^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$`)

// trace is requestTrace: the caller's trace id when its traceparent is valid, a new span every time.
func trace(traceparent, incomingID string) (requestID, traceID, spanID string) {
	// math/rand/v2's per-thread ChaCha8: ids need to be unique, not secret, and a getrandom call per request
	// showed in the cache-hit profile.
	var buf [24]byte
	binary.LittleEndian.PutUint64(buf[0:], rand.Uint64())
	binary.LittleEndian.PutUint64(buf[8:], rand.Uint64())
	binary.LittleEndian.PutUint64(buf[16:], rand.Uint64())
	traceID = hex.EncodeToString(buf[:16])
	spanID = hex.EncodeToString(buf[16:])
	if m := traceparentPattern.FindStringSubmatch(strings.TrimSpace(traceparent)); m != nil &&
		m[1] != "ff" && !(m[1] == "00" && m[5] != "") && m[2] != strings.Repeat("0", 32) && m[3] != strings.Repeat("0", 16) {
		traceID = m[2]
	}
	requestID = traceID
	if incomingID != "" && requestIDPattern.MatchString(incomingID) {
		requestID = incomingID
	}
	return requestID, traceID, spanID
}

func header(r *http.Request, name string) (string, bool) {
	v := r.Header.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return strings.Join(v, ", "), true
}

var bodyless = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true}

func isExempt(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || strings.HasPrefix(path, "/admin/")
}

// ServeHTTP is the front door.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.Metrics.Started()
	defer s.Metrics.Finished()
	incoming, _ := header(r, requestIDHeader)
	tp, _ := header(r, "traceparent")
	requestID, traceID, spanID := trace(tp, incoming)
	h := w.Header()
	for _, kv := range securityHeaders {
		h[kv[0]] = []string{kv[1]}
	}
	h.Set(requestIDHeader, requestID)
	raw := r.URL.EscapedPath()
	if i := strings.IndexByte(r.RequestURI, '?'); r.RequestURI != "" && r.RequestURI[0] == '/' {
		if i >= 0 {
			raw = r.RequestURI[:i]
		} else {
			raw = r.RequestURI
		}
	}
	rw := &responseWriter{ResponseWriter: w, draining: &s.draining}
	st := &request{w: rw, path: honoPath(raw), requestID: requestID, route: "/*"}
	ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), ctxKey{}, st), RequestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	st.r = r
	s.dispatch(st)
	if rw.status == 0 {
		if ctx.Err() != nil {
			s.fail(st, problem.New(504, "Gateway Timeout", "the request did not complete within 5000 ms"))
		} else {
			rw.WriteHeader(http.StatusOK)
		}
	}
	seconds := time.Since(start).Seconds()
	route := st.route
	if rw.status == 404 && (route == "*" || route == "/*") {
		route = "unmatched"
	}
	// The API trusts the tag as the TypeScript one does: only the gateway reaches it, and the gateway removes the
	// tag from every caller but the load-test identity (ADR 0130).
	s.Metrics.Observe(r.Method, route, rw.status, seconds, r.Header.Get(metrics.SyntheticHeader) == metrics.SyntheticValue)
	if s.AccessLog {
		// Query strings can carry tokens and bodies anything: neither is logged.
		s.Log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("requestId", requestID),
			slog.String("traceId", traceID), slog.String("spanId", spanID), slog.String("method", r.Method),
			slog.String("path", st.path), slog.String("route", route), slog.Int("status", rw.status),
			slog.Float64("durationMs", float64(time.Since(start).Microseconds())/1000))
	}
}

func (s *Server) dispatch(st *request) {
	r := st.r
	if !bodyless[r.Method] && r.ContentLength > MaxBodyBytes {
		s.fail(st, problem.New(413, "Content Too Large", "request bodies are limited to 65536 bytes"))
		return
	}
	if s.Faults.Active() && !isExempt(st.path) {
		if s.Faults.Apply(r.Context()) {
			s.fail(st, problem.New(500, "Internal Server Error", "injected fault", problem.Extra{Key: "fault", JSON: []byte(`"error"`)}))
			return
		}
		if r.Context().Err() != nil {
			return
		}
	}
	// Paths with empty segments match no route (the mux would redirect them to a cleaned path instead).
	if strings.Contains(st.path, "//") {
		s.notFound(st)
		return
	}
	// Dot segments are resolved first (as the URL parser does for the TypeScript API), not redirected.
	if escaped := r.URL.EscapedPath(); removeDotSegments(escaped) != escaped {
		u := *r.URL
		u.RawPath = removeDotSegments(escaped)
		u.Path, _ = url.PathUnescape(u.RawPath)
		r.URL = &u
		st.r = r
	}
	s.mux.ServeHTTP(st.w, r)
}

// notFound is the kit's notFound handler.
func (s *Server) notFound(st *request) {
	s.fail(st, problem.New(404, "Not Found", "no route for "+st.r.Method+" "+st.path))
}

// fail answers a problem; anything that is not one is logged and answered 500 (or 503/504, see errorProblem).
func (s *Server) fail(st *request, err error) {
	var p *problem.Error
	if !errors.As(err, &p) {
		p = s.errorProblem(st, err)
	}
	if p.Status >= 500 && p.Status != 503 && p.Status != 504 {
		s.Log.Warn(p.Title, "requestId", st.requestID, "err", err.Error())
	}
	problem.Write(st.w, p, st.path, st.requestID)
}

func (s *Server) errorProblem(st *request, err error) *problem.Error {
	switch {
	case st.r.Context().Err() != nil && errors.Is(err, context.DeadlineExceeded):
		return problem.New(504, "Gateway Timeout", "the request did not complete within 5000 ms")
	case notes.Unavailable(err):
		return problem.New(503, "Service Unavailable", "the notes database is unavailable; retry shortly",
			problem.Extra{Key: "retryAfterSeconds", JSON: []byte("2")})
	}
	s.Log.Error("unhandled error", "requestId", st.requestID, "err", err.Error())
	return &problem.Error{Status: 500, Title: "Internal Server Error"}
}

func writeJSON(st *request, status int, body []byte) {
	st.w.Header().Set("content-type", "application/json")
	st.w.WriteHeader(status)
	_, _ = st.w.Write(body)
}
