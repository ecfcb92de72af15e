package agent

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAgentAPIRefusesBadInputWithAProblem(t *testing.T) {
	m, _, _ := newTestManager(t)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	cases := []struct {
		method, path, body string
		status             int
		detail             string
	}{
		{"PUT", "/v1/workloads/a", `{"name":"a"`, 400, "body:"},
		{"PUT", "/v1/workloads/a", `{"name":"b","command":["true"]}`, 400, "name:"},
		{"PUT", "/v1/workloads/a", `{"name":"a","command":[]}`, 400, "command:"},
		{"PUT", "/v1/workloads/a", `{"name":"a","command":["true"],"limits":{"memoryBytes":-1}}`, 400, "limits:"},
		{"GET", "/v1/volumes/nope/archive", ``, 404, "not on this node"},
		{"PUT", "/v1/volumes/Bad..Name/archive", ``, 400, "name:"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(body["detail"].(string), c.detail) {
			t.Errorf("%s %s: %d %v, want %d naming %q", c.method, c.path, resp.StatusCode, body, c.status, c.detail)
		}
	}
	// A volume in use is neither archived nor deleted: a copy of a running database would be torn.
	if err := m.Apply(Spec{Name: "db", Volume: "data", Command: []string{"sleep", "1000"}}); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "DELETE"} {
		path := "/v1/volumes/data"
		if method == "GET" {
			path += "/archive"
		}
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("%s %s while in use: %d, want 409", method, path, resp.StatusCode)
		}
	}
}
