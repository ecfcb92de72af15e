package testenv

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"

	"homelab/orchestrator/internal/shim"
)

// TestOrphansFindsProcessesOfTheOwnerAndBelowIt: a cluster's shims carry orchestrator/<run>/<node> while the
// run's check asks for orchestrator/<run>; an exact match alone made that check unable to ever fail. No root
// needed: it only reads /proc.
func TestOrphansFindsProcessesOfTheOwnerAndBelowIt(t *testing.T) {
	owner := "orchestrator-testenv/" + strconv.Itoa(os.Getpid())
	cases := []struct {
		name, tag string
		found     bool
	}{
		{"exact owner", owner, true},
		{"a node below the owner", owner + "/n1", true},
		{"a sibling whose name starts alike", owner + "0/n1", false},
		{"the owner's parent", "orchestrator-testenv", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sleep", "30")
			cmd.Env = []string{shim.OwnerEnv + "=" + tc.tag}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			got := slices.Contains(Orphans(owner, ""), "process "+strconv.Itoa(cmd.Process.Pid))
			if got != tc.found {
				t.Fatalf("process tagged %q: reported %v, want %v (Orphans(%q) = %v)", tc.tag, got, tc.found, owner, Orphans(owner, ""))
			}
		})
	}
}
