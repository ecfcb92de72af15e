// Package server is the orchestrator's control plane: a REST API over a persisted desired and actual state
// with a watch, a controller that schedules instances onto nodes and drives their agents, a storage manager
// (volumes pinned to nodes, an explicit stop -> copy -> start migration) and a network manager (service
// discovery: a name resolves to the healthy endpoints, a TCP proxy per service on the run's bridge).
package server

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"homelab/orchestrator/agent"
	"homelab/orchestrator/scheduler"
)

// Kind says how the orchestrator treats a workload's instances when their node goes away.
type Kind string

const (
	// Stateless instances are interchangeable: lost with their node, replaced on another.
	Stateless Kind = "stateless"
	// Stateful has one instance bound to its volume's node: it waits for that node or an explicit migrate.
	Stateful Kind = "stateful"
)

// Workload is the desired state of one workload.
type Workload struct {
	Name      string              `json:"name"`
	Kind      Kind                `json:"kind"`
	Replicas  int                 `json:"replicas"`
	Port      int                 `json:"port,omitempty"` // what it listens on; exposed as a service when set
	Resources scheduler.Resources `json:"resources"`
	// Template is the agent spec of every instance; Name is set per instance, Volume to the workload's volume.
	// Env values may hold {{service:NAME}}, replaced by the service's address when an instance is created.
	Template agent.Spec `json:"template"`
	Volume   string     `json:"volume,omitempty"`
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$`)

// Validate names the first bad field.
func (w Workload) Validate() error {
	var errs []error
	if !dnsLabel.MatchString(w.Name) {
		errs = append(errs, fmt.Errorf("name: %q is not a DNS label", w.Name))
	}
	switch w.Kind {
	case Stateless:
		if w.Volume != "" {
			errs = append(errs, errors.New("volume: a stateless workload has no volume (make it stateful)"))
		}
	case Stateful:
		if w.Replicas != 1 {
			errs = append(errs, fmt.Errorf("replicas: a stateful workload has exactly 1, not %d", w.Replicas))
		}
		if !dnsLabel.MatchString(w.Volume) {
			errs = append(errs, fmt.Errorf("volume: %q is not a DNS label", w.Volume))
		}
	default:
		errs = append(errs, fmt.Errorf("kind: %q is not stateless or stateful", w.Kind))
	}
	if w.Replicas < 0 || w.Replicas > 100 {
		errs = append(errs, fmt.Errorf("replicas: %d is not in 0..100", w.Replicas))
	}
	if w.Port < 0 || w.Port > 65535 {
		errs = append(errs, fmt.Errorf("port: %d is not a port", w.Port))
	}
	if w.Resources.MilliCPU < 0 || w.Resources.MemoryBytes < 0 {
		errs = append(errs, errors.New("resources: must not be negative"))
	}
	t := w.Template
	t.Name = w.Name + "-0"
	if err := t.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("template: %w", err))
	}
	return errors.Join(errs...)
}

// Node is a registered node and what the controller last heard from it.
type Node struct {
	Name          string              `json:"name"`
	IP            string              `json:"ip"`
	AgentURL      string              `json:"agentUrl"`
	Capacity      scheduler.Resources `json:"capacity"`
	Ready         bool                `json:"ready"`
	LastHeartbeat time.Time           `json:"lastHeartbeat"`
}

// Instance is one running copy of a workload, assigned to a node.
type Instance struct {
	Name     string    `json:"name"`
	Workload string    `json:"workload"`
	Node     string    `json:"node"`
	Ready    bool      `json:"ready"`
	State    string    `json:"state"` // the agent's state, "unknown" while its node is not ready
	Created  time.Time `json:"created"`
	ReadyAt  time.Time `json:"readyAt"`
	// Spec is the resolved agent spec sent to the node.
	Spec agent.Spec `json:"spec"`
}

// Volume is where a stateful workload's data lives.
type Volume struct {
	Name string `json:"name"`
	Node string `json:"node"`
}

// Service is a workload's stable address and its healthy endpoints.
type Service struct {
	Name      string   `json:"name"`
	Address   string   `json:"address"` // gateway-ip:port on the run's bridge
	Endpoints []string `json:"endpoints"`
}

// Condition explains why a workload is not what it should be (for example "no node fits").
type Condition struct {
	Workload string    `json:"workload"`
	Message  string    `json:"message"`
	Since    time.Time `json:"since"`
}

// Event is one change, as the watch streams it.
type Event struct {
	Rev    int64  `json:"rev"`
	Type   string `json:"type"` // "workload", "instance", "node", "volume", "service", "condition"
	Name   string `json:"name"`
	Action string `json:"action"` // "put", "delete"
	Detail string `json:"detail,omitempty"`
}
