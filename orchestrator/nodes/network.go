// Package nodes makes the orchestrator's nodes on one machine: each node is a network namespace with a veth
// pair on one bridge the run creates, and an agent process inside it. Every host change is recorded in a run
// file under RunDir before it is made, so a run that is killed is undone by the next one (Sweep), and a normal
// teardown undoes it at once. Addresses are checked to be on the run's own bridge before anything dials them.
package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// RunDir holds one file per live run: what it created and which process owns it.
const RunDir = "/run/orchestrator/runs"

// Network is a run's bridge and its nodes' namespaces.
type Network struct {
	RunID     string    `json:"runId"`
	OwnerPid  int       `json:"ownerPid"`
	Bridge    string    `json:"bridge"`
	Subnet    string    `json:"subnet"` // the first three octets, e.g. "10.214.7"
	GatewayIP string    `json:"gatewayIp"`
	Nodes     []NodeNet `json:"nodes"`
	// Extra are paths (agent roots) and cgroup parents the run owns; Sweep removes them too.
	Roots         []string `json:"roots"`
	CgroupParents []string `json:"cgroupParents"`
}

// NodeNet is one node's network namespace, its end of the bridge and its address.
type NodeNet struct {
	Name     string `json:"name"`
	NetNS    string `json:"netns"`
	HostVeth string `json:"hostVeth"`
	IP       string `json:"ip"`
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// NewRunID is a short random id; interface names are at most 15 characters.
func NewRunID() string { return fmt.Sprintf("%06x", rand.IntN(1<<24)) }

// pickSubnet finds a 10.214.Y.0/24 that no interface here uses and that routes off-machine (so no other
// network on this host claims it); the run's bridge then makes it local.
func pickSubnet() (string, error) {
	addrs, err := exec.Command("ip", "-o", "-4", "addr").Output()
	if err != nil {
		return "", fmt.Errorf("nodes: list addresses: %w", err)
	}
	routes, err := exec.Command("ip", "-o", "-4", "route").Output()
	if err != nil {
		return "", fmt.Errorf("nodes: list routes: %w", err)
	}
	for _, y := range rand.Perm(250) {
		s := fmt.Sprintf("10.214.%d", y+1)
		if !strings.Contains(string(addrs), s+".") && !strings.Contains(string(routes), s+".") {
			return s, nil
		}
	}
	return "", errors.New("nodes: no free 10.214.Y.0/24 subnet")
}

// Create makes the bridge and n node namespaces, recording each step first.
func Create(runID string, n int) (*Network, error) {
	subnet, err := pickSubnet()
	if err != nil {
		return nil, err
	}
	nw := &Network{RunID: runID, OwnerPid: os.Getpid(), Bridge: "ob" + runID, Subnet: subnet, GatewayIP: subnet + ".1"}
	for i := range n {
		name := fmt.Sprintf("n%d", i+1)
		nw.Nodes = append(nw.Nodes, NodeNet{Name: name, NetNS: "orch-" + runID + "-" + name,
			HostVeth: "o" + runID + name, IP: fmt.Sprintf("%s.%d", subnet, i+2)})
	}
	if err := nw.save(); err != nil {
		return nil, err
	}
	fail := func(err error) (*Network, error) {
		_ = nw.Destroy()
		return nil, err
	}
	steps := [][]string{
		{"link", "add", nw.Bridge, "type", "bridge"},
		{"addr", "add", nw.GatewayIP + "/24", "dev", nw.Bridge},
		{"link", "set", nw.Bridge, "up"},
	}
	for _, nn := range nw.Nodes {
		steps = append(steps,
			[]string{"netns", "add", nn.NetNS},
			[]string{"-n", nn.NetNS, "link", "set", "lo", "up"},
			[]string{"link", "add", nn.HostVeth, "type", "veth", "peer", "name", "eth0", "netns", nn.NetNS},
			[]string{"-n", nn.NetNS, "addr", "add", nn.IP + "/24", "dev", "eth0"},
			[]string{"-n", nn.NetNS, "link", "set", "eth0", "up"},
			[]string{"link", "set", nn.HostVeth, "master", nw.Bridge, "up"},
		)
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return fail(fmt.Errorf("nodes: %w", err))
		}
	}
	for _, nn := range nw.Nodes {
		if err := nw.CheckLocal(nn.IP); err != nil {
			return fail(err)
		}
	}
	return nw, nil
}

// CheckLocal refuses an address that is not on this run's bridge: the network-safety rule (a 10.x address that
// is not local is routed off the machine).
func (nw *Network) CheckLocal(addr string) error {
	out, err := exec.Command("ip", "-o", "route", "get", addr).Output()
	if err != nil {
		return fmt.Errorf("nodes: ip route get %s: %w", addr, err)
	}
	f := strings.Fields(string(out))
	local := len(f) > 0 && f[0] == "local"
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "dev" && f[i+1] == nw.Bridge && !strings.Contains(string(out), " via ") {
			local = true
		}
	}
	if !local {
		return fmt.Errorf("nodes: %s does not route to this run's bridge %s (%q); refusing to use it", addr, nw.Bridge, strings.TrimSpace(string(out)))
	}
	return nil
}

// Node returns a node's network by name.
func (nw *Network) Node(name string) (NodeNet, bool) {
	for _, n := range nw.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return NodeNet{}, false
}

// Command runs argv inside a node's network namespace (nsenter, not `ip netns exec`: the latter remounts /sys
// and would hide the cgroup filesystem the agent needs).
func (nw *Network) Command(ctx context.Context, node string, argv ...string) *exec.Cmd {
	nn, _ := nw.Node(node)
	args := append([]string{"--net=/run/netns/" + nn.NetNS, "--"}, argv...)
	return exec.CommandContext(ctx, "nsenter", args...)
}

// SetLinkUp cuts or restores a node's cable (its bridge port).
func (nw *Network) SetLinkUp(node string, up bool) error {
	nn, ok := nw.Node(node)
	if !ok {
		return fmt.Errorf("nodes: no node %s", node)
	}
	state := "down"
	if up {
		state = "up"
	}
	return ip("link", "set", nn.HostVeth, state)
}

// Own records an agent root directory and cgroup parent the run owns.
func (nw *Network) Own(root, cgroupParent string) error {
	nw.Roots = append(nw.Roots, root)
	nw.CgroupParents = append(nw.CgroupParents, cgroupParent)
	return nw.save()
}

func (nw *Network) file() string { return filepath.Join(RunDir, nw.RunID+".json") }

func (nw *Network) save() error {
	b, _ := json.MarshalIndent(nw, "", "  ")
	tmp := nw.file() + ".tmp"
	// The last run to end removes the empty RunDir (Destroy), possibly between this MkdirAll and the write: make it
	// again and retry.
	for attempt := 0; ; attempt++ {
		if err := os.MkdirAll(RunDir, 0o755); err != nil {
			return fmt.Errorf("nodes: %w", err)
		}
		err := os.WriteFile(tmp, b, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrNotExist) || attempt == 2 {
			return fmt.Errorf("nodes: record run: %w", err)
		}
	}
	return os.Rename(tmp, nw.file())
}

// removeRunDirs removes RunDir and its parent when no run is left in them, so the host is as it was; a live run's
// file keeps them (the error is expected then and ignored).
func removeRunDirs() {
	if os.Remove(RunDir) == nil {
		_ = os.Remove(filepath.Dir(RunDir))
	}
}

// Destroy undoes everything the run recorded: agents' leftovers (cgroups), namespaces, links, the bridge,
// the roots, and finally the run file. It keeps going past errors and reports them all.
func (nw *Network) Destroy() error {
	var errs []error
	for _, cg := range nw.CgroupParents {
		if err := removeCgroups(cg); err != nil {
			errs = append(errs, err)
		}
	}
	for _, nn := range nw.Nodes {
		if linkExists(nn.HostVeth) {
			if err := ip("link", "del", nn.HostVeth); err != nil {
				errs = append(errs, err)
			}
		}
		if _, err := os.Stat("/run/netns/" + nn.NetNS); err == nil {
			if err := ip("netns", "del", nn.NetNS); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if linkExists(nw.Bridge) {
		if err := ip("link", "del", nw.Bridge); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range nw.Roots {
		if err := os.RemoveAll(r); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if err := os.Remove(nw.file()); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		removeRunDirs()
	}
	return errors.Join(errs...)
}

func linkExists(name string) bool { return exec.Command("ip", "link", "show", name).Run() == nil }

// Leftovers lists what of the run is still on the host (the tests' orphan check).
func (nw *Network) Leftovers() []string {
	var out []string
	for _, nn := range nw.Nodes {
		if linkExists(nn.HostVeth) {
			out = append(out, "link "+nn.HostVeth)
		}
		if _, err := os.Stat("/run/netns/" + nn.NetNS); err == nil {
			out = append(out, "netns "+nn.NetNS)
		}
	}
	if linkExists(nw.Bridge) {
		out = append(out, "link "+nw.Bridge)
	}
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil && strings.Contains(string(b), "orch-"+nw.RunID) {
		out = append(out, "mount of a netns of run "+nw.RunID)
	}
	return out
}

// Sweep undoes the runs whose owner process is gone (a run killed before its teardown). Runs of live owners
// (another test or another engineer's run) are left alone.
func Sweep() error {
	files, _ := filepath.Glob(filepath.Join(RunDir, "*.json"))
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var nw Network
		if json.Unmarshal(b, &nw) != nil || nw.RunID == "" {
			continue
		}
		if nw.OwnerPid > 0 && syscall.Kill(nw.OwnerPid, 0) == nil {
			continue
		}
		if err := nw.Destroy(); err != nil {
			errs = append(errs, fmt.Errorf("sweep run %s: %w", nw.RunID, err))
		}
	}
	return errors.Join(errs...)
}

// WaitHTTP polls url until it answers 2xx or the timeout passes.
func WaitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if ok := get(ctx, url); ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nodes: %s did not answer within %s", url, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
