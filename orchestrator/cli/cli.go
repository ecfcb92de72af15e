// Package cli is the orchestrator's command line: the node agent, a whole cluster on this machine (`up`), and
// the client commands that drive the API server.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"homelab/orchestrator/cluster"
	"homelab/orchestrator/nodes"
	"homelab/orchestrator/platform"
	"homelab/orchestrator/server"
)

const usage = `orchestrator: a small orchestrator whose node agent is a process manager.

  orchestrator agent [--root DIR] [--cgroup-parent P] [--listen ADDR] [--adopt=false]
  orchestrator up [--nodes 3] [--listen 127.0.0.1:7700] [--platform REPO]   a cluster on this machine (root)
  orchestrator get workloads|nodes|instances|volumes|services|conditions
  orchestrator apply -f FILE        a workload (or a JSON array of them)
  orchestrator delete NAME
  orchestrator migrate NAME --to NODE
  orchestrator watch [--since REV]
  orchestrator node kill-agent|kill|restore NODE   fault injection on a cluster started by 'up'
  orchestrator sweep                undo the host changes of runs that were killed

The client commands talk to $ORCHESTRATOR_URL (default http://127.0.0.1:7700).
`

// Main runs one command and returns the exit code.
func Main(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "agent":
		err = runAgent(args[1:])
	case "up":
		err = runUp(args[1:])
	case "get":
		err = runGet(args[1:])
	case "apply":
		err = runApply(args[1:])
	case "delete":
		err = runDelete(args[1:])
	case "migrate":
		err = runMigrate(args[1:])
	case "watch":
		err = runWatch(args[1:])
	case "node":
		err = runNode(args[1:])
	case "sweep":
		err = nodes.Sweep()
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "orchestrator: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "orchestrator %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func serverURL() string {
	if u := os.Getenv("ORCHESTRATOR_URL"); u != "" {
		return u
	}
	return "http://127.0.0.1:7700"
}

func runUp(args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	n := fs.Int("nodes", 3, "how many nodes")
	listen := fs.String("listen", "127.0.0.1:7700", "the REST API's address (loopback)")
	repo := fs.String("platform", "", "run the homelab platform from this checkout (PostgreSQL, Redis, api, gateway, web)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c, err := cluster.Start(ctx, cluster.Options{Nodes: *n, Exe: []string{exe}, APIAddr: *listen, Log: os.Stdout})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("up: tearing down")
		if err := c.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "up: teardown: %v\n", err)
		}
	}()
	fmt.Printf("up: API at %s, bridge %s (%s.0/24), %d nodes\n", c.URL, c.Net.Bridge, c.Net.Subnet, *n)
	if *repo != "" {
		p, err := platform.Load(*repo)
		if err != nil {
			return err
		}
		for _, w := range p.Workloads() {
			if err := c.Ctl.PutWorkload(w); err != nil {
				return fmt.Errorf("apply %s: %w", w.Name, err)
			}
		}
		fmt.Printf("up: platform applied; API key for the gateway: %s\n", p.APIKey)
	}
	<-ctx.Done()
	return nil
}

func do(method, path string, in any, out io.Writer) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, serverURL()+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	if out != nil && len(b) > 0 {
		var v any
		if json.Unmarshal(b, &v) == nil {
			b, _ = json.MarshalIndent(v, "", "  ")
		}
		_, _ = fmt.Fprintln(out, string(b))
	}
	return nil
}

func runGet(args []string) error {
	if len(args) != 1 {
		return errors.New("get: name one of workloads, nodes, instances, volumes, services, conditions")
	}
	return do(http.MethodGet, "/v1/"+args[0], nil, os.Stdout)
}

func runApply(args []string) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	file := fs.String("f", "", "a JSON workload or array of workloads")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var many []server.Workload
	if err := json.Unmarshal(b, &many); err != nil {
		var one server.Workload
		if err := json.Unmarshal(b, &one); err != nil {
			return fmt.Errorf("%s: neither a workload nor an array of them: %w", *file, err)
		}
		many = []server.Workload{one}
	}
	for _, w := range many {
		if err := do(http.MethodPut, "/v1/workloads/"+w.Name, w, nil); err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
		fmt.Printf("workload %s applied\n", w.Name)
	}
	return nil
}

func runDelete(args []string) error {
	if len(args) != 1 {
		return errors.New("delete: name one workload")
	}
	return do(http.MethodDelete, "/v1/workloads/"+args[0], nil, nil)
}

func runMigrate(args []string) error {
	if len(args) < 1 {
		return errors.New("migrate: NAME --to NODE")
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	to := fs.String("to", "", "the target node")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return do(http.MethodPost, "/v1/workloads/"+args[0]+"/migrate", map[string]string{"to": *to}, os.Stdout)
}

func runWatch(args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	since := fs.Int64("since", 0, "the revision to watch from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for {
		var resp struct {
			Rev    int64          `json:"rev"`
			Events []server.Event `json:"events"`
		}
		var buf bytes.Buffer
		if err := do(http.MethodGet, fmt.Sprintf("/v1/watch?since=%d&timeoutMs=30000", *since), nil, &buf); err != nil {
			return err
		}
		if err := json.Unmarshal(buf.Bytes(), &resp); err != nil {
			return err
		}
		for _, e := range resp.Events {
			fmt.Printf("%d %s %s %s %s\n", e.Rev, e.Type, e.Action, e.Name, e.Detail)
		}
		*since = resp.Rev
	}
}

func runNode(args []string) error {
	if len(args) != 2 || (args[0] != "kill-agent" && args[0] != "kill" && args[0] != "restore") {
		return errors.New("node: kill-agent|kill|restore NODE")
	}
	return do(http.MethodPost, "/v1/nodes/"+args[1]+"/"+args[0], nil, nil)
}
