// Package metrics registers the series the TypeScript services expose, with the same names, labels and buckets,
// so the SLO rules, dashboards, status page and canary gate read either implementation unchanged.
package metrics

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// DurationBuckets is httpDurationBuckets in @homelab/platform (slos.ts): every latency SLO threshold is a bucket.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10}

var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// Metrics is the app's own registry and series.
type Metrics struct {
	Registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	inFlight     atomic.Int64
	CacheErrors  *prometheus.CounterVec
	CacheLookups *prometheus.CounterVec
}

// New registers everything; service names the help texts like the TypeScript kit does.
func New(service, version, commit string) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	m := &Metrics{Registry: reg}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "HTTP requests answered by " + service + ", by method, matched route pattern and status",
	}, []string{"method", "route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Time from request to response in " + service + "; buckets include every latency SLO threshold",
		Buckets: DurationBuckets,
	}, []string{"method", "route", "status"})
	inFlight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "http_requests_in_flight", Help: "Requests being handled right now",
	}, func() float64 { return float64(m.inFlight.Load()) })
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "build_info", Help: "Always 1; the labels tell which build (stable or canary) is running",
	}, []string{"version", "commit"})
	build.WithLabelValues(version, commit).Set(1)
	m.CacheErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cache_errors_total",
		Help: "Cache calls that failed and were answered from PostgreSQL instead, by operation",
	}, []string{"operation"})
	m.CacheLookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cache_lookups_total", Help: "Note reads by id, by cache result (hit or miss)",
	}, []string{"result"})
	reg.MustRegister(m.requests, m.duration, inFlight, build, m.CacheErrors, m.CacheLookups)
	return m
}

// Started and Finished keep http_requests_in_flight.
func (m *Metrics) Started()  { m.inFlight.Add(1) }
func (m *Metrics) Finished() { m.inFlight.Add(-1) }

// Observe counts one answered request; unknown methods are `other` so they cannot grow the label set.
func (m *Metrics) Observe(method, route string, status int, seconds float64) {
	if !knownMethods[method] {
		method = "other"
	}
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, s).Inc()
	m.duration.WithLabelValues(method, route, s).Observe(seconds)
}
