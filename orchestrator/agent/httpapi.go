package agent

import (
	"errors"
	"net/http"
	"os"

	"homelab/orchestrator/internal/problem"
	"homelab/orchestrator/storage"
)

// Handler is the agent's HTTP API, what the API server drives a node through:
//
//	GET    /healthz                       the agent is up
//	GET    /v1/workloads                  every workload's status
//	PUT    /v1/workloads/{name}           run (or update) a workload
//	DELETE /v1/workloads/{name}           stop and forget it (its volume stays)
//	GET    /v1/volumes/{name}/archive     the volume as tar (migration: copy out)
//	PUT    /v1/volumes/{name}/archive     a new volume from tar (migration: copy in)
//	DELETE /v1/volumes/{name}             delete a volume no workload uses
func (m *Manager) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { problem.JSON(w, 200, map[string]string{"status": "ok"}) })
	mux.HandleFunc("GET /v1/workloads", func(w http.ResponseWriter, _ *http.Request) { problem.JSON(w, 200, m.List()) })
	mux.HandleFunc("PUT /v1/workloads/{name}", func(w http.ResponseWriter, r *http.Request) {
		var s Spec
		if !problem.DecodeJSON(w, r, &s) {
			return
		}
		if s.Name != r.PathValue("name") {
			problem.Write(w, http.StatusBadRequest, "name: the body's name must match the path")
			return
		}
		if err := s.Validate(); err != nil {
			problem.Write(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := m.Apply(s); err != nil {
			problem.Write(w, http.StatusServiceUnavailable, err.Error())
			return
		}
		st, _ := m.Get(s.Name)
		problem.JSON(w, http.StatusOK, st)
	})
	mux.HandleFunc("DELETE /v1/workloads/{name}", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Remove(r.PathValue("name")); err != nil {
			problem.Write(w, http.StatusServiceUnavailable, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /v1/volumes/{name}/archive", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := m.volumeIdle(name); err != nil {
			problem.Write(w, http.StatusConflict, err.Error())
			return
		}
		dir := m.VolumePath(name)
		if _, err := os.Stat(dir); err != nil || !nameRE.MatchString(name) {
			problem.Write(w, http.StatusNotFound, "volume "+name+" is not on this node")
			return
		}
		w.Header().Set("Content-Type", "application/x-tar")
		_ = storage.Archive(dir, w) // a failure mid-stream truncates the tar, which the reader rejects
	})
	mux.HandleFunc("PUT /v1/volumes/{name}/archive", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !nameRE.MatchString(name) {
			problem.Write(w, http.StatusBadRequest, "name: not a DNS label")
			return
		}
		if err := storage.Extract(r.Body, m.VolumePath(name)); err != nil {
			_ = os.RemoveAll(m.VolumePath(name))
			problem.Write(w, http.StatusConflict, err.Error())
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("DELETE /v1/volumes/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !nameRE.MatchString(name) {
			problem.Write(w, http.StatusBadRequest, "name: not a DNS label")
			return
		}
		if err := m.volumeIdle(name); err != nil {
			problem.Write(w, http.StatusConflict, err.Error())
			return
		}
		if err := os.RemoveAll(m.VolumePath(name)); err != nil {
			problem.Write(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// volumeIdle refuses to copy or delete a volume a workload still runs on (a copy of a live database is torn).
func (m *Manager) volumeIdle(name string) error {
	for _, s := range m.List() {
		if s.Spec.Volume == name {
			return errors.New("volume " + name + " is in use by " + s.Name + ": stop it first")
		}
	}
	return nil
}
