package server

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"homelab/orchestrator/internal/problem"
)

// Handler is the REST API:
//
//	GET    /healthz
//	GET    /v1/workloads | /v1/nodes | /v1/instances | /v1/volumes | /v1/services | /v1/conditions
//	PUT    /v1/workloads/{name}              desired state of a workload
//	DELETE /v1/workloads/{name}
//	PUT    /v1/nodes/{name}                  register a node (its agent's URL, IP and capacity)
//	POST   /v1/workloads/{name}/migrate      {"to": "n2"}: stop -> copy -> start
//	GET    /v1/watch?since=REV&timeoutMs=N   long-poll: the events after REV ({rev, events}); 410 when too old
func (c *Controller) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { problem.JSON(w, 200, map[string]string{"status": "ok"}) })
	list := func(pick func(State) any) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { problem.JSON(w, 200, pick(c.store.Snapshot())) }
	}
	mux.HandleFunc("GET /v1/workloads", list(func(s State) any { return sorted(s.Workloads, func(v Workload) string { return v.Name }) }))
	mux.HandleFunc("GET /v1/nodes", list(func(s State) any { return sorted(s.Nodes, func(v Node) string { return v.Name }) }))
	mux.HandleFunc("GET /v1/instances", list(func(s State) any { return sorted(s.Instances, func(v Instance) string { return v.Name }) }))
	mux.HandleFunc("GET /v1/volumes", list(func(s State) any { return sorted(s.Volumes, func(v Volume) string { return v.Name }) }))
	mux.HandleFunc("GET /v1/services", list(func(s State) any { return sorted(s.Services, func(v Service) string { return v.Name }) }))
	mux.HandleFunc("GET /v1/conditions", list(func(s State) any { return sorted(s.Conditions, func(v Condition) string { return v.Workload }) }))
	mux.HandleFunc("PUT /v1/workloads/{name}", func(w http.ResponseWriter, r *http.Request) {
		var wl Workload
		if !problem.DecodeJSON(w, r, &wl) {
			return
		}
		if wl.Name != r.PathValue("name") {
			problem.Write(w, http.StatusBadRequest, "name: the body's name must match the path")
			return
		}
		if err := wl.Validate(); err != nil {
			problem.Write(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := c.PutWorkload(wl); err != nil {
			writeErr(w, err)
			return
		}
		problem.JSON(w, http.StatusOK, wl)
	})
	mux.HandleFunc("DELETE /v1/workloads/{name}", func(w http.ResponseWriter, r *http.Request) {
		if err := c.DeleteWorkload(r.PathValue("name")); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /v1/nodes/{name}", func(w http.ResponseWriter, r *http.Request) {
		var n Node
		if !problem.DecodeJSON(w, r, &n) {
			return
		}
		if n.Name != r.PathValue("name") {
			problem.Write(w, http.StatusBadRequest, "name: the body's name must match the path")
			return
		}
		if err := c.RegisterNode(n); err != nil {
			problem.Write(w, http.StatusBadRequest, err.Error())
			return
		}
		problem.JSON(w, http.StatusOK, n)
	})
	mux.HandleFunc("POST /v1/workloads/{name}/migrate", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			To string `json:"to"`
		}
		if !problem.DecodeJSON(w, r, &body) {
			return
		}
		if body.To == "" {
			problem.Write(w, http.StatusBadRequest, "to: name the target node")
			return
		}
		if err := c.Migrate(r.Context(), r.PathValue("name"), body.To); err != nil {
			writeErr(w, err)
			return
		}
		problem.JSON(w, http.StatusOK, map[string]string{"workload": r.PathValue("name"), "node": body.To})
	})
	mux.HandleFunc("GET /v1/watch", func(w http.ResponseWriter, r *http.Request) {
		since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		if err != nil || since < 0 {
			problem.Write(w, http.StatusBadRequest, "since: a revision (a non-negative integer) is required")
			return
		}
		timeout := 30 * time.Second
		if s := r.URL.Query().Get("timeoutMs"); s != "" {
			ms, err := strconv.Atoi(s)
			if err != nil || ms < 0 || ms > 120_000 {
				problem.Write(w, http.StatusBadRequest, "timeoutMs: 0..120000")
				return
			}
			timeout = time.Duration(ms) * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		evs, rev, err := c.store.Watch(ctx, since)
		if errors.Is(err, ErrGone) {
			problem.Write(w, http.StatusGone, err.Error())
			return
		}
		if evs == nil {
			evs = []Event{}
		}
		problem.JSON(w, http.StatusOK, map[string]any{"rev": rev, "events": evs})
	})
	return mux
}

func writeErr(w http.ResponseWriter, err error) {
	var nf *NotFoundError
	var cf *ConflictError
	switch {
	case errors.As(err, &nf):
		problem.Write(w, http.StatusNotFound, err.Error())
	case errors.As(err, &cf):
		problem.Write(w, http.StatusConflict, err.Error())
	default:
		problem.Write(w, http.StatusServiceUnavailable, err.Error())
	}
}

func sorted[V any](m map[string]V, key func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}
