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

// The canary gate's synthetic-traffic tag and label (canaryGate.synthetic and syntheticTrafficLabel in
// @homelab/platform, ADR 0130): the user-facing SLO rules leave traffic="synthetic" out, the gate counts it.
const (
	SyntheticHeader     = "x-homelab-synthetic"
	SyntheticValue      = "1"
	TrafficLabel        = "traffic"
	SyntheticLabelValue = "synthetic"
)

var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// Metrics is the app's own registry and series.
type Metrics struct {
	Registry *prometheus.Registry
	// User traffic has no traffic label at all and synthetic load has traffic="synthetic", as the TypeScript
	// kit writes them (it leaves an empty label out): two vectors per name, exposed by one unchecked collector,
	// because a registry's checked collectors must keep one label set per name.
	requests, syntheticRequests *prometheus.CounterVec
	duration, syntheticDuration *prometheus.HistogramVec
	inFlight                    atomic.Int64
	CacheErrors                 *prometheus.CounterVec
	CacheLookups                *prometheus.CounterVec
}

// New registers everything; service names the help texts like the TypeScript kit does.
func New(service, version, commit string) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	m := &Metrics{Registry: reg}
	requestsOpts := prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "HTTP requests answered by " + service + ", by method, matched route pattern and status",
	}
	durationOpts := prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Time from request to response in " + service + "; buckets include every latency SLO threshold",
		Buckets: DurationBuckets,
	}
	labels := []string{"method", "route", "status"}
	synthetic := append(append([]string{}, labels...), TrafficLabel)
	m.requests = prometheus.NewCounterVec(requestsOpts, labels)
	m.syntheticRequests = prometheus.NewCounterVec(requestsOpts, synthetic)
	m.duration = prometheus.NewHistogramVec(durationOpts, labels)
	m.syntheticDuration = prometheus.NewHistogramVec(durationOpts, synthetic)
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
	reg.MustRegister(unchecked{m.requests, m.syntheticRequests, m.duration, m.syntheticDuration},
		inFlight, build, m.CacheErrors, m.CacheLookups)
	return m
}

// Started and Finished keep http_requests_in_flight.
func (m *Metrics) Started()  { m.inFlight.Add(1) }
func (m *Metrics) Finished() { m.inFlight.Add(-1) }

// Observe counts one answered request; unknown methods are `other` so they cannot grow the label set.
// synthetic: the canary gate's tagged load, labelled traffic="synthetic".
func (m *Metrics) Observe(method, route string, status int, seconds float64, synthetic bool) {
	if !knownMethods[method] {
		method = "other"
	}
	s := strconv.Itoa(status)
	if synthetic {
		m.syntheticRequests.WithLabelValues(method, route, s, SyntheticLabelValue).Inc()
		m.syntheticDuration.WithLabelValues(method, route, s, SyntheticLabelValue).Observe(seconds)
		return
	}
	m.requests.WithLabelValues(method, route, s).Inc()
	m.duration.WithLabelValues(method, route, s).Observe(seconds)
}

// unchecked exposes collectors whose series share a name but not a label set. It describes nothing, so the
// registry does not require one label set per name; the gatherer still refuses duplicate series.
type unchecked []prometheus.Collector

func (u unchecked) Describe(chan<- *prometheus.Desc) {}

func (u unchecked) Collect(ch chan<- prometheus.Metric) {
	for _, c := range u {
		c.Collect(ch)
	}
}
