package cgroup_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/testenv"
)

// TestCreateWritesEachHierarchysFiles: the limits land in the files each version reads, with its value syntax
// (v2 cpu.max is "quota period", swap is switched off, every ancestor delegates the controllers). A temporary
// directory stands in for the cgroup filesystem, so the v2 path is checked on this v1 host; no root needed.
func TestCreateWritesEachHierarchysFiles(t *testing.T) {
	limits := cgroup.Limits{MemoryBytes: 64 << 20, PidsMax: 32, MilliCPU: 250}
	cases := []struct {
		version int
		want    map[string]string // path below the root -> content
	}{
		{2, map[string]string{
			"cgroup.subtree_control":         "+memory +pids +cpu",
			"orch/cgroup.subtree_control":    "+memory +pids +cpu",
			"orch/n1/cgroup.subtree_control": "+memory +pids +cpu",
			"orch/n1/web/memory.max":         "67108864",
			"orch/n1/web/memory.swap.max":    "0",
			"orch/n1/web/pids.max":           "32",
			"orch/n1/web/cpu.max":            "25000 100000",
		}},
		{1, map[string]string{
			"memory/orch/n1/web/memory.limit_in_bytes": "67108864",
			"pids/orch/n1/web/pids.max":                "32",
			"cpu/orch/n1/web/cpu.cfs_period_us":        "100000",
			"cpu/orch/n1/web/cpu.cfs_quota_us":         "25000",
		}},
	}
	for _, tc := range cases {
		t.Run(map[int]string{1: "v1", 2: "v2"}[tc.version], func(t *testing.T) {
			root := t.TempDir()
			if err := cgroup.NewAt(root, "orch/n1/web", tc.version).Create(limits); err != nil {
				t.Fatal(err)
			}
			for path, want := range tc.want {
				b, err := os.ReadFile(filepath.Join(root, path))
				if err != nil || string(b) != want {
					t.Errorf("%s = %q (%v), want %q", path, b, err, want)
				}
			}
			if tc.version == 1 {
				if _, err := os.Stat(filepath.Join(root, "freezer/orch/n1/web")); err != nil {
					t.Errorf("no freezer group (the v1 kill needs it): %v", err)
				}
			}
		})
	}
}

// TestV2KillStopsAForkingTreeAndRemovesTheGroup runs the v2 code for real on this host's cgroup2 mount (it holds
// no limit controllers here, but cgroup.procs, cgroup.kill and removal are the v2 kernel's): a tree that ignores
// SIGTERM and forks after joining is killed at once through cgroup.kill, and the group is removed.
func TestV2KillStopsAForkingTreeAndRemovesTheGroup(t *testing.T) {
	testenv.RequireIsolation(t)
	// A hybrid host (this one) mounts cgroup2 beside the v1 controllers; a v2-only host mounts it at the root.
	unified := filepath.Join(cgroup.Root, "unified")
	if cgroup.Version() == 2 {
		unified = cgroup.Root
	}
	if _, err := os.Stat(filepath.Join(unified, "cgroup.procs")); err != nil {
		t.Skipf("SKIP (visible): no cgroup2 mount at %s", unified)
	}
	g := cgroup.NewAt(unified, filepath.Join("orchestrator-test", "v2-"+strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")), 2)
	if err := os.MkdirAll(filepath.Join(unified, g.Rel), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = g.Remove()
		_ = os.Remove(filepath.Join(unified, "orchestrator-test"))
	})
	cmd := exec.Command("/bin/sh", "-c", `trap "" TERM; read go; for i in 1 2 3; do sleep 300 & done; echo forked; wait`)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	if err := g.Add(cmd.Process.Pid); err != nil {
		_ = cmd.Process.Kill()
		t.Fatal(err)
	}
	// The children are forked only now, inside the group.
	_, _ = io.WriteString(in, "go\n")
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "forked\n" {
		t.Fatalf("tree did not fork: %q %v", line, err)
	}
	go func() { exited <- cmd.Wait() }()
	pids, err := g.Pids()
	if err != nil || len(pids) < 4 {
		t.Fatalf("group holds %v (%v), want the shell and its 3 children", pids, err)
	}
	if err := g.Kill(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if left, _ := g.Pids(); len(left) > 0 {
		t.Fatalf("left after cgroup.kill: %v", left)
	}
	if err := <-exited; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the shell ended with %v, want killed", err)
	}
	for _, pid := range pids {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err == nil {
			if b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")); !strings.Contains(string(b), ") Z ") {
				t.Errorf("process %d of the tree still exists", pid)
			}
		}
	}
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	if g.Exists() {
		t.Fatal("the group's directory is still there")
	}
}
