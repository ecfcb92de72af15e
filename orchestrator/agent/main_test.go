package agent

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"homelab/orchestrator/internal/shim"
	"homelab/orchestrator/internal/testenv"
)

func TestMain(m *testing.M) {
	shim.MaybeRun() // the test binary is also the shim of the workloads it starts
	os.Exit(m.Run())
}

// syncBuffer is the multiplexed log the tests read while the agent writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestManager starts a manager with its own root and cgroup parent, and registers the clean-up and the
// orphan check: nothing of the test may survive it.
func newTestManager(t *testing.T) (*Manager, *syncBuffer, Config) {
	t.Helper()
	root := testRunDir(t)
	m, log, cfg := startTestManager(t, root, "")
	return m, log, cfg
}

// testRunDir is a directory removed after the test. Not under /tmp: every workload's private /tmp would hide it
// anyway and mask the hide-files steps.
func testRunDir(t *testing.T) string {
	t.Helper()
	testenv.RequireIsolation(t)
	dir, err := os.MkdirTemp("/run", "orchestrator-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// newTestManagerAt starts a manager rooted at root that hides hide (a directory holding root and its peers').
func newTestManagerAt(t *testing.T, root, hide string) *Manager {
	t.Helper()
	m, _, _ := startTestManager(t, root, hide)
	return m
}

func startTestManager(t *testing.T, root, hide string) (*Manager, *syncBuffer, Config) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	cfg := Config{
		Root:         root,
		HideDir:      hide,
		CgroupParent: filepath.Join("orchestrator-test", fmt.Sprintf("%s-%s-%d", t.Name(), filepath.Base(root), time.Now().UnixNano())),
		ShimExe:      exe,
		Log:          log,
		Adopt:        true,
		StopGrace:    2 * time.Second,
		Backoff:      50 * time.Millisecond,
		BackoffMax:   400 * time.Millisecond,
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := removeParent(cfg.CgroupParent); err != nil {
			t.Errorf("remove cgroup parent: %v", err)
		}
		if o := testenv.Orphans(cfg.CgroupParent, cfg.Root); len(o) > 0 {
			t.Errorf("orphans after the test: %v", o)
		}
	})
	return m, log, cfg
}

// waitStatus polls until cond holds for the workload's status.
func waitStatus(t *testing.T, m *Manager, name string, timeout time.Duration, what string, cond func(Status) bool) Status {
	t.Helper()
	var last Status
	testenv.WaitFor(t, timeout, name+": "+what, func() bool {
		s, ok := m.Get(name)
		last = s
		return ok && cond(s)
	})
	return last
}
