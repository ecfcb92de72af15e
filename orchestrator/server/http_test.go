package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestController(t *testing.T) (*Controller, *httptest.Server) {
	t.Helper()
	c, err := NewController(Config{StatePath: filepath.Join(t.TempDir(), "state.json"), ProxyIP: "127.0.0.1",
		CheckAddr: func(ip string) error {
			if ip != "127.0.0.1" {
				return fmt.Errorf("%s is not loopback", ip)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(func() { srv.Close(); c.Close() })
	return c, srv
}

func request(t *testing.T, method, url, body string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header.Get("Content-Type")
}

const goodWorkload = `{"name":"web","kind":"stateless","replicas":2,"port":3000,"resources":{"milliCpu":100,"memoryBytes":1000},"template":{"name":"","command":["sleep","1"]}}`

func TestBadInputGetsAProblemNamingTheField(t *testing.T) {
	_, srv := newTestController(t)
	cases := []struct {
		method, path, body string
		status             int
		detail             string
	}{
		{"PUT", "/v1/workloads/web", `{"name":"web",`, 400, "body:"},
		{"PUT", "/v1/workloads/web", `{"name":"web","bogus":1}`, 400, "unknown field"},
		{"PUT", "/v1/workloads/web", strings.Replace(goodWorkload, `"stateless"`, `"sometimes"`, 1), 400, "kind:"},
		{"PUT", "/v1/workloads/web", strings.Replace(goodWorkload, `"replicas":2`, `"replicas":-1`, 1), 400, "replicas:"},
		{"PUT", "/v1/workloads/other", goodWorkload, 400, "name:"},
		{"PUT", "/v1/workloads/web", strings.Replace(goodWorkload, `["sleep","1"]`, `[]`, 1), 400, "command:"},
		{"PUT", "/v1/nodes/n1", `{"name":"n1","ip":"192.0.2.9","capacity":{"milliCpu":1,"memoryBytes":1}}`, 400, "not loopback"},
		{"POST", "/v1/workloads/nope/migrate", `{"to":"n1"}`, 404, "not found"},
		{"POST", "/v1/workloads/nope/migrate", `{}`, 400, "to:"},
		{"GET", "/v1/watch?since=abc", ``, 400, "since:"},
		{"GET", "/v1/watch?since=0&timeoutMs=999999", ``, 400, "timeoutMs:"},
	}
	for _, c := range cases {
		status, body, ctype := request(t, c.method, srv.URL+c.path, c.body)
		if status != c.status || ctype != "application/problem+json" || !strings.Contains(fmt.Sprint(body["detail"]), c.detail) {
			t.Errorf("%s %s %s: %d %s %v, want %d problem naming %q", c.method, c.path, c.body, status, ctype, body, c.status, c.detail)
		}
	}
	if status, _, _ := request(t, "PUT", srv.URL+"/v1/workloads/web", goodWorkload); status != 200 {
		t.Fatalf("good workload: %d", status)
	}
	if status, body, _ := request(t, "POST", srv.URL+"/v1/workloads/web/migrate", `{"to":"n1"}`); status != 409 {
		t.Fatalf("migrating a stateless workload: %d %v, want 409", status, body)
	}
}

func TestWatchReturnsChangesAndStatePersists(t *testing.T) {
	c, srv := newTestController(t)
	got := make(chan map[string]any, 1)
	go func() {
		_, body, _ := request(t, "GET", srv.URL+"/v1/watch?since=0&timeoutMs=20000", "")
		got <- body
	}()
	time.Sleep(100 * time.Millisecond) // the watch is parked; the change wakes it
	if status, _, _ := request(t, "PUT", srv.URL+"/v1/workloads/web", goodWorkload); status != 200 {
		t.Fatal(status)
	}
	select {
	case body := <-got:
		evs := body["events"].([]any)
		if len(evs) == 0 || evs[0].(map[string]any)["name"] != "web" {
			t.Fatalf("watch returned %v", body)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the watch did not wake up on a change")
	}
	// An empty watch times out with no events and the current revision.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	evs, rev, err := c.Store().Watch(ctx, c.Store().Snapshot().Rev)
	if err != nil || len(evs) != 0 || rev == 0 {
		t.Fatalf("idle watch: %v %d %v", evs, rev, err)
	}
	// Reopening the state file gives the same desired state (and the watch history is gone: 410).
	st, err := OpenStore(c.cfg.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := st.Snapshot().Workloads["web"]; !ok || w.Replicas != 2 {
		t.Fatalf("reopened state: %+v", st.Snapshot().Workloads)
	}
	if _, _, err := st.Watch(context.Background(), 0); err != ErrGone {
		t.Fatalf("watch from 0 after a restart: %v, want ErrGone", err)
	}
}
