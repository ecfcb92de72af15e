package agent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/shim"
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

// isoEnv is two agents whose roots are siblings under one run directory, like the nodes of a cluster.
type isoEnv struct {
	m, peer *Manager
}

func newIsoEnv(t *testing.T) isoEnv {
	run := testRunDir(t)
	// Traversable like a cluster's /run/orchestrator/<run> (MkdirTemp makes 0700, which alone would stop uid 65534).
	if err := os.Chmod(run, 0o755); err != nil {
		t.Fatal(err)
	}
	return isoEnv{m: newTestManagerAt(t, filepath.Join(run, "n1"), run), peer: newTestManagerAt(t, filepath.Join(run, "n2"), run)}
}

// isolationChecks each return an error when the isolation they probe is broken. They look at effects (what a
// workload can see or do), not at the mechanism, so removing any step must make at least one of them fail.
var isolationChecks = map[string]func(e isoEnv) error{
	"pids": func(e isoEnv) error {
		m := e.m
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
	"files": func(e isoEnv) error {
		m := e.m
		owner := Spec{Name: "owner", Volume: "secret-vol", Command: []string{"/bin/sh", "-c", `echo s3cret > "$VOLUME_DIR/secret" && cat "$VOLUME_DIR/secret"`}}
		out, x, err := runToExit(m, owner)
		if err != nil || x.Code != 0 || !strings.Contains(out, "s3cret") {
			return fmt.Errorf("a workload cannot use its own volume: %v %+v %q", err, x, out)
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
	"hostname": func(e isoEnv) error {
		m := e.m
		out, _, err := runToExit(m, sh("own-name", "hostname"))
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != "own-name" {
			return fmt.Errorf("a workload's hostname is %q, not its own name (it shares the node's)", strings.TrimSpace(out))
		}
		return nil
	},
	"ipc": func(e isoEnv) error {
		m := e.m
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
	"network": func(e isoEnv) error {
		m := e.m
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
	"memory-limit": func(e isoEnv) error {
		m := e.m
		spec := Spec{Name: "hog", Command: []string{hostPython, "-c", "b = b'x' * (128 << 20)"},
			Limits: cgroup.Limits{MemoryBytes: 32 << 20}}
		_, x, err := runToExit(m, spec)
		if err != nil {
			return err
		}
		if !x.OOMKilled {
			return fmt.Errorf("a workload allocated 128 MiB under a 32 MiB limit (exit %+v)", x)
		}
		return nil
	},
	// cross-node-files: a workload on n1 running as the uid every platform app shares (65534) must neither read
	// nor write the volume of a workload on n2, nor list n2's root.
	"cross-node-files": func(e isoEnv) error {
		owner := Spec{Name: "peer-owner", Volume: "peer-vol", UID: 65534, GID: 65534,
			Command: []string{"/bin/sh", "-c", `echo s3cret > "$VOLUME_DIR/secret"`}}
		if _, x, err := runToExit(e.peer, owner); err != nil || x.Code != 0 {
			return fmt.Errorf("a workload on the peer cannot write its own volume: %v %+v", err, x)
		}
		vol := e.peer.VolumePath("peer-vol")
		snoop := Spec{Name: "cross-snoop", UID: 65534, GID: 65534, Command: []string{"/bin/sh", "-c", fmt.Sprintf(
			`cat %[1]s/secret 2>/dev/null; ls %[2]s >/dev/null 2>&1 && echo SEES-PEER-ROOT; `+
				`(echo planted > %[1]s/planted) 2>/dev/null && echo WROTE-PEER-VOLUME; true`, vol, e.peer.cfg.Root)}}
		out, _, err := runToExit(e.m, snoop)
		if err != nil {
			return err
		}
		if strings.Contains(out, "s3cret") || strings.Contains(out, "SEES-PEER-ROOT") || strings.Contains(out, "WROTE-PEER-VOLUME") {
			return fmt.Errorf("a workload on one node sees another node's files: %q", strings.TrimSpace(out))
		}
		return nil
	},
	// pids-limit: with pids.max 32 (the shim's own threads count too), 64 forks must not all succeed.
	"pids-limit": func(e isoEnv) error {
		prog := `import os, time
kids, failed = [], 0
for _ in range(64):
    try:
        pid = os.fork()
    except OSError:
        failed += 1
        continue
    if pid == 0:
        time.sleep(5)
        os._exit(0)
    kids.append(pid)
for k in kids:
    os.kill(k, 9)
    os.waitpid(k, 0)
print("forked", len(kids), "failed", failed)`
		spec := Spec{Name: "forker", Command: []string{hostPython, "-c", prog}, Limits: cgroup.Limits{PidsMax: 32}}
		out, _, err := runToExit(e.m, spec)
		if err != nil {
			return err
		}
		f := regexp.MustCompile(`forked (\d+) failed (\d+)`).FindStringSubmatch(out)
		if f == nil {
			return fmt.Errorf("forker printed no result: %q", out)
		}
		if f[2] == "0" {
			return fmt.Errorf("a workload forked %s children under pids.max 32 without one failure", f[1])
		}
		return nil
	},
	// cpu-limit: a 1 s busy loop under a 200 millicore quota is throttled by the kernel (cpu.stat nr_throttled)
	// and gets at most about a fifth of a core: the bound below only fails when the quota does not bite.
	"cpu-limit": func(e isoEnv) error {
		prog := `import time
t = time.monotonic()
while time.monotonic() - t < 1.0:
    pass
cpu = time.process_time()
path = [l.split(":")[2] for l in open("/proc/self/cgroup").read().split("\n") if l.split(":")[1:2] in (["cpu"], ["cpu,cpuacct"], [""])][0]
stat = dict(l.split() for l in open("/sys/fs/cgroup/cpu" + path + "/cpu.stat") if l.strip())
print("cpu %.3f throttled %s" % (cpu, stat["nr_throttled"]))`
		spec := Spec{Name: "spinner", Command: []string{hostPython, "-c", prog}, Limits: cgroup.Limits{MilliCPU: 200}}
		out, _, err := runToExit(e.m, spec)
		if err != nil {
			return err
		}
		f := regexp.MustCompile(`cpu ([0-9.]+) throttled (\d+)`).FindStringSubmatch(out)
		if f == nil {
			return fmt.Errorf("spinner printed no result: %q", out)
		}
		cpu, _ := strconv.ParseFloat(f[1], 64)
		if f[2] == "0" || cpu > 0.5 {
			return fmt.Errorf("a 1 s busy loop under a 200m CPU quota used %.3f s of CPU and was throttled %s times", cpu, f[2])
		}
		return nil
	},
}

// catcher is the check that must catch each removed step: "some check failed" is not enough, since an unrelated
// failure under load would then count as the step being covered.
var catcher = map[string]string{
	StepPIDNamespace:   "pids",
	StepMountNamespace: "files",
	StepProc:           "pids",
	StepHideFiles:      "files",
	StepUTSNamespace:   "hostname",
	StepIPCNamespace:   "ipc",
	StepNetNamespace:   "network",
	StepCgroup:         "memory-limit",
	StepHideRunRoot:    "cross-node-files",
	StepPidsLimit:      "pids-limit",
	StepCPULimit:       "cpu-limit",
}

func TestIsolation(t *testing.T) {
	e := newIsoEnv(t)
	for name, check := range isolationChecks {
		t.Run(name, func(t *testing.T) {
			if err := check(e); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestIsolationMutants removes each isolation step in turn and requires the checks to notice: a step no check
// catches is a step the tests do not really cover.
func TestIsolationMutants(t *testing.T) {
	if testing.Short() {
		t.Skipf("SKIP (visible): -short skips the mutation run (%d mutants)", len(AllSteps))
	}
	e := newIsoEnv(t)
	for _, step := range AllSteps {
		t.Run(step, func(t *testing.T) {
			undo := skipStep(step)
			defer undo()
			caught := map[string]string{}
			for name, check := range isolationChecks {
				if err := check(e); err != nil {
					caught[name] = err.Error()
				}
			}
			if _, ok := caught[catcher[step]]; !ok {
				t.Fatalf("removing %s is not caught by %q (caught by: %v)", step, catcher[step], caught)
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

// TestNoMountsWithoutAMountNamespace: whatever step is removed, a shim without a mount namespace of its own does
// no mount at all, not even making / private (that would change the host's propagation, which no orphan check
// sees). Pure: no root needed.
func TestNoMountsWithoutAMountNamespace(t *testing.T) {
	for _, step := range append([]string{""}, AllSteps...) {
		undo := skipStep(step)
		c := shim.Config{}
		shimSteps(&c, Spec{PrivateNetwork: true})
		own := cloneFlags(Spec{PrivateNetwork: true})&unix.CLONE_NEWNS != 0
		undo()
		if !own && (c.PrivateMounts || c.MountProc || c.PrivateTmp || c.Hide) {
			t.Errorf("without %s: no mount namespace, yet the shim would mount: %+v", step, c)
		}
		if own && !c.PrivateMounts {
			t.Errorf("without %s: a mount namespace whose mounts are not made private: %+v", step, c)
		}
	}
}
