package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"homelab/orchestrator/agent"
)

// runAgent is `orchestrator agent`: the process manager on its own, with its HTTP API. SIGTERM/SIGINT stop
// every workload and remove the cgroups (an orderly exit); SIGKILL leaves them running for the next agent to
// adopt.
func runAgent(args []string) error {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	root := fs.String("root", "/var/lib/orchestrator/agent", "state, logs and volumes")
	parent := fs.String("cgroup-parent", "orchestrator/agent", "cgroup path the workloads' groups go under")
	hide := fs.String("hide", "", "directory workloads must not see, holding --root (default --root; a cluster passes its run directory)")
	listen := fs.String("listen", "127.0.0.1:7070", "the HTTP API's address")
	adopt := fs.Bool("adopt", true, "adopt workloads a previous agent left running (false: stop them)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("agent: own executable: %w", err)
	}
	m, err := agent.New(agent.Config{Root: *root, HideDir: *hide, CgroupParent: *parent, ShimExe: exe, Log: os.Stdout, Adopt: *adopt})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Printf("agent: listening on %s, root %s, cgroups under %s\n", ln.Addr(), *root, *parent)
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	_ = srv.Close()
	if err := m.Shutdown(); err != nil {
		return err
	}
	return m.RemoveCgroupParent()
}
