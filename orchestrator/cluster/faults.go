package cluster

import (
	"context"
	"net/http"
	"time"

	"homelab/orchestrator/internal/problem"
)

// Handler is the control plane's REST API plus the fault injection a local cluster can do, for drills and
// manual experiments (a real cluster has no such endpoint: there the fault is a real outage):
//
//	POST /v1/nodes/{name}/kill-agent   SIGKILL the node's agent; its workloads keep running unsupervised
//	POST /v1/nodes/{name}/kill         power loss: agent and every workload SIGKILLed, the node's cable cut
//	POST /v1/nodes/{name}/restore      cable back, agent started again (it adopts what still runs)
func (c *Cluster) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", c.Ctl.Handler())
	fault := func(do func(node string) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			node := r.PathValue("name")
			if _, ok := c.Net.Node(node); !ok {
				problem.Write(w, http.StatusNotFound, "node "+node+" not found")
				return
			}
			if err := do(node); err != nil {
				problem.Write(w, http.StatusConflict, err.Error())
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}
	mux.HandleFunc("POST /v1/nodes/{name}/kill-agent", fault(c.KillAgent))
	mux.HandleFunc("POST /v1/nodes/{name}/kill", fault(c.KillNode))
	mux.HandleFunc("POST /v1/nodes/{name}/restore", fault(func(node string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return c.RestoreNode(ctx, node)
	}))
	return mux
}
