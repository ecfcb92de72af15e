package agent

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"homelab/orchestrator/internal/cgroup"
)

// Spec is one workload the agent runs: a command with its environment, limits, checks and restart policy.
type Spec struct {
	Name    string   `json:"name"`
	Command []string `json:"command"`
	Env     []string `json:"env,omitempty"`
	Dir     string   `json:"dir,omitempty"`
	// User runs the workload as this uid:gid (0:0 = root). PostgreSQL refuses to run as root.
	UID uint32 `json:"uid,omitempty"`
	GID uint32 `json:"gid,omitempty"`
	// Volume names a directory under the agent's volume root that survives restarts; the workload finds its path
	// in $VOLUME_DIR and sees no other volume.
	Volume string        `json:"volume,omitempty"`
	Limits cgroup.Limits `json:"limits"`
	// Restart: "always" (default), "on-failure" or "never".
	Restart   string `json:"restart,omitempty"`
	Readiness *Probe `json:"readiness,omitempty"`
	Liveness  *Probe `json:"liveness,omitempty"`
	// PrivateNetwork gives the workload a network namespace of its own with only loopback; by default it shares
	// the node's (on an orchestrator node, the node's namespace on the bridge).
	PrivateNetwork bool `json:"privateNetwork,omitempty"`
}

// Probe is an HTTP GET (2xx/3xx passes) or a command run inside the workload's namespaces (exit 0 passes).
type Probe struct {
	HTTP             string   `json:"http,omitempty"`
	Exec             []string `json:"exec,omitempty"`
	PeriodMs         int      `json:"periodMs,omitempty"`
	TimeoutMs        int      `json:"timeoutMs,omitempty"`
	FailureThreshold int      `json:"failureThreshold,omitempty"`
	// InitialDelayMs delays a liveness check of a workload without a readiness check (with one, liveness
	// starts at the first ready).
	InitialDelayMs int `json:"initialDelayMs,omitempty"`
}

func (p *Probe) initialDelay() time.Duration {
	return time.Duration(p.InitialDelayMs) * time.Millisecond
}

func (p *Probe) period() time.Duration  { return msOr(p.PeriodMs, 200) }
func (p *Probe) timeout() time.Duration { return msOr(p.TimeoutMs, 1000) }
func (p *Probe) threshold() int {
	if p.FailureThreshold > 0 {
		return p.FailureThreshold
	}
	return 3
}

func msOr(ms, def int) time.Duration {
	if ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return time.Duration(def) * time.Millisecond
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,50}[a-z0-9])?$`)

// Validate names the first bad field, so a bad request gets a 4xx that says what to fix.
func (s Spec) Validate() error {
	var errs []error
	if !nameRE.MatchString(s.Name) {
		errs = append(errs, fmt.Errorf("name: %q is not a DNS label (lower-case letters, digits, '-')", s.Name))
	}
	if len(s.Command) == 0 || s.Command[0] == "" {
		errs = append(errs, errors.New("command: must name a program"))
	}
	if s.Volume != "" && !nameRE.MatchString(s.Volume) {
		errs = append(errs, fmt.Errorf("volume: %q is not a DNS label", s.Volume))
	}
	switch s.Restart {
	case "", "always", "on-failure", "never":
	default:
		errs = append(errs, fmt.Errorf("restart: %q is not always, on-failure or never", s.Restart))
	}
	if s.Limits.MemoryBytes < 0 || s.Limits.PidsMax < 0 || s.Limits.MilliCPU < 0 {
		errs = append(errs, errors.New("limits: must not be negative"))
	}
	for name, p := range map[string]*Probe{"readiness": s.Readiness, "liveness": s.Liveness} {
		if p != nil && (p.HTTP == "") == (len(p.Exec) == 0) {
			errs = append(errs, fmt.Errorf("%s: set exactly one of http and exec", name))
		}
	}
	return errors.Join(errs...)
}

// State is where a workload is in its life.
type State string

// The states a workload passes through.
const (
	Starting State = "starting" // started, readiness not yet passed
	Running  State = "running"  // ready (or no readiness check)
	Backoff  State = "backoff"  // exited, waiting to restart
	Exited   State = "exited"   // exited, not restarting (policy)
	Stopped  State = "stopped"  // stopped on request
)

// Exit is how a workload's last run ended.
type Exit struct {
	Code      int       `json:"code"` // -1: unknown (the process was adopted after an agent restart)
	OOMKilled bool      `json:"oomKilled"`
	At        time.Time `json:"at"`
	// Reason: "exited", "liveness" (killed after failing its liveness check), "oom", "stopped".
	Reason string `json:"reason"`
}

// Status is what the agent reports about one workload.
type Status struct {
	Name      string     `json:"name"`
	State     State      `json:"state"`
	Ready     bool       `json:"ready"`
	Pid       int        `json:"pid,omitempty"`
	Restarts  int        `json:"restarts"`
	OOMKills  int64      `json:"oomKills"`
	StartedAt time.Time  `json:"startedAt"`
	ReadyAt   *time.Time `json:"readyAt,omitempty"`
	LastExit  *Exit      `json:"lastExit,omitempty"`
	Adopted   bool       `json:"adopted,omitempty"`
	Spec      Spec       `json:"spec"`
}
