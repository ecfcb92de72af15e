package cli

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMainRefusesUnknownCommandsAndBadArguments(t *testing.T) {
	cases := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"help"}, 0},
		{[]string{"get"}, 1},
		{[]string{"node", "explode", "n1"}, 1},
		{[]string{"migrate"}, 1},
		{[]string{"apply", "-f", "/nonexistent.json"}, 1},
	}
	for _, c := range cases {
		if got := Main(c.args); got != c.code {
			t.Errorf("Main(%v) = %d, want %d", c.args, got, c.code)
		}
	}
}

func TestClientCommandsReportTheServersProblem(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.URL.Path
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"detail":"both nodes must be ready"}`))
	}))
	defer srv.Close()
	t.Setenv("ORCHESTRATOR_URL", srv.URL)
	if code := Main([]string{"migrate", "postgres", "--to", "n3"}); code != 1 {
		t.Fatalf("a 409 from the server gave exit %d, want 1", code)
	}
	if got != "POST /v1/workloads/postgres/migrate" {
		t.Fatalf("the CLI sent %q", got)
	}
	if code := Main([]string{"node", "kill", "n2"}); code != 1 || got != "POST /v1/nodes/n2/kill" {
		t.Fatalf("node kill: exit %d, request %q", code, got)
	}
}
