package agent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"homelab/orchestrator/internal/cgroup"
)

// runToExit runs a one-shot workload and returns its output and exit.
func runToExit(m *Manager, spec Spec) (string, *Exit, error) {
	spec.Restart = "never"
	if err := m.Apply(spec); err != nil {
		return "", nil, err
	}
	defer func() { _ = m.Remove(spec.Name) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, _ := m.Get(spec.Name)
		if s.State == Exited {
			b, _ := os.ReadFile(m.LogPath(spec.Name))
			return string(b), s.LastExit, nil
		}
		if time.Now().After(deadline) {
			return "", nil, fmt.Errorf("%s did not exit", spec.Name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isolationChecks each return an error when the isolation they probe is broken. They look at effects (what a
// workload can see or do), not at the mechanism, so removing any step must make at least one of them fail.
var isolationChecks = map[string]func(m *Manager) error{
	"pids": func(m *Manager) error {
		out, _, err := runToExit(m, sh("pids", fmt.Sprintf(
			`[ -e /proc/%d ] && echo SEES-AGENT; echo count $(ls /proc | grep -c '^[0-9]')`, os.Getpid())))
		if err != nil {
			return err
		}
		if strings.Contains(out, "SEES-AGENT") {
			return errors.New("a workload sees the agent's pid")
		}
		// The shim, the shell and the ls/grep pair: anything more is someone else's process.
		if n, _ := strconv.Atoi(strings.TrimSpace(regexp.MustCompile(`count (\d+)`).FindStringSubmatch(out + "count 999")[1])); n > 6 {
			return fmt.Errorf("a workload sees %d processes", n)
		}
		return nil
	},
	"files": func(m *Manager) error {
		owner := Spec{Name: "owner", Volume: "secret-vol", Command: []string{"/bin/sh", "-c", `echo s3cret > "$VOLUME_DIR/secret" && cat "$VOLUME_DIR/secret"`}}
		out, e, err := runToExit(m, owner)
		if err != nil || e.Code != 0 || !strings.Contains(out, "s3cret") {
			return fmt.Errorf("a workload cannot use its own volume: %v %+v %q", err, e, out)
		}
		snoop := fmt.Sprintf(`cat %s/secret %s/state.json 2>/dev/null && echo SEES-FILES; true`, m.VolumePath("secret-vol"), m.cfg.Root)
		out, _, err = runToExit(m, sh("snoop", snoop))
		if err != nil {
			return err
		}
		if strings.Contains(out, "SEES-FILES") || strings.Contains(out, "s3cret") {
			return errors.New("a workload reads another workload's volume and the agent's state")
		}
		return nil
	},
	"hostname": func(m *Manager) error {
		out, _, err := runToExit(m, sh("own-name", "hostname"))
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != "own-name" {
			return fmt.Errorf("a workload's hostname is %q, not its own name (it shares the node's)", strings.TrimSpace(out))
		}
		return nil
	},
	"ipc": func(m *Manager) error {
		before := sysvQueues()
		if _, _, err := runToExit(m, sh("ipc", "ipcmk -Q")); err != nil {
			return err
		}
		// A queue made in the workload's own ipc namespace vanished with it; a new one here leaked out.
		var leaked []string
		for id := range sysvQueues() {
			if !before[id] {
				leaked = append(leaked, id)
				_ = exec.Command("ipcrm", "-q", id).Run()
			}
		}
		if len(leaked) > 0 {
			return fmt.Errorf("a workload's SysV message queue %v is visible outside it", leaked)
		}
		return nil
	},
	"network": func(m *Manager) error {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		port := l.Addr().(*net.TCPAddr).Port
		spec := Spec{Name: "private-net", PrivateNetwork: true, Command: []string{"/bin/bash", "-c",
			fmt.Sprintf(`(echo > /dev/tcp/127.0.0.1/%d) 2>/dev/null && echo SEES-NODE-NET; ip -o link | grep -vc ' lo:'`, port)}}
		out, _, err := runToExit(m, spec)
		if err != nil {
			return err
		}
		if strings.Contains(out, "SEES-NODE-NET") {
			return errors.New("a workload with a private network reaches a listener on the node's loopback")
		}
		return nil
	},
	"memory-limit": func(m *Manager) error {
		spec := Spec{Name: "hog", Command: []string{hostPython, "-c", "b = b'x' * (128 << 20)"},
			Limits: cgroup.Limits{MemoryBytes: 32 << 20}}
		_, e, err := runToExit(m, spec)
		if err != nil {
			return err
		}
		if !e.OOMKilled {
			return fmt.Errorf("a workload allocated 128 MiB under a 32 MiB limit (exit %+v)", e)
		}
		return nil
	},
}

func TestIsolation(t *testing.T) {
	m, _, _ := newTestManager(t)
	for name, check := range isolationChecks {
		t.Run(name, func(t *testing.T) {
			if err := check(m); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestIsolationMutants removes each isolation step in turn and requires the checks to notice: a step no check
// catches is a step the tests do not really cover.
func TestIsolationMutants(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP (visible): -short skips the mutation run (8 mutants)")
	}
	m, _, _ := newTestManager(t)
	for _, step := range AllSteps {
		t.Run(step, func(t *testing.T) {
			undo := skipStep(step)
			defer undo()
			var caught []string
			for name, check := range isolationChecks {
				if err := check(m); err != nil {
					caught = append(caught, name+": "+err.Error())
				}
			}
			if len(caught) == 0 {
				t.Fatalf("removing %s broke no isolation check", step)
			}
			t.Logf("removing %s is caught by %v", step, caught)
		})
	}
}

// sysvQueues are the ids of the SysV message queues of the test's ipc namespace.
func sysvQueues() map[string]bool {
	out := map[string]bool{}
	b, _ := os.ReadFile("/proc/sysvipc/msg")
	for i, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); i > 0 && len(f) > 1 {
			out[f[1]] = true
		}
	}
	return out
}
