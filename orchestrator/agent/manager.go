// Package agent is the process manager: it runs workloads as isolated process trees (own pid, mount, uts, ipc and
// optionally net namespaces, a cgroup with limits), checks their readiness and liveness, restarts them with a
// per-workload exponential back-off, reports OOM kills from the kernel's counters, multiplexes their logs, and
// persists its state so a restarted agent adopts the workloads still running (or cleans them up). It is usable
// alone (cmd/orchestrator agent) and is the node agent of the orchestrator.
package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/shim"
)

// Config configures a Manager.
type Config struct {
	// Root holds the state file, the logs and the volumes; workloads see none of it but their own volume.
	Root string
	// HideDir is the directory every workload has covered (its own volume is bound back). Default Root. A
	// cluster whose node roots are siblings sets the directory holding all of them, so a workload on one node
	// cannot read or write another node's volumes (they share uids: api and Redis both run as 65534).
	HideDir string
	// CgroupParent is the cgroup path (below each hierarchy) under which each workload gets its group.
	CgroupParent string
	// ShimExe is the executable started with shim.Arg (the orchestrator binary, or a test binary).
	ShimExe string
	// Log receives every workload's output, each line prefixed with the workload's name. Nil: discarded.
	Log io.Writer
	// Adopt keeps workloads that are still running from a previous agent; false stops them (clean start).
	Adopt bool
	// StopGrace is how long a workload has between SIGTERM and SIGKILL. Default 5 s.
	StopGrace time.Duration
	// Backoff is the first restart delay (doubled per crash, up to BackoffMax, reset after 10 s of running).
	Backoff, BackoffMax time.Duration
}

// Manager runs the workloads of one node.
type Manager struct {
	cfg     Config
	mu      sync.Mutex
	ws      map[string]*workload
	logs    *mux
	closing bool
	saveMu  sync.Mutex // one writer of the state file at a time (they share the temporary file)
	detach  chan struct{}
}

type workload struct {
	spec    Spec
	group   cgroup.Group
	status  Status
	stop    chan struct{} // closed to stop the workload for good
	done    chan struct{} // closed when the supervisor returns
	kill    chan string   // a reason to kill the current run (liveness)
	removed chan struct{} // closed once the stop's clean-up (cgroup, log) is done
	stopped bool
}

// record is one workload in the state file.
type record struct {
	Spec       Spec         `json:"spec"`
	Group      cgroup.Group `json:"group"`
	Pid        int          `json:"pid"`
	StartTicks uint64       `json:"startTicks"`
	Restarts   int          `json:"restarts"`
}

// New starts a manager on cfg.Root, adopting or cleaning up what a previous agent left there.
func New(cfg Config) (*Manager, error) {
	if cfg.Root == "" || cfg.CgroupParent == "" || cfg.ShimExe == "" {
		return nil, errors.New("agent: Root, CgroupParent and ShimExe are required")
	}
	if cfg.HideDir == "" {
		cfg.HideDir = cfg.Root
	}
	if rel, err := filepath.Rel(cfg.HideDir, cfg.Root); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("agent: HideDir %s must contain Root %s (it hides the agent's own files too)", cfg.HideDir, cfg.Root)
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 5 * time.Second
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	for _, d := range []string{cfg.Root, filepath.Join(cfg.Root, "logs"), filepath.Join(cfg.Root, "volumes")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("agent: create %s: %w", d, err)
		}
	}
	m := &Manager{cfg: cfg, ws: map[string]*workload{}, logs: newMux(cfg.Log), detach: make(chan struct{})}
	if err := m.recover(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Manager) statePath() string { return filepath.Join(m.cfg.Root, "state.json") }

// LogPath is the file a workload's output goes to (it outlives the agent, so a restart does not cut it off).
func (m *Manager) LogPath(name string) string { return filepath.Join(m.cfg.Root, "logs", name+".log") }

// VolumePath is where a workload's volume lives on this node.
func (m *Manager) VolumePath(volume string) string {
	return filepath.Join(m.cfg.Root, "volumes", volume)
}

// recover reads the state file: workloads whose process still runs (same pid and start time, so a reused pid is
// not mistaken for ours) are adopted, the others started again; cgroups nobody owns are removed.
func (m *Manager) recover() error {
	var recs map[string]record
	b, err := os.ReadFile(m.statePath())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("agent: read state: %w", err)
	default:
		if err := json.Unmarshal(b, &recs); err != nil {
			return fmt.Errorf("agent: state file %s is corrupt: %w", m.statePath(), err)
		}
	}
	names := make([]string, 0, len(recs))
	for n := range recs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := recs[n]
		alive := r.Pid > 0 && startTicks(r.Pid) == r.StartTicks
		if !m.cfg.Adopt {
			if err := r.Group.Remove(); err != nil {
				return fmt.Errorf("agent: clean up %s: %w", n, err)
			}
			continue
		}
		w := m.newWorkload(r.Spec)
		w.status.Restarts = r.Restarts
		if alive {
			w.status.Adopted = true
			go m.supervise(w, &adopted{pid: r.Pid})
		} else {
			go m.supervise(w, nil)
		}
		m.ws[n] = w
	}
	// Groups under our parent that no record owns are leftovers of a crash between start and save.
	entries, _ := os.ReadDir(filepath.Join(cgroup.Root, v1OrV2Dir(), m.cfg.CgroupParent))
	for _, e := range entries {
		if _, ok := m.ws[e.Name()]; e.IsDir() && !ok {
			if err := cgroup.RemoveTree(filepath.Join(m.cfg.CgroupParent, e.Name())); err != nil {
				return fmt.Errorf("agent: remove orphan cgroup %s: %w", e.Name(), err)
			}
		}
	}
	return m.save()
}

func v1OrV2Dir() string {
	if cgroup.Version() == 2 {
		return ""
	}
	return "memory"
}

func (m *Manager) newWorkload(s Spec) *workload {
	return &workload{
		spec:    s,
		group:   cgroup.New(filepath.Join(m.cfg.CgroupParent, s.Name)),
		status:  Status{Name: s.Name, State: Starting, Spec: s},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		kill:    make(chan string, 1),
		removed: make(chan struct{}),
	}
}

// save writes the state file atomically (write a temporary file, then rename).
func (m *Manager) save() error {
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	m.mu.Lock()
	recs := map[string]record{}
	for n, w := range m.ws {
		if w.stopped {
			continue
		}
		pid := w.status.Pid
		recs[n] = record{Spec: w.spec, Group: w.group, Pid: pid, StartTicks: startTicks(pid), Restarts: w.status.Restarts}
	}
	m.mu.Unlock()
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return fmt.Errorf("agent: encode state: %w", err)
	}
	tmp := m.statePath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("agent: write state: %w", err)
	}
	if err := os.Rename(tmp, m.statePath()); err != nil {
		return fmt.Errorf("agent: write state: %w", err)
	}
	return nil
}

// Apply runs spec: starts it when new, restarts it when the spec changed, leaves it alone when unchanged.
func (m *Manager) Apply(spec Spec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	old, ok := m.ws[spec.Name]
	m.mu.Unlock()
	if ok {
		if equalSpec(old.spec, spec) {
			return nil
		}
		if err := m.Remove(spec.Name); err != nil {
			return err
		}
	}
	if spec.Volume != "" {
		dir := m.VolumePath(spec.Volume)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("agent: volume %s: %w", spec.Volume, err)
		}
		if err := os.Chown(dir, int(spec.UID), int(spec.GID)); err != nil {
			return fmt.Errorf("agent: volume %s: %w", spec.Volume, err)
		}
	}
	w := m.newWorkload(spec)
	m.mu.Lock()
	if m.closing {
		m.mu.Unlock()
		return errors.New("agent: shutting down")
	}
	m.ws[spec.Name] = w
	m.mu.Unlock()
	go m.supervise(w, nil)
	return m.save()
}

func equalSpec(a, b Spec) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Remove stops a workload (SIGTERM, then SIGKILL to its whole cgroup after the grace period), deletes its cgroup
// and log file and forgets it. Its volume stays.
func (m *Manager) Remove(name string) error {
	m.mu.Lock()
	w, ok := m.ws[name]
	first := ok && !w.stopped
	if first {
		w.stopped = true
		close(w.stop)
	}
	m.mu.Unlock()
	if !ok {
		return nil
	}
	if !first {
		<-w.removed // a concurrent Remove does the clean-up; wait for it
		return nil
	}
	defer close(w.removed)
	<-w.done
	if err := w.group.Remove(); err != nil {
		return fmt.Errorf("agent: remove %s: %w", name, err)
	}
	m.mu.Lock()
	if m.ws[name] == w {
		delete(m.ws, name)
	}
	m.mu.Unlock()
	m.logs.forget(name)
	// A removed workload's log goes with it (the multiplexed stream kept its lines); a new workload of the same
	// name starts a fresh file.
	if err := os.Remove(m.LogPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("agent: remove log of %s: %w", name, err)
	}
	return m.save()
}

// List reports every workload, sorted by name.
func (m *Manager) List() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, 0, len(m.ws))
	for _, w := range m.ws {
		out = append(out, w.status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get reports one workload.
func (m *Manager) Get(name string) (Status, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.ws[name]
	if !ok {
		return Status{}, false
	}
	return w.status, true
}

// Group is a workload's cgroup (tests check what the kernel enforces).
func (m *Manager) Group(name string) (cgroup.Group, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.ws[name]
	if !ok {
		return cgroup.Group{}, false
	}
	return w.group, true
}

// Shutdown stops every workload and removes their cgroups (the agent's orderly exit when asked to clean up).
func (m *Manager) Shutdown() error {
	if m.detached() {
		return nil // its workloads belong to the next agent now
	}
	m.mu.Lock()
	m.closing = true
	names := make([]string, 0, len(m.ws))
	for n := range m.ws {
		names = append(names, n)
	}
	m.mu.Unlock()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, n := range names {
		wg.Go(func() {
			if err := m.Remove(n); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		})
	}
	wg.Wait()
	m.logs.close()
	return errors.Join(errs...)
}

// Detach leaves every workload running and stops only supervising them: what happens when an agent is
// restarted (the next agent adopts them from the state file). Used by tests to simulate an agent crash.
func (m *Manager) Detach() {
	m.mu.Lock()
	if !m.closing {
		m.closing = true
		close(m.detach)
	}
	m.mu.Unlock()
	m.logs.close()
}

func (m *Manager) detached() bool {
	select {
	case <-m.detach:
		return true
	default:
		return false
	}
}

// adopted is a process started by an earlier agent: not our child, so its exit is seen through a pidfd.
type adopted struct{ pid int }

// run is one start of a workload: the shim process and how to wait for it.
type run struct {
	pid  int
	code int
	wait func() int // blocks until the shim exits; its exit code, -1 when unknown
}

func (m *Manager) spawn(w *workload) (*run, error) {
	logf, err := os.OpenFile(m.LogPath(w.spec.Name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("agent: log file: %w", err)
	}
	defer logf.Close()
	r, wr, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("agent: pipe: %w", err)
	}
	defer wr.Close()
	cmd := exec.Command(m.cfg.ShimExe, shim.Arg)
	cmd.ExtraFiles = []*os.File{r}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), shim.OwnerEnv + "=" + m.cfg.CgroupParent}
	// Setsid: a Ctrl-C at the agent's terminal must not reach the workloads (they outlive an agent restart).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Cloneflags: cloneFlags(w.spec)}
	if err := cmd.Start(); err != nil {
		r.Close()
		return nil, fmt.Errorf("agent: start shim for %s: %w", w.spec.Name, err)
	}
	r.Close()
	pid := cmd.Process.Pid
	fail := func(err error) (*run, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	// The shim blocks until it has its config; it joins the cgroup before it runs anything of the workload.
	if err := w.group.Create(limits(w.spec.Limits)); err != nil {
		return fail(err)
	}
	if on(StepCgroup) {
		if err := w.group.Add(pid); err != nil {
			return fail(err)
		}
	}
	c := shim.Config{Command: w.spec.Command, Env: m.env(w.spec), Dir: w.spec.Dir, Hostname: w.spec.Name,
		UID: w.spec.UID, GID: w.spec.GID, HideDir: m.hideDir()}
	if w.spec.Volume != "" {
		c.Volume = m.VolumePath(w.spec.Volume)
	}
	shimSteps(&c, w.spec)
	if err := json.NewEncoder(wr).Encode(c); err != nil {
		return fail(fmt.Errorf("agent: send config to shim: %w", err))
	}
	return &run{pid: pid, wait: func() int {
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()) // the shell convention: 137 is SIGKILL
		}
		return cmd.ProcessState.ExitCode()
	}}, nil
}

func (m *Manager) env(s Spec) []string {
	env := append([]string{}, s.Env...)
	hasPath := false
	for _, e := range env {
		if len(e) > 5 && e[:5] == "PATH=" {
			hasPath = true
		}
	}
	if !hasPath {
		env = append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	env = append(env, "HOSTNAME="+s.Name)
	if s.Volume != "" {
		env = append(env, "VOLUME_DIR="+m.VolumePath(s.Volume))
	}
	return env
}

// supervise owns one workload for its whole life: start, wait, check, restart with back-off, stop.
func (m *Manager) supervise(w *workload, adopt *adopted) {
	defer close(w.done)
	delay := m.cfg.Backoff
	for {
		var r *run
		var err error
		if adopt != nil {
			r = &run{pid: adopt.pid, wait: waitPidfd(adopt.pid)}
			adopt = nil
		} else {
			r, err = m.spawn(w)
		}
		started := time.Now()
		oomBefore, _ := w.group.OOMKills()
		if err != nil {
			m.setExit(w, Exit{Code: 127, At: time.Now(), Reason: "start failed: " + err.Error()}, 0)
		} else {
			m.mu.Lock()
			w.status.Pid, w.status.StartedAt, w.status.State, w.status.Ready, w.status.ReadyAt = r.pid, started, Starting, false, nil
			if w.spec.Readiness == nil {
				w.status.State, w.status.Ready = Running, true
			}
			m.mu.Unlock()
			_ = m.save()
			m.logs.follow(w.spec.Name, m.LogPath(w.spec.Name))
			reason := m.watch(w, r, oomBefore)
			if reason == "detached" {
				return // a detached agent leaves everything as it is, like one that crashed
			}
			oom, _ := w.group.OOMKills()
			code := -1
			if r != nil {
				code = r.code
			}
			e := Exit{Code: code, At: time.Now(), Reason: reason, OOMKilled: oom > oomBefore}
			if e.OOMKilled && reason == "exited" {
				e.Reason = "oom"
			}
			m.setExit(w, e, oom)
		}
		select {
		case <-w.stop:
			m.finish(w, Stopped)
			return
		default:
		}
		if !restartWanted(w.spec.Restart, w.status.LastExit) {
			m.finish(w, Exited)
			return
		}
		if time.Since(started) > 10*time.Second {
			delay = m.cfg.Backoff // it ran long enough: this crash starts a fresh back-off
		}
		m.mu.Lock()
		w.status.State = Backoff
		m.mu.Unlock()
		select {
		case <-w.stop:
			m.finish(w, Stopped)
			return
		case <-m.detach:
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, m.cfg.BackoffMax)
		m.mu.Lock()
		w.status.Restarts++
		m.mu.Unlock()
	}
}

func restartWanted(policy string, e *Exit) bool {
	switch policy {
	case "never":
		return false
	case "on-failure":
		return e == nil || e.Code != 0 || e.OOMKilled
	}
	return true
}

// watch waits for the run to end, running its checks and honouring stop; it returns why the run ended.
func (m *Manager) watch(w *workload, r *run, oomBefore int64) string {
	exited := make(chan int, 1)
	go func() { exited <- r.wait() }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.probe(ctx, w, r.pid)
	go m.watchOOM(ctx, w, oomBefore)
	reason := "exited"
	select {
	case r.code = <-exited:
		return reason
	case <-m.detach:
		return "detached"
	case reason = <-w.kill:
	case <-w.stop:
		reason = "stopped"
		_ = syscall.Kill(r.pid, syscall.SIGTERM) // the shim forwards it to the workload
		select {
		case r.code = <-exited:
			_ = w.group.Kill(5 * time.Second) // whatever the workload left behind
			return reason
		case <-time.After(m.cfg.StopGrace):
		}
	}
	if err := w.group.Kill(10 * time.Second); err != nil {
		fmt.Fprintf(m.cfg.Log, "agent: %s: %v\n", w.spec.Name, err)
	}
	_ = syscall.Kill(r.pid, syscall.SIGKILL) // not in the group only when the cgroup step is switched off
	r.code = <-exited
	return reason
}

// watchOOM reports an OOM kill while the workload keeps running (a child was killed, not the main process).
func (m *Manager) watchOOM(ctx context.Context, w *workload, before int64) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := w.group.OOMKills(); err == nil && n > before {
				m.mu.Lock()
				w.status.OOMKills = n
				m.mu.Unlock()
			}
		}
	}
}

func (m *Manager) setExit(w *workload, e Exit, oom int64) {
	m.mu.Lock()
	w.status.LastExit, w.status.Ready, w.status.ReadyAt = &e, false, nil
	if oom > w.status.OOMKills {
		w.status.OOMKills = oom
	}
	m.mu.Unlock()
	fmt.Fprintf(m.logs.out(), "agent: %s exited: code %d, reason %s, oom-killed %v\n", w.spec.Name, e.Code, e.Reason, e.OOMKilled)
}

func (m *Manager) finish(w *workload, s State) {
	m.mu.Lock()
	w.status.State, w.status.Ready, w.status.Pid = s, false, 0
	m.mu.Unlock()
	_ = m.save()
}
