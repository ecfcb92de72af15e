package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"homelab/orchestrator/agent"
	"homelab/orchestrator/scheduler"
)

// Config configures the control plane.
type Config struct {
	StatePath string
	// ProxyIP is where service proxies listen: the run's bridge address, reachable from every node.
	ProxyIP string
	// CheckAddr refuses an address that is not on this machine's own networks before anything dials it.
	CheckAddr func(ip string) error
	// NodeTimeout is how long a node may miss heartbeats before it is not ready and its stateless instances
	// are replaced elsewhere. Default 3 s.
	NodeTimeout time.Duration
	// Interval between reconciliations. Default 250 ms.
	Interval time.Duration
	Log      io.Writer
}

// Controller is the control plane: the store, the reconcile loop and the service proxies.
type Controller struct {
	cfg       Config
	store     *Store
	client    *http.Client
	mu        sync.Mutex
	proxies   map[string]*Proxy
	migrating map[string]bool
}

// NewController opens the store and the proxies of the services it already knows.
func NewController(cfg Config) (*Controller, error) {
	if cfg.NodeTimeout == 0 {
		cfg.NodeTimeout = 3 * time.Second
	}
	if cfg.Interval == 0 {
		cfg.Interval = 250 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.CheckAddr == nil {
		return nil, errors.New("server: CheckAddr is required (network safety)")
	}
	if err := cfg.CheckAddr(cfg.ProxyIP); err != nil {
		return nil, err
	}
	st, err := OpenStore(cfg.StatePath)
	if err != nil {
		return nil, err
	}
	c := &Controller{cfg: cfg, store: st, client: &http.Client{Timeout: 2 * time.Second},
		proxies: map[string]*Proxy{}, migrating: map[string]bool{}}
	for name, svc := range st.Snapshot().Services {
		p, err := Listen(svc.Address)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.proxies[name] = p
	}
	return c, nil
}

// Store is the controller's state store.
func (c *Controller) Store() *Store { return c.store }

// Close stops the proxies.
func (c *Controller) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.proxies {
		_ = p.Close()
	}
	c.proxies = map[string]*Proxy{}
}

// RegisterNode adds or updates a node.
func (c *Controller) RegisterNode(n Node) error {
	if !dnsLabel.MatchString(n.Name) {
		return fmt.Errorf("name: %q is not a DNS label", n.Name)
	}
	if net.ParseIP(n.IP) == nil {
		return fmt.Errorf("ip: %q is not an IP address", n.IP)
	}
	if err := c.cfg.CheckAddr(n.IP); err != nil {
		return fmt.Errorf("ip: %w", err)
	}
	if n.Capacity.MilliCPU <= 0 || n.Capacity.MemoryBytes <= 0 {
		return errors.New("capacity: cpu and memory must be positive")
	}
	return c.store.Update(func(s *State) ([]Event, error) {
		if old, ok := s.Nodes[n.Name]; ok {
			n.Ready, n.LastHeartbeat = old.Ready, old.LastHeartbeat
		}
		s.Nodes[n.Name] = n
		return []Event{{Type: "node", Name: n.Name, Action: "put"}}, nil
	})
}

// PutWorkload records a workload's desired state and opens its service proxy.
func (c *Controller) PutWorkload(w Workload) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if w.Port > 0 {
		if err := c.ensureProxy(w.Name); err != nil {
			return err
		}
	}
	return c.store.Update(func(s *State) ([]Event, error) {
		if old, ok := s.Workloads[w.Name]; ok && old.Kind != w.Kind {
			return nil, &ConflictError{fmt.Sprintf("kind: %s is %s; delete it to change its kind", w.Name, old.Kind)}
		}
		s.Workloads[w.Name] = w
		evs := []Event{{Type: "workload", Name: w.Name, Action: "put"}}
		if p := c.proxy(w.Name); p != nil {
			svc := s.Services[w.Name]
			svc.Name, svc.Address = w.Name, p.Addr()
			s.Services[w.Name] = svc
			evs = append(evs, Event{Type: "service", Name: w.Name, Action: "put", Detail: svc.Address})
		}
		return evs, nil
	})
}

// ConflictError is a request the current state forbids (409).
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// DeleteWorkload removes a workload: its instances are stopped by the next reconciliation. Its volume stays
// on its node (data is never deleted implicitly).
func (c *Controller) DeleteWorkload(name string) error {
	err := c.store.Update(func(s *State) ([]Event, error) {
		if _, ok := s.Workloads[name]; !ok {
			return nil, nil
		}
		delete(s.Workloads, name)
		delete(s.Services, name)
		delete(s.Conditions, name)
		evs := []Event{{Type: "workload", Name: name, Action: "delete"}}
		for n, in := range s.Instances {
			if in.Workload == name {
				delete(s.Instances, n)
				evs = append(evs, Event{Type: "instance", Name: n, Action: "delete", Detail: "workload deleted"})
			}
		}
		return evs, nil
	})
	c.mu.Lock()
	if p := c.proxies[name]; p != nil {
		_ = p.Close()
		delete(c.proxies, name)
	}
	c.mu.Unlock()
	return err
}

func (c *Controller) proxy(name string) *Proxy {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proxies[name]
}

func (c *Controller) ensureProxy(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proxies[name] != nil {
		return nil
	}
	p, err := Listen(net.JoinHostPort(c.cfg.ProxyIP, "0"))
	if err != nil {
		return err
	}
	c.proxies[name] = p
	return nil
}

// Run reconciles until ctx ends.
func (c *Controller) Run(ctx context.Context) {
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		c.Reconcile(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type nodeReport struct {
	statuses []agent.Status
	err      error
}

// Reconcile is one pass: hear from every node, update actual state, schedule what is missing, tell each
// ready node what to run, and point each service at its ready endpoints.
func (c *Controller) Reconcile(ctx context.Context) {
	snap := c.store.Snapshot()
	reports := c.poll(ctx, snap.Nodes)
	now := time.Now()
	c.mu.Lock()
	migrating := make(map[string]bool, len(c.migrating))
	for k, v := range c.migrating {
		migrating[k] = v
	}
	c.mu.Unlock()
	var plan map[string][]agent.Spec
	var skip map[string]bool
	_ = c.store.Update(func(s *State) ([]Event, error) {
		var evs []Event
		evs = append(evs, observe(s, reports, now, c.cfg.NodeTimeout)...)
		evs = append(evs, schedule(s, migrating, now)...)
		evs = append(evs, endpoints(s)...)
		plan = desired(s)
		skip = migratingInstances(s, reports, migrating)
		return evs, nil
	})
	snap = c.store.Snapshot()
	for name, svc := range snap.Services {
		if p := c.proxy(name); p != nil {
			p.SetEndpoints(svc.Endpoints)
		}
	}
	c.sync(ctx, snap, reports, plan, skip)
}

// migratingInstances are the agents' instances of migrating workloads: the migration stops them itself.
func migratingInstances(s *State, reports map[string]nodeReport, migrating map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, r := range reports {
		for _, st := range r.statuses {
			if i := strings.LastIndexByte(st.Name, '-'); i > 0 && migrating[st.Name[:i]] {
				out[st.Name] = true // instance names are WORKLOAD-SERIAL
			}
		}
	}
	return out
}

func (c *Controller) poll(ctx context.Context, nodes map[string]Node) map[string]nodeReport {
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := map[string]nodeReport{}
	for name, n := range nodes {
		wg.Go(func() {
			var st []agent.Status
			err := c.call(ctx, http.MethodGet, n.AgentURL+"/v1/workloads", nil, &st)
			mu.Lock()
			out[name] = nodeReport{st, err}
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// observe folds the agents' reports into the state: node readiness and each instance's health.
func observe(s *State, reports map[string]nodeReport, now time.Time, timeout time.Duration) []Event {
	var evs []Event
	for name, n := range s.Nodes {
		r := reports[name]
		switch {
		case r.err == nil:
			n.LastHeartbeat = now
			if !n.Ready {
				n.Ready = true
				evs = append(evs, Event{Type: "node", Name: name, Action: "put", Detail: "ready"})
			}
		case n.Ready && now.Sub(n.LastHeartbeat) > timeout:
			n.Ready = false
			evs = append(evs, Event{Type: "node", Name: name, Action: "put", Detail: "not ready: " + r.err.Error()})
		}
		s.Nodes[name] = n
	}
	for iname, in := range s.Instances {
		n := s.Nodes[in.Node]
		r := reports[in.Node]
		ready, state := false, "unknown"
		if n.Ready && r.err == nil {
			state = "pending"
			for _, st := range r.statuses {
				if st.Name == iname {
					ready, state = st.Ready, string(st.State)
				}
			}
		}
		if ready != in.Ready || state != in.State {
			if ready && !in.Ready {
				in.ReadyAt = now
			}
			in.Ready, in.State = ready, state
			s.Instances[iname] = in
			evs = append(evs, Event{Type: "instance", Name: iname, Action: "put", Detail: state})
		}
	}
	return evs
}

// schedule makes the instances match the workloads: stateless instances on lost nodes are replaced, missing
// ones placed by the scheduler; a stateful instance stays with its volume's node.
func schedule(s *State, migrating map[string]bool, now time.Time) []Event {
	var evs []Event
	names := make([]string, 0, len(s.Workloads))
	for n := range s.Workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, wname := range names {
		w := s.Workloads[wname]
		if migrating[wname] {
			continue
		}
		var live []Instance
		for iname, in := range s.Instances {
			if in.Workload != wname {
				continue
			}
			if w.Kind == Stateless && !s.Nodes[in.Node].Ready {
				delete(s.Instances, iname)
				evs = append(evs, Event{Type: "instance", Name: iname, Action: "delete", Detail: "node " + in.Node + " lost; replacing"})
				continue
			}
			live = append(live, in)
		}
		sort.Slice(live, func(i, j int) bool { return live[i].Name < live[j].Name })
		for len(live) > w.Replicas {
			extra := live[len(live)-1]
			delete(s.Instances, extra.Name)
			live = live[:len(live)-1]
			evs = append(evs, Event{Type: "instance", Name: extra.Name, Action: "delete", Detail: "scaled down"})
		}
		msg := ""
		for len(live) < w.Replicas {
			req := scheduler.Request{Workload: wname, Resources: w.Resources, Volume: w.Volume}
			if w.Port > 0 {
				req.Ports = []int{w.Port}
			}
			if v, ok := s.Volumes[w.Volume]; ok && w.Volume != "" {
				req.VolumeNode = v.Node
			}
			node, err := scheduler.Schedule(req, snapshotNodes(s))
			if err != nil {
				msg = err.Error()
				break
			}
			s.Serial[wname]++
			in := Instance{Name: fmt.Sprintf("%s-%d", wname, s.Serial[wname]), Workload: wname, Node: node,
				State: "pending", Created: now, Spec: resolve(s, w, fmt.Sprintf("%s-%d", wname, s.Serial[wname]))}
			s.Instances[in.Name] = in
			live = append(live, in)
			evs = append(evs, Event{Type: "instance", Name: in.Name, Action: "put", Detail: "scheduled on " + node})
			if w.Volume != "" {
				if _, ok := s.Volumes[w.Volume]; !ok {
					s.Volumes[w.Volume] = Volume{Name: w.Volume, Node: node}
					evs = append(evs, Event{Type: "volume", Name: w.Volume, Action: "put", Detail: "on " + node})
				}
			}
		}
		if w.Kind == Stateful && msg == "" {
			for _, in := range live {
				if !s.Nodes[in.Node].Ready {
					msg = fmt.Sprintf("waiting for node %s, which holds volume %s (or migrate it explicitly)", in.Node, w.Volume)
				}
			}
		}
		old, had := s.Conditions[wname]
		switch {
		case msg == "" && had:
			delete(s.Conditions, wname)
			evs = append(evs, Event{Type: "condition", Name: wname, Action: "delete"})
		case msg != "" && (!had || old.Message != msg):
			s.Conditions[wname] = Condition{Workload: wname, Message: msg, Since: now}
			evs = append(evs, Event{Type: "condition", Name: wname, Action: "put", Detail: msg})
		}
	}
	return evs
}

// snapshotNodes is the scheduler's view of the nodes: capacity minus the instances assigned to each.
func snapshotNodes(s *State) []scheduler.Node {
	idx := map[string]int{}
	out := make([]scheduler.Node, 0, len(s.Nodes))
	for name, n := range s.Nodes {
		idx[name] = len(out)
		out = append(out, scheduler.Node{Name: name, Ready: n.Ready, Capacity: n.Capacity, Instances: map[string]int{}})
	}
	for _, in := range s.Instances {
		i, ok := idx[in.Node]
		if !ok {
			continue
		}
		w := s.Workloads[in.Workload]
		out[i].Allocated = out[i].Allocated.Add(w.Resources)
		out[i].Instances[in.Workload]++
		if w.Port > 0 {
			out[i].Ports = append(out[i].Ports, w.Port)
		}
	}
	for _, v := range s.Volumes {
		if i, ok := idx[v.Node]; ok {
			out[i].Volumes = append(out[i].Volumes, v.Name)
		}
	}
	return out
}

// resolve is the agent spec of one instance: the template, its name, its volume, and {{service:X}} in env
// values replaced by service X's address.
func resolve(s *State, w Workload, name string) agent.Spec {
	spec := w.Template
	spec.Name, spec.Volume = name, w.Volume
	spec.Env = make([]string, len(w.Template.Env))
	for i, e := range w.Template.Env {
		for svc, v := range s.Services {
			e = strings.ReplaceAll(e, "{{service:"+svc+"}}", v.Address)
		}
		spec.Env[i] = e
	}
	return spec
}

// endpoints points each service at its workload's ready instances.
func endpoints(s *State) []Event {
	var evs []Event
	for name, svc := range s.Services {
		w := s.Workloads[name]
		var eps []string
		for _, in := range s.Instances {
			if in.Workload == name && in.Ready && s.Nodes[in.Node].Ready {
				eps = append(eps, net.JoinHostPort(s.Nodes[in.Node].IP, strconv.Itoa(w.Port)))
			}
		}
		sort.Strings(eps)
		if strings.Join(eps, ",") != strings.Join(svc.Endpoints, ",") {
			svc.Endpoints = eps
			s.Services[name] = svc
			evs = append(evs, Event{Type: "service", Name: name, Action: "put", Detail: strings.Join(eps, ",")})
		}
	}
	return evs
}

// desired is, per node, the specs it should run.
func desired(s *State) map[string][]agent.Spec {
	out := map[string][]agent.Spec{}
	for _, in := range s.Instances {
		out[in.Node] = append(out[in.Node], in.Spec)
	}
	return out
}

// sync tells each reachable node to run what it should and to stop what it should not (instances that were
// replaced while the node was away are stopped when it comes back).
func (c *Controller) sync(ctx context.Context, snap State, reports map[string]nodeReport, plan map[string][]agent.Spec, skip map[string]bool) {
	var wg sync.WaitGroup
	for name, n := range snap.Nodes {
		r := reports[name]
		if r.err != nil {
			continue
		}
		wg.Go(func() {
			have := map[string]agent.Status{}
			for _, st := range r.statuses {
				have[st.Name] = st
			}
			want := map[string]bool{}
			for _, spec := range plan[name] {
				want[spec.Name] = true
				if st, ok := have[spec.Name]; ok && sameSpec(st.Spec, spec) {
					continue
				}
				if err := c.call(ctx, http.MethodPut, n.AgentURL+"/v1/workloads/"+spec.Name, spec, nil); err != nil {
					fmt.Fprintf(c.cfg.Log, "controller: start %s on %s: %v\n", spec.Name, name, err)
				}
			}
			for iname := range have {
				if !want[iname] && !skip[iname] {
					if err := c.call(ctx, http.MethodDelete, n.AgentURL+"/v1/workloads/"+iname, nil, nil); err != nil {
						fmt.Fprintf(c.cfg.Log, "controller: stop %s on %s: %v\n", iname, name, err)
					}
				}
			}
		})
	}
	wg.Wait()
}

func sameSpec(a, b agent.Spec) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// call does one JSON request to an agent; non-2xx answers are errors carrying the problem detail.
func (c *Controller) call(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}
