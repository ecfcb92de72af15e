package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestSeriesNamesAndLabels(t *testing.T) {
	m := New("api", "1.2.3", "abc")
	m.Observe("GET", "/v1/notes/:id", 200, 0.004, false)
	m.Observe("BREW", "unmatched", 404, 0.3, false)
	m.CacheLookups.WithLabelValues("hit").Inc()
	m.Started()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`http_requests_total{method="GET",route="/v1/notes/:id",status="200"} 1`,
		`http_requests_total{method="other",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_bucket{method="GET",route="/v1/notes/:id",status="200",le="0.005"} 1`,
		`http_request_duration_seconds_bucket{method="other",route="unmatched",status="404",le="0.3"} 1`,
		`http_request_duration_seconds_bucket{method="other",route="unmatched",status="404",le="0.25"} 0`,
		`build_info{commit="abc",version="1.2.3"} 1`,
		`cache_lookups_total{result="hit"} 1`,
		`http_requests_in_flight 1`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %s", want)
		}
	}
}

// The canary gate's synthetic load (ADR 0130) gets traffic="synthetic", as the TypeScript kit labels it; every
// other series has no traffic label at all (not traffic=""), so both implementations expose the same lines.
func TestSyntheticTrafficLabel(t *testing.T) {
	m := New("api", "1.2.3", "abc")
	m.Observe("GET", "/v1/notes", 200, 0.004, true)
	m.Observe("GET", "/v1/notes", 200, 0.004, true)
	m.Observe("GET", "/v1/notes", 200, 0.004, false)
	m.Observe("GET", "/v1/notes", 500, 0.6, true)
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, tc := range []struct {
		name, line string
		want       bool
	}{
		{"synthetic count", `http_requests_total{method="GET",route="/v1/notes",status="200",traffic="synthetic"} 2`, true},
		{"user count without the label", `http_requests_total{method="GET",route="/v1/notes",status="200"} 1`, true},
		{"synthetic error", `http_requests_total{method="GET",route="/v1/notes",status="500",traffic="synthetic"} 1`, true},
		{"synthetic bucket", `http_request_duration_seconds_bucket{method="GET",route="/v1/notes",status="500",traffic="synthetic",le="0.5"} 0`, true},
		{"user bucket", `http_request_duration_seconds_bucket{method="GET",route="/v1/notes",status="200",le="0.005"} 1`, true},
		{"no empty label", `traffic=""`, false},
	} {
		if strings.Contains(text, tc.line) != tc.want {
			t.Errorf("%s: %s present=%v, want %v\n%s", tc.name, tc.line, !tc.want, tc.want, text)
		}
	}
}
