package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"homelab/orchestrator/cli"
	"homelab/orchestrator/cluster"
	"homelab/orchestrator/internal/testenv"
	"homelab/orchestrator/platform"
	"homelab/orchestrator/server"
)

// requireBinaries skips locally (visibly) or fails under CI=true when the platform's programs are missing.
func requireBinaries(t *testing.T, repo string) {
	t.Helper()
	var missing []string
	if _, err := platform.PostgresBin(); err != nil {
		missing = append(missing, "PostgreSQL server (apt postgresql)")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		missing = append(missing, "redis-server (apt redis-server)")
	}
	if _, err := os.Stat(filepath.Join(repo, ".tools", "bin", "node")); err != nil {
		missing = append(missing, "bootstrapped Node (scripts/bootstrap.sh)")
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and missing: %s", strings.Join(missing, ", "))
	}
	t.Skipf("SKIP (visible): the platform run needs %s", strings.Join(missing, ", "))
}

type harness struct {
	t      *testing.T
	c      *cluster.Cluster
	apiKey string
	gw     string
}

func (h *harness) state() server.State { return h.c.Ctl.Store().Snapshot() }

// waitPlatform waits until every workload has its replicas ready and every service has endpoints.
func (h *harness) waitPlatform(timeout time.Duration, what string) {
	h.t.Helper()
	testenv.WaitFor(h.t, timeout, what, func() bool {
		s := h.state()
		ready := map[string]int{}
		for _, in := range s.Instances {
			if in.Ready && s.Nodes[in.Node].Ready {
				ready[in.Workload]++
			}
		}
		for name, w := range s.Workloads {
			if ready[name] < w.Replicas || len(s.Services[name].Endpoints) < w.Replicas {
				return false
			}
		}
		return len(s.Workloads) == 5
	})
}

// notes sends one request through the gateway's service address; header holds extra name, value pairs.
func (h *harness) notes(method, path string, body any, header ...string) (int, map[string]any) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+h.gw+path, r)
	req.Header.Set("x-api-key", h.apiKey)
	req.Header.Set("content-type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// writer creates notes until stopped and keeps the ids of those the gateway acknowledged (201).
type writer struct {
	mu    sync.Mutex
	acked []string
	tried int
	stop  chan struct{}
	done  chan struct{}
}

func (h *harness) startWriter() *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			code, body := h.notes(http.MethodPost, "/v1/notes", map[string]string{"title": fmt.Sprintf("n%d", i), "body": "durable"})
			w.mu.Lock()
			w.tried++
			if id, ok := body["id"].(string); code == http.StatusCreated && ok {
				w.acked = append(w.acked, id)
			}
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *writer) finish() ([]string, int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.acked), w.tried
}

// nodeOf is where a workload's first instance runs.
func (h *harness) nodeOf(workload string) string {
	for _, in := range h.state().Instances {
		if in.Workload == workload {
			return in.Node
		}
	}
	return ""
}

func TestPlatformOnThreeNodes(t *testing.T) {
	testenv.RequireIsolation(t)
	repo, _ := filepath.Abs("../..")
	requireBinaries(t, repo)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var log bytes.Buffer
	var logMu sync.Mutex
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 3, Exe: []string{exe, cliArg}, NodeTimeout: 2 * time.Second,
		Log: lockedWriter{&logMu, &log}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("teardown: %v", err)
		}
		if left := c.Leftovers(); len(left) > 0 {
			t.Errorf("orphans after teardown: %v", left)
		}
		if left := testenv.Orphans("orchestrator/"+c.Net.RunID, ""); len(left) > 0 {
			t.Errorf("orphan processes or cgroups after teardown: %v", left)
		}
		if t.Failed() {
			logMu.Lock()
			t.Logf("cluster log (last 8 KiB):\n%s", tail(log.String(), 8<<10))
			logMu.Unlock()
		}
	})
	p, err := platform.Load(repo)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, w := range p.Workloads() {
		if err := c.Ctl.PutWorkload(w); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{t: t, c: c, apiKey: p.APIKey, gw: h0(c).Services[platform.Gateway].Address}
	h.waitPlatform(240*time.Second, "the platform to be ready")
	t.Logf("platform ready on 3 nodes in %s", time.Since(start).Round(time.Millisecond))

	// Notes CRUD through the gateway's service address.
	code, note := h.notes(http.MethodPost, "/v1/notes", map[string]string{"title": "first", "body": "through the orchestrator"})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, note)
	}
	id := note["id"].(string)
	if code, got := h.notes(http.MethodGet, "/v1/notes/"+id, nil); code != 200 || got["body"] != "through the orchestrator" {
		t.Fatalf("read: %d %v", code, got)
	}
	// Update with the version read (If-Match), then the stale version is refused and every api replica reads
	// the new body (the write invalidated the shared cache).
	version := fmt.Sprint(note["version"])
	patch := map[string]string{"body": "updated through the orchestrator"}
	if code, got := h.notes(http.MethodPatch, "/v1/notes/"+id, patch, "if-match", `"`+version+`"`); code != 200 || got["body"] != patch["body"] {
		t.Fatalf("update: %d %v", code, got)
	}
	if code, got := h.notes(http.MethodPatch, "/v1/notes/"+id, patch, "if-match", `"`+version+`"`); code != http.StatusPreconditionFailed {
		t.Fatalf("update with a stale version: %d %v, want 412", code, got)
	}
	for range 4 { // several connections: the proxy spreads them over the api replicas
		if code, got := h.notes(http.MethodGet, "/v1/notes/"+id, nil); code != 200 || got["body"] != patch["body"] {
			t.Fatalf("read after update: %d %v", code, got)
		}
	}
	if code, _ := h.notes(http.MethodDelete, "/v1/notes/"+id, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if code, _ := h.notes(http.MethodGet, "/v1/notes/"+id, nil); code != http.StatusNotFound {
		t.Fatalf("read after delete: %d, want 404", code)
	}

	w := h.startWriter()
	pgNode := h.nodeOf(platform.Postgres)

	// 1. Kill the agent of a node that runs an api instance but not PostgreSQL: the api instance moves.
	var victim string
	for _, in := range h.state().Instances {
		if in.Workload == platform.API && in.Node != pgNode {
			victim = in.Node
		}
	}
	if victim == "" {
		t.Fatalf("every api instance shares PostgreSQL's node %s", pgNode)
	}
	killed := time.Now()
	// Through the CLI and the REST API, as an operator (or a drill) would.
	t.Setenv("ORCHESTRATOR_URL", c.URL)
	if code := cli.Main([]string{"node", "kill-agent", victim}); code != 0 {
		t.Fatalf("orchestrator node kill-agent %s: exit %d", victim, code)
	}
	testenv.WaitFor(t, 60*time.Second, "api replaced off "+victim, func() bool {
		s := h.state()
		n := 0
		for _, in := range s.Instances {
			if in.Workload == platform.API && in.Ready && in.Node != victim {
				n++
			}
		}
		return n >= s.Workloads[platform.API].Replicas
	})
	t.Logf("stateless api moved off %s (agent killed) in %s", victim, time.Since(killed).Round(time.Millisecond))
	if err := c.RestoreNode(ctx, victim); err != nil {
		t.Fatal(err)
	}
	h.waitPlatform(120*time.Second, "the platform after the agent came back")
	// The returned agent adopted its workloads; the controller stopped the ones replaced meanwhile.
	testenv.WaitFor(t, 30*time.Second, "no duplicate instances on "+victim, func() bool {
		s := h.state()
		want := map[string]bool{}
		for _, in := range s.Instances {
			if in.Node == victim {
				want[in.Name] = true
			}
		}
		var got []map[string]any
		n, _ := c.Net.Node(victim)
		resp, err := http.Get(fmt.Sprintf("http://%s:%d/v1/workloads", n.IP, cluster.AgentPort))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_ = json.NewDecoder(resp.Body).Decode(&got)
		// The same names, not only as many: a replaced instance left running beside a new one would match a count.
		have := map[string]bool{}
		for _, w := range got {
			name, _ := w["name"].(string)
			have[name] = true
		}
		return len(got) == len(want) && maps.Equal(have, want)
	})

	// 2. Kill PostgreSQL's node: the stateful workload waits for it (its volume is there), no acknowledged
	// note is lost when it returns.
	pgNode = h.nodeOf(platform.Postgres)
	if err := c.KillNode(pgNode); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 30*time.Second, "postgres waiting for "+pgNode, func() bool {
		return strings.Contains(h.state().Conditions[platform.Postgres].Message, "waiting for node "+pgNode)
	})
	time.Sleep(2 * time.Second) // several reconciliations: it must still not have moved
	if got := h.nodeOf(platform.Postgres); got != pgNode {
		t.Fatalf("postgres moved to %s without its volume", got)
	}
	if err := c.RestoreNode(ctx, pgNode); err != nil {
		t.Fatal(err)
	}
	h.waitPlatform(180*time.Second, "the platform after PostgreSQL's node came back")

	// 3. Migrate PostgreSQL explicitly: stop -> copy -> start on another node.
	var target string
	for _, n := range c.Net.Nodes {
		if n.Name != pgNode {
			target = n.Name
		}
	}
	if err := c.Ctl.Migrate(ctx, platform.Postgres, target); err != nil {
		t.Fatal(err)
	}
	h.waitPlatform(180*time.Second, "the platform after migrating PostgreSQL")
	if got := h.nodeOf(platform.Postgres); got != target {
		t.Fatalf("postgres runs on %s after the migration to %s", got, target)
	}

	// Writes resume, then every acknowledged note is there.
	testenv.WaitFor(t, 60*time.Second, "writes accepted again", func() bool {
		code, _ := h.notes(http.MethodPost, "/v1/notes", map[string]string{"title": "after", "body": "migration"})
		return code == http.StatusCreated
	})
	acked, tried := w.finish()
	t.Logf("%d of %d writes acknowledged across the failures", len(acked), tried)
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	have := h.allNoteIDs()
	var lost []string
	for _, id := range acked {
		if !have[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d acknowledged notes lost: %v", len(lost), lost[:min(5, len(lost))])
	}
}

// allNoteIDs pages through the notes list.
func (h *harness) allNoteIDs() map[string]bool {
	h.t.Helper()
	out := map[string]bool{}
	cursor := ""
	for range 1000 {
		path := "/v1/notes?limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var code int
		var page map[string]any
		testenv.WaitFor(h.t, 30*time.Second, "a page of notes", func() bool {
			code, page = h.notes(http.MethodGet, path, nil)
			return code == 200
		})
		for _, n := range page["notes"].([]any) {
			out[n.(map[string]any)["id"].(string)] = true
		}
		next, _ := page["nextCursor"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
	return out
}

func h0(c *cluster.Cluster) server.State { return c.Ctl.Store().Snapshot() }

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
