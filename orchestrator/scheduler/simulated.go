package scheduler

import "fmt"

// SimulatedNodes is a cluster of n nodes with mixed load, the benchmark's input: every tenth is not ready, some
// hold a port, each already runs a few instances.
func SimulatedNodes(n int) []Node {
	out := make([]Node, n)
	for i := range out {
		out[i] = Node{
			Name:      fmt.Sprintf("node-%03d", i),
			Ready:     i%10 != 9,
			Capacity:  Resources{4000, 16 << 30},
			Allocated: Resources{int64(i*37) % 3000, int64(i*53%12) << 30},
			Instances: map[string]int{"api": i % 3, "web": i % 2},
		}
		if i%7 == 0 {
			out[i].Ports = []int{3002}
		}
	}
	return out
}
