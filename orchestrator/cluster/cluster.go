// Package cluster runs a whole orchestrator on one machine: the run's bridge and node namespaces (package
// nodes), an agent process inside each node, and the control plane with its REST API on loopback. The CLI's
// `up` and the end-to-end tests use it; it can kill an agent or a whole node and bring them back.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/nodes"
	"homelab/orchestrator/scheduler"
	"homelab/orchestrator/server"
)

// AgentPort is where every node's agent listens, on the node's address.
const AgentPort = 7070

// Options configure a cluster.
type Options struct {
	Nodes int
	// Exe is the argv prefix that runs the orchestrator CLI (the binary, or a test binary and its switch).
	Exe []string
	// Capacity of each node. Default 2 CPUs, 4 GiB.
	Capacity scheduler.Resources
	// APIAddr is where the REST API listens (loopback). Default 127.0.0.1:0.
	APIAddr     string
	NodeTimeout time.Duration
	Log         io.Writer
}

// Cluster is a running orchestrator.
type Cluster struct {
	Net    *nodes.Network
	Ctl    *server.Controller
	URL    string
	opts   Options
	root   string
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	agents map[string]*exec.Cmd
	exited map[string]chan struct{}
}

// Start builds the network, the control plane and one agent per node, and waits for every node to be ready.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if o.Nodes <= 0 || len(o.Exe) == 0 {
		return nil, errors.New("cluster: Nodes and Exe are required")
	}
	if o.Capacity == (scheduler.Resources{}) {
		o.Capacity = scheduler.Resources{MilliCPU: 2000, MemoryBytes: 4 << 30}
	}
	if o.APIAddr == "" {
		o.APIAddr = "127.0.0.1:0"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := nodes.Sweep(); err != nil {
		fmt.Fprintf(o.Log, "cluster: sweeping killed runs: %v\n", err)
	}
	run := nodes.NewRunID()
	nw, err := nodes.Create(run, o.Nodes)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Net: nw, opts: o, root: filepath.Join("/run/orchestrator", run), agents: map[string]*exec.Cmd{},
		exited: map[string]chan struct{}{}, done: make(chan struct{})}
	fail := func(err error) (*Cluster, error) {
		_ = c.Close()
		return nil, err
	}
	if err := nw.Own(c.root, c.cgroupRun()); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(c.root, 0o755); err != nil {
		return fail(err)
	}
	c.Ctl, err = server.NewController(server.Config{StatePath: filepath.Join(c.root, "control-plane.json"),
		ProxyIP: nw.GatewayIP, CheckAddr: nw.CheckLocal, NodeTimeout: o.NodeTimeout, Log: o.Log})
	if err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", o.APIAddr)
	if err != nil {
		return fail(fmt.Errorf("cluster: API on %s: %w", o.APIAddr, err))
	}
	c.URL = "http://" + ln.Addr().String()
	c.srv = &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = c.srv.Serve(ln) }()
	for _, n := range nw.Nodes {
		if err := c.StartAgent(ctx, n.Name); err != nil {
			return fail(err)
		}
		if err := c.Ctl.RegisterNode(server.Node{Name: n.Name, IP: n.IP, AgentURL: c.agentURL(n.Name), Capacity: o.Capacity}); err != nil {
			return fail(err)
		}
	}
	rctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		c.Ctl.Run(rctx)
	}()
	return c, nil
}

func (c *Cluster) cgroupRun() string             { return "orchestrator/" + c.Net.RunID }
func (c *Cluster) cgroupNode(node string) string { return c.cgroupRun() + "/" + node }

func (c *Cluster) agentURL(node string) string {
	n, _ := c.Net.Node(node)
	return "http://" + net.JoinHostPort(n.IP, strconv.Itoa(AgentPort))
}

// StartAgent starts (or restarts) a node's agent inside the node's network namespace; a restarted agent
// adopts the workloads its predecessor left running.
func (c *Cluster) StartAgent(ctx context.Context, node string) error {
	n, ok := c.Net.Node(node)
	if !ok {
		return fmt.Errorf("cluster: no node %s", node)
	}
	if err := c.Net.CheckLocal(n.IP); err != nil {
		return err
	}
	argv := append(append([]string{}, c.opts.Exe...), "agent",
		"--root", filepath.Join(c.root, node),
		// The node roots are siblings under the run directory: hide all of them, not only this node's.
		"--hide", c.root,
		"--cgroup-parent", c.cgroupNode(node),
		"--listen", net.JoinHostPort(n.IP, strconv.Itoa(AgentPort)))
	cmd := c.Net.Command(context.Background(), node, argv...)
	cmd.Stdout, cmd.Stderr = prefixed(c.opts.Log, node+"/"), prefixed(c.opts.Log, node+"/")
	// If the run's owner dies, its agents stop their workloads and exit (the next run sweeps the network).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cluster: start agent of %s: %w", node, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	c.mu.Lock()
	c.agents[node], c.exited[node] = cmd, exited
	c.mu.Unlock()
	return nodes.WaitHTTP(ctx, c.agentURL(node)+"/healthz", 30*time.Second)
}

// KillAgent SIGKILLs a node's agent: its workloads keep running, unsupervised, as after an agent crash.
func (c *Cluster) KillAgent(node string) error {
	c.mu.Lock()
	cmd, exited := c.agents[node], c.exited[node]
	delete(c.agents, node)
	c.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("cluster: no agent running on %s", node)
	}
	_ = cmd.Process.Kill()
	<-exited
	return nil
}

// KillNode is a node's power loss: the agent and every workload process die at once (SIGKILL through their
// cgroups) and the node's cable is cut. Volumes stay on its disk.
func (c *Cluster) KillNode(node string) error {
	if err := c.KillAgent(node); err != nil {
		return err
	}
	entries, _ := os.ReadDir(filepath.Join(cgroup.Root, cgroupHierarchy(), c.cgroupNode(node)))
	for _, e := range entries {
		if e.IsDir() {
			if err := cgroup.New(filepath.Join(c.cgroupNode(node), e.Name())).Kill(10 * time.Second); err != nil {
				return err
			}
		}
	}
	return c.Net.SetLinkUp(node, false)
}

// RestoreNode reconnects a node and starts its agent again (after KillNode or KillAgent).
func (c *Cluster) RestoreNode(ctx context.Context, node string) error {
	if err := c.Net.SetLinkUp(node, true); err != nil {
		return err
	}
	return c.StartAgent(ctx, node)
}

func cgroupHierarchy() string {
	if cgroup.Version() == 2 {
		return ""
	}
	return "memory"
}

// Close stops everything and undoes every host change: agents are asked to stop their workloads (SIGTERM),
// killed if they do not within 30 s, then the network, cgroups and roots are removed.
func (c *Cluster) Close() error {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	if c.srv != nil {
		_ = c.srv.Close()
	}
	if c.Ctl != nil {
		c.Ctl.Close()
	}
	c.mu.Lock()
	agents, exited := c.agents, c.exited
	c.agents = map[string]*exec.Cmd{}
	c.mu.Unlock()
	for node, cmd := range agents {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited[node]:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited[node]
		}
	}
	return c.Net.Destroy()
}

// Leftovers is what of the run is still on the host: links, namespaces, cgroups, processes, mounts.
func (c *Cluster) Leftovers() []string {
	out := c.Net.Leftovers()
	for _, d := range cgroup.Leftovers(c.cgroupRun()) {
		out = append(out, "cgroup "+d)
	}
	if _, err := os.Stat(c.root); err == nil {
		out = append(out, "directory "+c.root)
	}
	return out
}
