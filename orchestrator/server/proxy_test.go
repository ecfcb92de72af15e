package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// backend is a loopback TCP server that greets each connection with its name and then echoes lines until the
// client closes, so a test can tell which endpoint a proxied connection reached and keep one open.
func backend(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.WriteString(c, name+"\n")
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// deadAddr is a loopback address nothing listens on (a listener opened and closed).
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func newTestProxy(t *testing.T) *Proxy {
	t.Helper()
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// greet connects through the proxy and returns the connection and the backend's greeting ("" when the proxy
// closed the connection: no endpoint could be reached).
func greet(t *testing.T, p *Proxy) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("read through the proxy: %v", err)
	}
	return c, strings.TrimSpace(line)
}

func TestProxyRoundRobinsAndFailsOverToTheNextEndpoint(t *testing.T) {
	a, b := backend(t, "a"), backend(t, "b")
	cases := []struct {
		name      string
		endpoints []string
		want      []string
	}{
		{"round robin over two", []string{a, b}, []string{"a", "b", "a", "b"}},
		{"a dead endpoint is skipped", []string{deadAddr(t), a}, []string{"a", "a", "a"}},
		{"no endpoint: the connection is closed", nil, []string{"", ""}},
		{"only dead endpoints: closed", []string{deadAddr(t)}, []string{""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestProxy(t)
			p.SetEndpoints(tc.endpoints)
			for i, want := range tc.want {
				c, got := greet(t, p)
				_ = c.Close()
				if got != want {
					t.Fatalf("connection %d reached %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestProxyCutsConnectionsToEndpointsThatLeft(t *testing.T) {
	a, b := backend(t, "a"), backend(t, "b")
	p := newTestProxy(t)
	p.SetEndpoints([]string{a})
	toA, got := greet(t, p)
	if got != "a" {
		t.Fatalf("reached %q, want a", got)
	}
	p.SetEndpoints([]string{a, b})
	// a is still an endpoint: its connection stays and still carries data.
	if _, err := io.WriteString(toA, "ping\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(toA)
	if line, err := r.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("kept connection: %q %v", line, err)
	}
	// a leaves (its node vanished without a FIN): the proxy closes the client's connection instead of leaving it
	// to hang until the client's own timeout; the read ends with EOF or a reset, not the deadline.
	p.SetEndpoints([]string{b})
	_, err := r.ReadString('\n')
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("connection to the departed endpoint: %v, want it closed", err)
	}
	if _, got := greet(t, p); got != "b" {
		t.Fatalf("new connection reached %q, want b", got)
	}
}

func TestEndpointsAreTheReadyInstancesOnReadyNodes(t *testing.T) {
	s := testState()
	s.Nodes["n1"] = Node{Name: "n1", IP: "10.0.0.1", Ready: true}
	s.Nodes["n2"] = Node{Name: "n2", IP: "10.0.0.2", Ready: true}
	s.Nodes["n3"] = Node{Name: "n3", IP: "10.0.0.3", Ready: false}
	s.Services["web"] = Service{Name: "web", Address: "127.0.0.1:1"}
	s.Instances = map[string]Instance{
		"web-2": {Name: "web-2", Workload: "web", Node: "n2", Ready: true},
		"web-1": {Name: "web-1", Workload: "web", Node: "n1", Ready: true},
		"web-3": {Name: "web-3", Workload: "web", Node: "n3", Ready: true},  // node not ready
		"web-4": {Name: "web-4", Workload: "web", Node: "n1", Ready: false}, // instance not ready
		"db-1":  {Name: "db-1", Workload: "db", Node: "n2", Ready: true},    // another workload
	}
	evs := endpoints(&s)
	want := "10.0.0.1:3000,10.0.0.2:3000"
	if got := strings.Join(s.Services["web"].Endpoints, ","); got != want {
		t.Fatalf("endpoints %q, want %q (sorted, ready instances on ready nodes only)", got, want)
	}
	if len(evs) != 1 || evs[0].Detail != want {
		t.Fatalf("events %+v, want one service put", evs)
	}
	if evs := endpoints(&s); len(evs) != 0 {
		t.Fatalf("unchanged endpoints produced events %+v", evs)
	}
}

// TestControllerReopensOnItsStateFile: a controller started again on the same state file has the same desired
// state and listens for each service on the same address, so clients configured with it reconnect. (`up` does
// not do this: it starts a new run; see docs/orchestrator.md.)
func TestControllerReopensOnItsStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{StatePath: path, ProxyIP: "127.0.0.1", CheckAddr: func(string) error { return nil }}
	c, err := NewController(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := Workload{Name: "web", Kind: Stateless, Replicas: 1, Port: 3000}
	w.Resources.MilliCPU, w.Resources.MemoryBytes = 100, 1000
	w.Template.Command = []string{"sleep", "1"}
	if err := c.PutWorkload(w); err != nil {
		t.Fatal(err)
	}
	addr := c.Store().Snapshot().Services["web"].Address
	c.Close()
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Fatalf("%s still accepts after Close", addr)
	}
	c2, err := NewController(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, ok := c2.Store().Snapshot().Workloads["web"]; !ok {
		t.Fatal("the reopened controller lost the workload")
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("service address %s not reopened: %v", addr, err)
	}
	conn.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
