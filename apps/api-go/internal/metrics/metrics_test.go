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
	m.Observe("GET", "/v1/notes/:id", 200, 0.004)
	m.Observe("BREW", "unmatched", 404, 0.3)
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
