// Package testenv holds what the orchestrator's tests share: the check that this machine can run isolated
// workloads (a visible skip locally, a failure under CI=true) and the orphan check every test ends with.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/shim"
)

// RequireIsolation skips (locally, with a notice) or fails (CI=true) when the test cannot create namespaces and
// cgroups: it needs root, pid/mount/uts/ipc/net namespaces and a writable cgroup tree.
func RequireIsolation(t testing.TB) {
	t.Helper()
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "not root"
	default:
		if out, err := exec.Command("unshare", "--pid", "--mount", "--uts", "--ipc", "--net", "--fork", "true").CombinedOutput(); err != nil {
			why = fmt.Sprintf("cannot create namespaces: %v: %s", err, out)
		} else if _, err := os.Stat(cgroup.Root); err != nil {
			why = "no cgroup filesystem"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and this machine cannot run isolated workloads: %s", why)
	}
	t.Skipf("SKIP (visible): isolated workloads need root and namespaces here: %s", why)
}

// Orphans lists what a run left behind: shim processes tagged with owner or an owner below it (a cluster's
// agents tag theirs orchestrator/<run>/<node>, and the run's check asks for orchestrator/<run>), cgroups under
// owner, mounts under root. Tests assert it is empty after cleaning up.
func Orphans(owner, root string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if tag, ok := strings.CutPrefix(kv, shim.OwnerEnv+"="); ok && (tag == owner || strings.HasPrefix(tag, owner+"/")) {
				out = append(out, "process "+filepath.Base(filepath.Dir(p)))
			}
		}
	}
	for _, d := range cgroup.Leftovers(owner) {
		out = append(out, "cgroup "+d)
	}
	if root != "" {
		if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], root) {
					out = append(out, "mount "+f[4])
				}
			}
		}
	}
	return out
}

// WaitFor polls cond until it holds or the (generous, load-tolerant) timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
