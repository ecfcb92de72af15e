package agent

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"time"
)

// probe runs the readiness and liveness checks of one run until ctx ends. Readiness flips Ready (and ReadyAt on
// the first pass); FailureThreshold consecutive liveness failures kill the run, which the restart policy then
// restarts.
func (m *Manager) probe(ctx context.Context, w *workload, pid int) {
	ready, live := w.spec.Readiness, w.spec.Liveness
	if ready == nil && live == nil {
		return
	}
	client := &http.Client{}
	check := func(p *Probe) bool {
		cctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		if p.HTTP != "" {
			req, err := http.NewRequestWithContext(cctx, http.MethodGet, p.HTTP, nil)
			if err != nil {
				return false
			}
			resp, err := client.Do(req)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode >= 200 && resp.StatusCode < 400
		}
		// Exec checks run inside the workload's namespaces, so they see what the workload sees.
		args := append([]string{"--target", strconv.Itoa(pid), "--mount", "--uts", "--ipc", "--net", "--pid", "--"}, p.Exec...)
		return exec.CommandContext(cctx, "nsenter", args...).Run() == nil
	}
	var nextReady, nextLive time.Time
	started := time.Now()
	liveFailures := 0
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if ready != nil && !now.Before(nextReady) {
				ok := check(ready)
				m.mu.Lock()
				if ok && w.status.ReadyAt == nil {
					t := time.Now()
					w.status.ReadyAt = &t
				}
				if ok != w.status.Ready {
					w.status.Ready = ok
					if ok {
						w.status.State = Running
					}
				}
				m.mu.Unlock()
				// Poll fast until the first pass (start-up latency matters), then at the configured period.
				next := ready.period()
				if !ok && w.status.ReadyAt == nil {
					next = 50 * time.Millisecond
				}
				nextReady = time.Now().Add(next)
			}
			m.mu.Lock()
			wasReady := w.status.ReadyAt != nil
			m.mu.Unlock()
			// Liveness starts once the workload was ready (a start-up phase, like Kubernetes' startup probe):
			// a slow start is not a hang. Without a readiness check it starts after the initial delay.
			if live != nil && (wasReady || (ready == nil && time.Since(started) >= live.initialDelay())) && !now.Before(nextLive) {
				if check(live) {
					liveFailures = 0
				} else if liveFailures++; liveFailures >= live.threshold() {
					fmt.Fprintf(m.logs.out(), "agent: %s failed %d liveness checks; killing it\n", w.spec.Name, liveFailures)
					select {
					case w.kill <- "liveness":
					default:
					}
					return
				}
				nextLive = time.Now().Add(live.period())
			}
		}
	}
}
