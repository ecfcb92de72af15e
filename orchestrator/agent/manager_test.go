package agent

import (
	"os"
	"strings"
	"testing"
	"time"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/testenv"
)

func sh(name, script string) Spec {
	return Spec{Name: name, Command: []string{"/bin/sh", "-c", script}}
}

func TestStopKillsTheWholeTreeAndTheAgentStaysOutOfTheCgroup(t *testing.T) {
	m, _, _ := newTestManager(t)
	// A tree: the shell, two background children, and a grandchild that ignores SIGTERM.
	spec := sh("tree", `trap "" TERM; sleep 1000 & sleep 1000 & sh -c 'trap "" TERM; sleep 1000' & wait`)
	if err := m.Apply(spec); err != nil {
		t.Fatal(err)
	}
	g, _ := m.Group("tree")
	var pids []int
	testenv.WaitFor(t, 10*time.Second, "five processes in the cgroup", func() bool {
		pids, _ = g.Pids()
		return len(pids) >= 5
	})
	self, _ := os.ReadFile("/proc/self/cgroup")
	if strings.Contains(string(self), g.Rel) {
		t.Fatalf("the agent is in its workload's cgroup %s:\n%s", g.Rel, self)
	}
	start := time.Now()
	if err := m.Remove("tree"); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped a tree that ignores SIGTERM in %s", time.Since(start))
	for _, pid := range pids {
		if startTicks(pid) != 0 {
			t.Errorf("process %d of the tree survived the stop", pid)
		}
	}
	if g.Exists() {
		t.Errorf("cgroup %s still exists after the stop", g.Rel)
	}
}

func TestRestartsWithExponentialBackoff(t *testing.T) {
	m, _, _ := newTestManager(t)
	if err := m.Apply(sh("crasher", "exit 3")); err != nil {
		t.Fatal(err)
	}
	s := waitStatus(t, m, "crasher", 10*time.Second, "3 restarts", func(s Status) bool { return s.Restarts >= 3 })
	if s.LastExit == nil || s.LastExit.Code != 3 || s.LastExit.Reason != "exited" {
		t.Fatalf("last exit = %+v, want code 3, reason exited", s.LastExit)
	}
	// With 50 ms doubling to a 400 ms cap, 1.5 s more hold at most 50+100+200+400+400+400 ms of delays: a
	// restart loop without back-off would restart dozens of times.
	before := s.Restarts
	time.Sleep(1500 * time.Millisecond)
	s, _ = m.Get("crasher")
	if d := s.Restarts - before; d < 1 || d > 6 {
		t.Fatalf("%d restarts in 1.5 s; the back-off should allow 1 to 6", d)
	}
}

func TestRestartPolicyNeverLeavesItExited(t *testing.T) {
	m, _, _ := newTestManager(t)
	spec := sh("once", "exit 0")
	spec.Restart = "never"
	if err := m.Apply(spec); err != nil {
		t.Fatal(err)
	}
	s := waitStatus(t, m, "once", 10*time.Second, "exited", func(s Status) bool { return s.State == Exited })
	if s.Restarts != 0 || s.LastExit.Code != 0 {
		t.Fatalf("status %+v, want no restart and code 0", s)
	}
}

func TestReadinessAndLivenessChecks(t *testing.T) {
	m, _, _ := newTestManager(t)
	spec := sh("checked", "sleep 0.3; touch /tmp/ready; sleep 1; touch /tmp/dead; sleep 1000")
	spec.Readiness = &Probe{Exec: []string{"test", "-f", "/tmp/ready"}, PeriodMs: 100}
	spec.Liveness = &Probe{Exec: []string{"test", "!", "-f", "/tmp/dead"}, PeriodMs: 100, FailureThreshold: 2}
	if err := m.Apply(spec); err != nil {
		t.Fatal(err)
	}
	s := waitStatus(t, m, "checked", 10*time.Second, "ready", func(s Status) bool { return s.Ready })
	if s.ReadyAt.Sub(s.StartedAt) < 250*time.Millisecond {
		t.Fatalf("ready after %s, before the file the check looks for existed", s.ReadyAt.Sub(s.StartedAt))
	}
	s = waitStatus(t, m, "checked", 15*time.Second, "killed by liveness and restarted",
		func(s Status) bool { return s.Restarts >= 1 && s.LastExit != nil })
	if s.LastExit.Reason != "liveness" {
		t.Fatalf("last exit %+v, want reason liveness", s.LastExit)
	}
	// The restarted run has a fresh private /tmp, so it is not ready until it writes the file again.
	waitStatus(t, m, "checked", 10*time.Second, "ready again", func(s Status) bool { return s.Ready && s.Restarts >= 1 })
}

func TestOOMKillIsReportedFromTheKernelCounter(t *testing.T) {
	m, _, _ := newTestManager(t)
	spec := Spec{Name: "hog", Command: []string{hostPython, "-c", "b = b'x' * (256 << 20)"}, Restart: "never",
		Limits: cgroup.Limits{MemoryBytes: 48 << 20}}
	if err := m.Apply(spec); err != nil {
		t.Fatal(err)
	}
	s := waitStatus(t, m, "hog", 20*time.Second, "exited", func(s Status) bool { return s.State == Exited })
	if !s.LastExit.OOMKilled || s.OOMKills < 1 || s.LastExit.Reason != "oom" {
		t.Fatalf("status %+v (exit %+v), want an OOM kill reported", s, s.LastExit)
	}
	g, _ := m.Group("hog")
	if limit, err := g.MemoryLimit(); err != nil || limit != 48<<20 {
		t.Fatalf("memory limit read back %d (%v), want %d", limit, err, 48<<20)
	}
}

func TestAgentRestartAdoptsRunningWorkloads(t *testing.T) {
	m, _, cfg := newTestManager(t)
	if err := m.Apply(sh("survivor", "sleep 1000")); err != nil {
		t.Fatal(err)
	}
	s := waitStatus(t, m, "survivor", 10*time.Second, "running", func(s Status) bool { return s.Pid > 0 })
	m.Detach() // the agent "crashes": its workloads keep running
	m2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m2.Shutdown() })
	s2 := waitStatus(t, m2, "survivor", 10*time.Second, "adopted", func(s Status) bool { return s.Pid > 0 })
	if !s2.Adopted || s2.Pid != s.Pid {
		t.Fatalf("after the agent restart: %+v, want pid %d adopted", s2, s.Pid)
	}
	// Killing the adopted process (not the new agent's child) is noticed through its pidfd and restarts it.
	g, _ := m2.Group("survivor")
	if err := g.Kill(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, m2, "survivor", 10*time.Second, "restarted by the new agent",
		func(s Status) bool { return s.Pid > 0 && s.Pid != s2.Pid })
}

func TestAgentRestartInCleanModeStopsLeftovers(t *testing.T) {
	m, _, cfg := newTestManager(t)
	if err := m.Apply(sh("leftover", "sleep 1000")); err != nil {
		t.Fatal(err)
	}
	s := waitStatus(t, m, "leftover", 10*time.Second, "running", func(s Status) bool { return s.Pid > 0 })
	g, _ := m.Group("leftover")
	m.Detach()
	cfg.Adopt = false
	m2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(m2.List()) != 0 || startTicks(s.Pid) != 0 || g.Exists() {
		t.Fatalf("clean start left %v, pid %d alive=%v, cgroup=%v", m2.List(), s.Pid, startTicks(s.Pid) != 0, g.Exists())
	}
}

func TestLogsAreMultiplexedWithPrefixes(t *testing.T) {
	m, log, _ := newTestManager(t)
	for _, n := range []string{"alpha", "beta"} {
		if err := m.Apply(sh(n, "echo hello from $HOSTNAME; sleep 1000")); err != nil {
			t.Fatal(err)
		}
	}
	testenv.WaitFor(t, 10*time.Second, "both prefixed lines", func() bool {
		l := log.String()
		return strings.Contains(l, "alpha | hello from alpha\n") && strings.Contains(l, "beta | hello from beta\n")
	})
}

func TestBadSpecNamesTheField(t *testing.T) {
	cases := []struct {
		spec Spec
		want string
	}{
		{Spec{Name: "Bad_Name", Command: []string{"x"}}, "name:"},
		{Spec{Name: "ok"}, "command:"},
		{Spec{Name: "ok", Command: []string{"x"}, Restart: "sometimes"}, "restart:"},
		{Spec{Name: "ok", Command: []string{"x"}, Readiness: &Probe{}}, "readiness:"},
		{Spec{Name: "ok", Command: []string{"x"}, Volume: "../etc"}, "volume:"},
	}
	for _, c := range cases {
		err := c.spec.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want an error naming %q", c.spec, err, c.want)
		}
	}
	if err := (Spec{Name: "fine", Command: []string{"true"}}).Validate(); err != nil {
		t.Errorf("a good spec was refused: %v", err)
	}
}

// hostPython is Debian's interpreter by absolute path: workloads start with an empty environment, where a
// version manager's shim on PATH (pyenv's, on the build machines) cannot find its Python and exits 1.
const hostPython = "/usr/bin/python3"
