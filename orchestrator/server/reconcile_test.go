package server

import (
	"errors"
	"strings"
	"testing"
	"time"

	"homelab/orchestrator/agent"
	"homelab/orchestrator/scheduler"
)

func testState() State {
	s := newState()
	for _, n := range []string{"n1", "n2", "n3"} {
		s.Nodes[n] = Node{Name: n, IP: "127.0.0.1", Ready: true, Capacity: scheduler.Resources{MilliCPU: 1000, MemoryBytes: 1 << 30}}
	}
	tpl := agent.Spec{Command: []string{"sleep", "1000"}}
	s.Workloads["web"] = Workload{Name: "web", Kind: Stateless, Replicas: 2, Port: 3000, Template: tpl,
		Resources: scheduler.Resources{MilliCPU: 100, MemoryBytes: 64 << 20}}
	s.Workloads["db"] = Workload{Name: "db", Kind: Stateful, Replicas: 1, Port: 5432, Volume: "db", Template: tpl,
		Resources: scheduler.Resources{MilliCPU: 100, MemoryBytes: 64 << 20}}
	return s
}

func placement(s State, workload string) map[string]int {
	out := map[string]int{}
	for _, in := range s.Instances {
		if in.Workload == workload {
			out[in.Node]++
		}
	}
	return out
}

func TestScheduleSpreadsStatelessAndPinsStateful(t *testing.T) {
	s := testState()
	schedule(&s, nil, time.Now())
	if p := placement(s, "web"); len(p) != 2 {
		t.Fatalf("web placed %v, want one per node", p)
	}
	dbNode := ""
	for n := range placement(s, "db") {
		dbNode = n
	}
	if s.Volumes["db"].Node != dbNode || dbNode == "" {
		t.Fatalf("db on %q, volume on %q", dbNode, s.Volumes["db"].Node)
	}
	// The db's node goes away: web is replaced elsewhere, db waits with a reason and does not move.
	n := s.Nodes[dbNode]
	n.Ready = false
	s.Nodes[dbNode] = n
	evs := schedule(&s, nil, time.Now())
	if p := placement(s, "web"); p[dbNode] != 0 || p[""] != 0 || sum(p) != 2 {
		t.Fatalf("web after losing %s: %v", dbNode, p)
	}
	if p := placement(s, "db"); p[dbNode] != 1 {
		t.Fatalf("db moved without its volume: %v", p)
	}
	if msg := s.Conditions["db"].Message; !strings.Contains(msg, "waiting for node "+dbNode) {
		t.Fatalf("db condition %q", msg)
	}
	if len(evs) == 0 {
		t.Fatal("no events for the replacement")
	}
	// Back again: the condition clears.
	n.Ready = true
	s.Nodes[dbNode] = n
	schedule(&s, nil, time.Now())
	if _, ok := s.Conditions["db"]; ok {
		t.Fatalf("condition kept after the node returned: %+v", s.Conditions["db"])
	}
}

func TestScheduleSaysWhyNothingFits(t *testing.T) {
	s := testState()
	w := s.Workloads["web"]
	w.Replicas = 4 // one port per node: the fourth cannot fit
	s.Workloads["web"] = w
	schedule(&s, nil, time.Now())
	msg := s.Conditions["web"].Message
	for _, n := range []string{"n1: port 3000 in use", "n2: port 3000 in use", "n3: port 3000 in use"} {
		if !strings.Contains(msg, n) {
			t.Fatalf("condition %q does not say %q", msg, n)
		}
	}
}

func TestObserveMarksNodesNotReadyOnlyAfterTheTimeout(t *testing.T) {
	s := testState()
	now := time.Now()
	for n, node := range s.Nodes {
		node.LastHeartbeat = now
		s.Nodes[n] = node
	}
	down := map[string]nodeReport{"n1": {err: errors.New("refused")}, "n2": {}, "n3": {}}
	observe(&s, down, now.Add(time.Second), 3*time.Second)
	if !s.Nodes["n1"].Ready {
		t.Fatal("n1 not ready after one missed heartbeat")
	}
	observe(&s, down, now.Add(4*time.Second), 3*time.Second)
	if s.Nodes["n1"].Ready {
		t.Fatal("n1 still ready after the timeout")
	}
}

func TestResolveFillsServiceAddresses(t *testing.T) {
	s := testState()
	s.Services["db"] = Service{Name: "db", Address: "10.0.0.1:4000"}
	w := s.Workloads["web"]
	w.Template.Env = []string{"DATABASE_URL=postgres://u@{{service:db}}/x"}
	spec := resolve(&s, w, "web-7")
	if spec.Name != "web-7" || spec.Env[0] != "DATABASE_URL=postgres://u@10.0.0.1:4000/x" {
		t.Fatalf("resolved %+v", spec)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
