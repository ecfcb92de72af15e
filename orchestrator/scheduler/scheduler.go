// Package scheduler places one workload instance on one node. Like kube-scheduler it has two steps, both pure
// functions of (request, node): filters drop the nodes that cannot run the instance, each with a reason, and
// scorers rank the rest. When nothing fits, the error lists every node with the reason it was dropped, so an
// operator reads why without re-deriving the cluster's state.
package scheduler

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Resources are an amount of CPU and memory.
type Resources struct {
	MilliCPU    int64 `json:"milliCpu"`
	MemoryBytes int64 `json:"memoryBytes"`
}

// Add returns r + o.
func (r Resources) Add(o Resources) Resources {
	return Resources{r.MilliCPU + o.MilliCPU, r.MemoryBytes + o.MemoryBytes}
}

// Node is what the scheduler knows about a node: a snapshot, never mutated here.
type Node struct {
	Name      string
	Ready     bool
	Capacity  Resources
	Allocated Resources
	// Volumes lives on this node (a stateful instance must run where its volume is).
	Volumes []string
	// Ports in use by instances on this node (instances share the node's network namespace).
	Ports []int
	// Instances counts the instances per workload on this node (for spread).
	Instances map[string]int
}

// Request is one instance to place.
type Request struct {
	Workload  string
	Resources Resources
	Ports     []int
	// Volume, when set, makes the instance stateful; VolumeNode is the node holding it ("" = not created yet,
	// any node may create it).
	Volume     string
	VolumeNode string
}

// Filter says whether a node can run the request, and why not when it cannot.
type Filter struct {
	Name string
	Fits func(Request, Node) (bool, string)
}

// Scorer ranks a node that passed every filter: higher is better, in [0, 1].
type Scorer struct {
	Name   string
	Weight float64
	Score  func(Request, Node) float64
}

// Filters run in order; the first that fails gives the node's reason.
var Filters = []Filter{
	{"ready", func(_ Request, n Node) (bool, string) { return n.Ready, "node not ready" }},
	{"volume", func(r Request, n Node) (bool, string) {
		if r.Volume == "" || r.VolumeNode == "" || r.VolumeNode == n.Name {
			return true, ""
		}
		return false, fmt.Sprintf("volume %s lives on %s", r.Volume, r.VolumeNode)
	}},
	{"resources", func(r Request, n Node) (bool, string) {
		free := Resources{n.Capacity.MilliCPU - n.Allocated.MilliCPU, n.Capacity.MemoryBytes - n.Allocated.MemoryBytes}
		switch {
		case r.Resources.MilliCPU > free.MilliCPU:
			return false, fmt.Sprintf("insufficient cpu (want %dm, free %dm)", r.Resources.MilliCPU, free.MilliCPU)
		case r.Resources.MemoryBytes > free.MemoryBytes:
			return false, fmt.Sprintf("insufficient memory (want %d MiB, free %d MiB)", r.Resources.MemoryBytes>>20, free.MemoryBytes>>20)
		}
		return true, ""
	}},
	{"ports", func(r Request, n Node) (bool, string) {
		for _, p := range r.Ports {
			if slices.Contains(n.Ports, p) {
				return false, fmt.Sprintf("port %d in use", p)
			}
		}
		return true, ""
	}},
}

// Scorers: spread replicas of a workload over nodes first (a node's loss takes as few as possible), then
// prefer the least allocated node.
var Scorers = []Scorer{
	{"spread", 2, func(r Request, n Node) float64 { return 1 / float64(1+n.Instances[r.Workload]) }},
	{"least-allocated", 1, func(_ Request, n Node) float64 {
		c, m := frac(n.Allocated.MilliCPU, n.Capacity.MilliCPU), frac(n.Allocated.MemoryBytes, n.Capacity.MemoryBytes)
		return 1 - (c+m)/2
	}},
}

func frac(a, b int64) float64 {
	if b <= 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// NoFit is the error when no node can run the request: one reason per node.
type NoFit struct {
	Workload string
	Reasons  map[string]string
}

func (e *NoFit) Error() string {
	if len(e.Reasons) == 0 {
		return fmt.Sprintf("no node fits %s: the cluster has no nodes", e.Workload)
	}
	names := make([]string, 0, len(e.Reasons))
	for n := range e.Reasons {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + e.Reasons[n]
	}
	return fmt.Sprintf("no node fits %s: %s", e.Workload, strings.Join(parts, "; "))
}

// Feasible runs the filters on one node: ok, or the first failing filter's reason.
func Feasible(r Request, n Node) (bool, string) {
	for _, f := range Filters {
		if ok, why := f.Fits(r, n); !ok {
			return false, why
		}
	}
	return true, ""
}

// Score is the weighted sum of the scorers for a feasible node.
func Score(r Request, n Node) float64 {
	s := 0.0
	for _, sc := range Scorers {
		s += sc.Weight * sc.Score(r, n)
	}
	return s
}

// Schedule picks the best feasible node for r, ties broken by name so the decision does not depend on the
// order nodes are listed in.
func Schedule(r Request, nodes []Node) (string, error) {
	best, bestScore := "", -1.0
	var reasons map[string]string
	for i := range nodes {
		n := &nodes[i]
		if ok, why := Feasible(r, *n); !ok {
			if reasons == nil {
				reasons = make(map[string]string, len(nodes))
			}
			reasons[n.Name] = why
			continue
		}
		s := Score(r, *n)
		if s > bestScore || (s == bestScore && n.Name < best) {
			best, bestScore = n.Name, s
		}
	}
	if best == "" {
		if reasons == nil {
			reasons = map[string]string{}
		}
		return "", &NoFit{Workload: r.Workload, Reasons: reasons}
	}
	return best, nil
}

// Place returns nodes with r placed on name: the snapshot the next decision of a batch sees.
func Place(nodes []Node, name string, r Request) []Node {
	out := slices.Clone(nodes)
	for i := range out {
		if out[i].Name != name {
			continue
		}
		n := out[i]
		n.Allocated = n.Allocated.Add(r.Resources)
		n.Ports = append(slices.Clone(n.Ports), r.Ports...)
		inst := make(map[string]int, len(n.Instances)+1)
		for k, v := range n.Instances {
			inst[k] = v
		}
		inst[r.Workload]++
		n.Instances = inst
		if r.Volume != "" && !slices.Contains(n.Volumes, r.Volume) {
			n.Volumes = append(slices.Clone(n.Volumes), r.Volume)
		}
		out[i] = n
	}
	return out
}
