package scheduler

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/quick"
)

// cluster is a random cluster and request for the property tests.
type cluster struct {
	Nodes []Node
	Req   Request
}

func (cluster) Generate(r *rand.Rand, _ int) reflect.Value {
	n := 1 + r.Intn(12)
	c := cluster{}
	for i := range n {
		capacity := Resources{int64(500 + r.Intn(4000)), int64(256+r.Intn(4096)) << 20}
		node := Node{
			Name:      fmt.Sprintf("n%02d", i),
			Ready:     r.Intn(6) > 0,
			Capacity:  capacity,
			Allocated: Resources{r.Int63n(capacity.MilliCPU + 1), r.Int63n(capacity.MemoryBytes + 1)},
			Instances: map[string]int{"w": r.Intn(3)},
		}
		if r.Intn(3) == 0 {
			node.Ports = []int{3000 + r.Intn(3)}
		}
		c.Nodes = append(c.Nodes, node)
	}
	c.Req = Request{Workload: "w", Resources: Resources{int64(r.Intn(2000)), int64(r.Intn(1024)) << 20}}
	if r.Intn(2) == 0 {
		c.Req.Ports = []int{3000 + r.Intn(3)}
	}
	if r.Intn(3) == 0 {
		c.Req.Volume = "data"
		if r.Intn(2) == 0 {
			c.Req.VolumeNode = c.Nodes[r.Intn(n)].Name
		}
	}
	return reflect.ValueOf(c)
}

var cfg = &quick.Config{MaxCount: 2000}

func TestPropertyChosenNodePassesEveryFilter(t *testing.T) {
	prop := func(c cluster) bool {
		name, err := Schedule(c.Req, c.Nodes)
		if err != nil {
			return true
		}
		i := slices.IndexFunc(c.Nodes, func(n Node) bool { return n.Name == name })
		ok, _ := Feasible(c.Req, c.Nodes[i])
		return i >= 0 && ok
	}
	if err := quick.Check(prop, cfg); err != nil {
		t.Fatal(err)
	}
}

func TestPropertyNoFitGivesAReasonForEveryNode(t *testing.T) {
	prop := func(c cluster) bool {
		_, err := Schedule(c.Req, c.Nodes)
		var nf *NoFit
		if !errors.As(err, &nf) {
			return err == nil
		}
		if len(nf.Reasons) != len(c.Nodes) {
			return false
		}
		for _, n := range c.Nodes {
			ok, why := Feasible(c.Req, n)
			if ok || nf.Reasons[n.Name] != why || why == "" || !strings.Contains(err.Error(), n.Name+": "+why) {
				return false
			}
		}
		return true
	}
	if err := quick.Check(prop, cfg); err != nil {
		t.Fatal(err)
	}
}

func TestPropertyStatefulGoesOnlyWhereItsVolumeIs(t *testing.T) {
	prop := func(c cluster) bool {
		name, err := Schedule(c.Req, c.Nodes)
		if err != nil || c.Req.VolumeNode == "" {
			return true
		}
		return name == c.Req.VolumeNode
	}
	if err := quick.Check(prop, cfg); err != nil {
		t.Fatal(err)
	}
}

func TestPropertyDecisionDoesNotDependOnNodeOrder(t *testing.T) {
	prop := func(c cluster, seed int64) bool {
		a, errA := Schedule(c.Req, c.Nodes)
		shuffled := slices.Clone(c.Nodes)
		rand.New(rand.NewSource(seed)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		b, errB := Schedule(c.Req, shuffled)
		return a == b && (errA == nil) == (errB == nil)
	}
	if err := quick.Check(prop, cfg); err != nil {
		t.Fatal(err)
	}
}

// Placing a batch one by one never over-commits a node and spreads replicas over equal nodes within one.
func TestPropertyBatchesNeverOvercommitAndSpread(t *testing.T) {
	prop := func(nodes, replicas uint8) bool {
		m, k := 1+int(nodes%10), 1+int(replicas%40)
		var ns []Node
		for i := range m {
			ns = append(ns, Node{Name: fmt.Sprintf("n%d", i), Ready: true, Capacity: Resources{4000, 8 << 30}})
		}
		req := Request{Workload: "web", Resources: Resources{100, 128 << 20}}
		for range k {
			name, err := Schedule(req, ns)
			if err != nil {
				return false // 40 x 100m fits in 4000m on one node alone
			}
			ns = Place(ns, name, req)
		}
		lo, hi := k, 0
		for _, n := range ns {
			if n.Allocated.MilliCPU > n.Capacity.MilliCPU || n.Allocated.MemoryBytes > n.Capacity.MemoryBytes {
				return false
			}
			lo, hi = min(lo, n.Instances["web"]), max(hi, n.Instances["web"])
		}
		return hi-lo <= 1
	}
	if err := quick.Check(prop, cfg); err != nil {
		t.Fatal(err)
	}
}

func TestReasons(t *testing.T) {
	base := Node{Name: "n1", Ready: true, Capacity: Resources{1000, 1 << 30}}
	cases := []struct {
		name string
		node func(Node) Node
		req  Request
		want string
	}{
		{"not ready", func(n Node) Node { n.Ready = false; return n }, Request{}, "node not ready"},
		{"cpu", func(n Node) Node { n.Allocated.MilliCPU = 900; return n }, Request{Resources: Resources{MilliCPU: 200}}, "insufficient cpu (want 200m, free 100m)"},
		{"memory", func(n Node) Node { return n }, Request{Resources: Resources{MemoryBytes: 2 << 30}}, "insufficient memory (want 2048 MiB, free 1024 MiB)"},
		{"port", func(n Node) Node { n.Ports = []int{5432}; return n }, Request{Ports: []int{5432}}, "port 5432 in use"},
		{"volume", func(n Node) Node { return n }, Request{Volume: "pg", VolumeNode: "n2"}, "volume pg lives on n2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Workload = "w"
			_, err := Schedule(c.req, []Node{c.node(base)})
			if err == nil || err.Error() != "no node fits w: n1: "+c.want {
				t.Fatalf("got %v, want the reason %q", err, c.want)
			}
		})
	}
	if _, err := Schedule(Request{Workload: "w"}, nil); err == nil || !strings.Contains(err.Error(), "no nodes") {
		t.Fatalf("empty cluster: %v", err)
	}
}

// BenchmarkSchedule100Nodes is the goal: >= 10,000 decisions/s on 100 simulated nodes.
func BenchmarkSchedule100Nodes(b *testing.B) {
	nodes := SimulatedNodes(100)
	req := Request{Workload: "api", Resources: Resources{50, 128 << 20}, Ports: []int{3002}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Schedule(req, nodes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
