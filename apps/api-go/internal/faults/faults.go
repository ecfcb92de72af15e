// Package faults is the drills' fault injection, with the service kit's admin API (GET|PUT|DELETE /admin/faults,
// a bearer ADMIN_TOKEN, 404 unless FAULTS_ENABLED) and the same settings: latency, errors, a memory leak, failing
// readiness and a crash.
package faults

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	"github.com/homelab/homelab/apps/api-go/internal/jsonx"
	"github.com/homelab/homelab/apps/api-go/internal/validate"
)

// Settings mirrors faultSettingsSchema.
type Settings struct {
	LatencyMs        int
	LatencyRatio     float64
	ErrorRatio       float64
	LeakMbPerSecond  float64
	ReadinessFailure bool
	Crash            bool
}

// Defaults: everything off.
func Defaults() Settings { return Settings{LatencyRatio: 1} }

// JSON in the schema's key order.
func (s Settings) object() *jsonx.Object {
	return jsonx.NewObject().Int("latencyMs", int64(s.LatencyMs)).Number("latencyRatio", s.LatencyRatio).
		Number("errorRatio", s.ErrorRatio).Number("leakMbPerSecond", s.LeakMbPerSecond).
		Bool("readinessFailure", s.ReadinessFailure).Bool("crash", s.Crash)
}

// Faults holds the current settings; safe for concurrent use.
type Faults struct {
	Enabled  bool
	expected [32]byte
	hasToken bool
	mu       sync.Mutex
	current  Settings
	leak     [][]byte
	stopLeak chan struct{}
	random   func() float64
	// Crash ends the process (exit 70); tests replace it.
	Crash func()
}

// New refuses enabled faults without a token (the config check makes that unreachable in practice).
func New(enabled bool, adminToken string, crash func()) *Faults {
	f := &Faults{Enabled: enabled, current: Defaults(), random: rand.Float64, Crash: crash}
	if adminToken != "" {
		f.expected = sha256.Sum256([]byte(adminToken))
		f.hasToken = true
	}
	return f
}

var bearer = regexp.MustCompile(`(?i)^bearer +(\S+) *$`)

// Authorized is adminBearer: digests compared in constant time.
func (f *Faults) Authorized(header string) bool {
	m := bearer.FindStringSubmatch(header)
	if m == nil || !f.hasToken {
		return false
	}
	got := sha256.Sum256([]byte(m[1]))
	return subtle.ConstantTimeCompare(got[:], f.expected[:]) == 1
}

// Current returns a copy.
func (f *Faults) Current() Settings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current
}

// Active: a latency or error fault is set.
func (f *Faults) Active() bool {
	s := f.Current()
	return s.LatencyMs > 0 || s.ErrorRatio > 0
}

// StatusJSON is GET /admin/faults: the settings plus leakedMb.
func (f *Faults) StatusJSON() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current.object().Number("leakedMb", float64(len(f.leak))*f.current.LeakMbPerSecond).Bytes()
}

// SettingsJSON is PUT's answer.
func (f *Faults) SettingsJSON() []byte { return f.Current().object().Bytes() }

// Set replaces the settings and restarts the leak.
func (f *Faults) Set(s Settings) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.current = s
	if f.stopLeak != nil {
		close(f.stopLeak)
		f.stopLeak = nil
	}
	f.leak = nil
	if s.LeakMbPerSecond > 0 {
		stop := make(chan struct{})
		f.stopLeak = stop
		bytes := int(s.LeakMbPerSecond * 1024 * 1024)
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					b := make([]byte, bytes)
					// Touch every page so the memory is resident and counts against the container's limit.
					for i := range b {
						b[i] = 1
					}
					f.mu.Lock()
					if f.stopLeak == stop {
						f.leak = append(f.leak, b)
					}
					f.mu.Unlock()
				}
			}
		}()
	}
}

// Close stops the leak.
func (f *Faults) Close() { f.Set(Defaults()) }

// ReadinessError is the readiness check's answer ("" when fine).
func (f *Faults) ReadinessError() string {
	if f.Current().ReadinessFailure {
		return "readiness failure injected"
	}
	return ""
}

// Apply runs the latency fault and reports whether the error fault hits this request.
func (f *Faults) Apply(ctx context.Context) (injectError bool) {
	s := f.Current()
	if s.LatencyMs > 0 && f.random() < s.LatencyRatio {
		t := time.NewTimer(time.Duration(s.LatencyMs) * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}
	return s.ErrorRatio > 0 && f.random() < s.ErrorRatio
}

// Parse validates a PUT body like faultSettingsSchema (strict, with defaults).
func Parse(v validate.Value) (Settings, []validate.Issue) {
	s := Defaults()
	o, ok := v.(*validate.Object)
	if !ok {
		return s, []validate.Issue{{Path: "", Message: "Invalid input: expected object, received " + typeOf(v)}}
	}
	var issues []validate.Issue
	num := func(key string, lo, hi float64, integer bool, dst *float64) {
		raw, present := o.Values[key]
		if !present {
			return
		}
		n, isNum := raw.(float64)
		switch {
		case !isNum:
			issues = append(issues, validate.Issue{Path: key, Message: "Invalid input: expected number, received " + typeOf(raw)})
		case integer && n != float64(int64(n)):
			issues = append(issues, validate.Issue{Path: key, Message: "Invalid input: expected int, received number"})
		case n < lo:
			issues = append(issues, validate.Issue{Path: key, Message: "Too small: expected number to be >=" + string(jsonx.AppendNumber(nil, lo))})
		case n > hi:
			issues = append(issues, validate.Issue{Path: key, Message: "Too big: expected number to be <=" + string(jsonx.AppendNumber(nil, hi))})
		default:
			*dst = n
		}
	}
	flag := func(key string, dst *bool) {
		raw, present := o.Values[key]
		if !present {
			return
		}
		b, isBool := raw.(bool)
		if !isBool {
			issues = append(issues, validate.Issue{Path: key, Message: "Invalid input: expected boolean, received " + typeOf(raw)})
			return
		}
		*dst = b
	}
	latency := 0.0
	num("latencyMs", 0, 60_000, true, &latency)
	num("latencyRatio", 0, 1, false, &s.LatencyRatio)
	num("errorRatio", 0, 1, false, &s.ErrorRatio)
	num("leakMbPerSecond", 0, 512, false, &s.LeakMbPerSecond)
	flag("readinessFailure", &s.ReadinessFailure)
	flag("crash", &s.Crash)
	s.LatencyMs = int(latency)
	var extra []string
	for _, k := range o.Keys {
		switch k {
		case "latencyMs", "latencyRatio", "errorRatio", "leakMbPerSecond", "readinessFailure", "crash":
		default:
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		issues = append(issues, validate.Unrecognized(extra))
	}
	return s, issues
}

func typeOf(v validate.Value) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case validate.String:
		return "string"
	case []validate.Value:
		return "array"
	}
	return "object"
}
