// Command orch-bench measures the orchestrator against the goals and prints them beside the anchors'
// published figures (Nomad's and Kubernetes'), with a bare fork/exec measured in the same run as the reference
// for the process-manager numbers (the cost of isolation is the ratio). Needs root and namespaces.
//
//	go run ./cmd/orch-bench            # full run
//	go run ./cmd/orch-bench -smoke     # (or BENCH_SMOKE=1) a few samples of each, for CI
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"homelab/orchestrator/agent"
	"homelab/orchestrator/cli"
	"homelab/orchestrator/cluster"
	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/shim"
	"homelab/orchestrator/scheduler"
	"homelab/orchestrator/server"
)

const cliArg = "__orchestrator_cli"

type row struct {
	metric, value, goal, anchor, ref string
}

func main() {
	shim.MaybeRun()
	if len(os.Args) > 1 && os.Args[1] == cliArg {
		os.Exit(cli.Main(os.Args[2:]))
	}
	smoke := flag.Bool("smoke", false, "few samples (CI); BENCH_SMOKE=1 does the same, like every benchmark's smoke mode")
	flag.Parse()
	*smoke = *smoke || os.Getenv("BENCH_SMOKE") == "1"
	samples := 30
	if *smoke {
		samples = 5
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "orch-bench: needs root (namespaces, cgroups)")
		os.Exit(1)
	}
	var rows []row
	rows = append(rows, benchScheduler(*smoke))
	r, err := benchAgent(samples)
	if err != nil {
		fmt.Fprintf(os.Stderr, "orch-bench: agent: %v\n", err)
		os.Exit(1)
	}
	rows = append(rows, r...)
	moved, err := benchFailover(*smoke)
	if err != nil {
		fmt.Fprintf(os.Stderr, "orch-bench: failover: %v\n", err)
		os.Exit(1)
	}
	rows = append(rows, moved)
	mode := "full"
	if *smoke {
		mode = "smoke"
	}
	fmt.Printf("orchestrator benchmarks (%s, %d samples per latency, %s)\n\n", mode, samples, time.Now().UTC().Format(time.RFC3339))
	// A markdown table: it reads as a table in a terminal and pastes into docs as is.
	fmt.Println("| metric | this run | goal | published anchor | reference in this run |")
	fmt.Println("| --- | --- | --- | --- | --- |")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.metric, r.value, r.goal, r.anchor, r.ref)
	}
}

func benchScheduler(smoke bool) row {
	nodes := scheduler.SimulatedNodes(100)
	req := scheduler.Request{Workload: "api", Resources: scheduler.Resources{MilliCPU: 50, MemoryBytes: 128 << 20}, Ports: []int{3002}}
	d := 2 * time.Second
	if smoke {
		d = 300 * time.Millisecond
	}
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		for range 100 {
			if _, err := scheduler.Schedule(req, nodes); err != nil {
				panic(err)
			}
		}
		n += 100
	}
	rate := float64(n) / time.Since(start).Seconds()
	return row{"scheduler decisions/s (100 nodes)", fmt.Sprintf("%.0f", rate), ">= 10,000",
		"Nomad 1,500-3,750 placements/s; kube-scheduler ~333 pods/s at 500 nodes",
		fmt.Sprintf("%.1fx Nomad's best, %.0fx kube-scheduler", rate/3750, rate/333)}
}

func p(xs []time.Duration, q float64) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s)-1) * q)
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func waitFor(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", timeout)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

func benchAgent(samples int) ([]row, error) {
	exe, _ := os.Executable()
	root, err := os.MkdirTemp("/run", "orch-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	parent := fmt.Sprintf("orchestrator-bench/%d", os.Getpid())
	m, err := agent.New(agent.Config{Root: root, CgroupParent: parent, ShimExe: exe, Adopt: false})
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = m.Shutdown()
		_ = m.RemoveCgroupParent()
		_ = cgroup.New("orchestrator-bench").RemoveIfEmpty()
	}()
	var start, bare, ready, restart, oom []time.Duration
	for i := range samples {
		// Start: Apply until the workload's first output line (shim, namespaces, cgroup, exec, the shell runs).
		name := fmt.Sprintf("start-%d", i)
		t0 := time.Now()
		if err := m.Apply(agent.Spec{Name: name, Command: []string{"/bin/sh", "-c", "echo started; exec sleep 1000"}}); err != nil {
			return nil, err
		}
		if err := waitFor(10*time.Second, func() bool {
			b, _ := os.ReadFile(m.LogPath(name))
			return strings.Contains(string(b), "started")
		}); err != nil {
			return nil, fmt.Errorf("start: %w", err)
		}
		start = append(start, time.Since(t0))
		// Reference: the same command as a bare child process, no isolation, no supervision.
		t0 = time.Now()
		out, err := exec.Command("/bin/sh", "-c", "echo started").Output()
		if err != nil || !strings.Contains(string(out), "started") {
			return nil, fmt.Errorf("bare exec: %v", err)
		}
		bare = append(bare, time.Since(t0))

		// Restart after a crash: SIGKILL the whole tree, time until a new process runs.
		st, _ := m.Get(name)
		g, _ := m.Group(name)
		t0 = time.Now()
		_ = g.Kill(5 * time.Second)
		if err := waitFor(10*time.Second, func() bool {
			s, _ := m.Get(name)
			return s.Pid != 0 && s.Pid != st.Pid && s.State != agent.Backoff
		}); err != nil {
			return nil, fmt.Errorf("restart: %w", err)
		}
		restart = append(restart, time.Since(t0))
		if err := m.Remove(name); err != nil {
			return nil, err
		}

		// Ready: an HTTP server behind an HTTP readiness check.
		port := freePort()
		name = fmt.Sprintf("ready-%d", i)
		t0 = time.Now()
		if err := m.Apply(agent.Spec{Name: name, Command: []string{hostPython, "-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1"},
			Readiness: &agent.Probe{HTTP: fmt.Sprintf("http://127.0.0.1:%d/", port)}}); err != nil {
			return nil, err
		}
		if err := waitFor(20*time.Second, func() bool { s, _ := m.Get(name); return s.Ready }); err != nil {
			return nil, fmt.Errorf("ready: %w", err)
		}
		ready = append(ready, time.Since(t0))
		if err := m.Remove(name); err != nil {
			return nil, err
		}

		// OOM: the kernel's counter moving (polled here at 1 ms) to the agent reporting the kill.
		name = fmt.Sprintf("oom-%d", i)
		if err := m.Apply(agent.Spec{Name: name, Restart: "never", Limits: cgroup.Limits{MemoryBytes: 32 << 20},
			Command: []string{hostPython, "-c", "import time; time.sleep(0.2); b = b'x' * (128 << 20)"}}); err != nil {
			return nil, err
		}
		g, _ = m.Group(name)
		var kernel time.Time
		if err := waitFor(20*time.Second, func() bool { n, _ := g.OOMKills(); return n > 0 }); err != nil {
			return nil, fmt.Errorf("oom: %w", err)
		}
		kernel = time.Now()
		if err := waitFor(10*time.Second, func() bool {
			s, _ := m.Get(name)
			return s.LastExit != nil && s.LastExit.OOMKilled
		}); err != nil {
			return nil, fmt.Errorf("oom report: %w", err)
		}
		oom = append(oom, time.Since(kernel))
		if err := m.Remove(name); err != nil {
			return nil, err
		}
	}
	return []row{
		{"workload start p50 / p99", ms(p(start, .5)) + " / " + ms(p(start, .99)), "<= 150 ms", "-",
			fmt.Sprintf("bare fork/exec p50 %s (%.1fx)", ms(p(bare, .5)), float64(p(start, .5))/float64(p(bare, .5)))},
		{"workload ready p50 / p99 (HTTP check)", ms(p(ready, .5)) + " / " + ms(p(ready, .99)), "<= 5 s", "Kubernetes pod startup SLO p99 <= 5 s",
			fmt.Sprintf("%.0fx inside the SLO at p99", float64(5*time.Second)/float64(p(ready, .99)))},
		{"restart after crash p50 / p99", ms(p(restart, .5)) + " / " + ms(p(restart, .99)), "<= 1 s", "kubelet CrashLoopBackOff starts at 10 s",
			"first back-off step 100 ms included"},
		{"OOM reported after the kernel's kill p50 / p99", ms(p(oom, .5)) + " / " + ms(p(oom, .99)), "<= 100 ms", "-", "counter polled at 1 ms"},
	}, nil
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// benchFailover runs three nodes, kills the agent of a node with a replica, and times until the stateless
// workload has all its replicas ready elsewhere (node timeout included).
func benchFailover(smoke bool) (row, error) {
	exe, _ := os.Executable()
	ctx := context.Background()
	timeout := 2 * time.Second
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 3, Exe: []string{exe, cliArg}, NodeTimeout: timeout})
	if err != nil {
		return row{}, err
	}
	defer c.Close()
	w := server.Workload{Name: "echo", Kind: server.Stateless, Replicas: 2, Port: 8080,
		Resources: scheduler.Resources{MilliCPU: 10, MemoryBytes: 16 << 20},
		Template: agent.Spec{Command: []string{hostPython, "-m", "http.server", "8080"},
			Readiness: &agent.Probe{HTTP: "http://127.0.0.1:8080/"}}}
	if err := c.Ctl.PutWorkload(w); err != nil {
		return row{}, err
	}
	readyOff := func(dead string) bool {
		s := c.Ctl.Store().Snapshot()
		n := 0
		for _, in := range s.Instances {
			if in.Workload == "echo" && in.Ready && in.Node != dead && s.Nodes[in.Node].Ready {
				n++
			}
		}
		return n >= w.Replicas
	}
	if err := waitFor(60*time.Second, func() bool { return readyOff("") }); err != nil {
		return row{}, err
	}
	rounds := 3
	if smoke {
		rounds = 1
	}
	var moved []time.Duration
	for range rounds {
		var victim string
		for _, in := range c.Ctl.Store().Snapshot().Instances {
			victim = in.Node
		}
		t0 := time.Now()
		if err := c.KillAgent(victim); err != nil {
			return row{}, err
		}
		if err := waitFor(60*time.Second, func() bool { return readyOff(victim) }); err != nil {
			return row{}, err
		}
		moved = append(moved, time.Since(t0))
		if err := c.RestoreNode(ctx, victim); err != nil {
			return row{}, err
		}
		if err := waitFor(60*time.Second, func() bool { return readyOff("") }); err != nil {
			return row{}, err
		}
	}
	return row{"stateless moved off a dead node (max of rounds)", ms(slices.Max(moved)), "<= 10 s",
		"Kubernetes default: ~40 s node-monitor-grace + eviction", fmt.Sprintf("node timeout %s of it", timeout)}, nil
}

// hostPython is Debian's interpreter by absolute path: workloads start with an empty environment, where a
// version manager's shim on PATH (pyenv's, on the build machines) cannot find its Python and exits 1.
const hostPython = "/usr/bin/python3"
