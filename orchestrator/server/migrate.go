package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Migrate moves a stateful workload to another node: stop (its instance is deleted and the agent confirms the
// process tree is gone), copy (the volume streams from the old node's agent to the new one's), start (the
// volume's record points at the new node; the next reconciliation starts the instance there). Both nodes must
// be reachable: the data of a node that is down cannot be copied, and the workload keeps waiting for it.
func (c *Controller) Migrate(ctx context.Context, name, to string) error {
	snap := c.store.Snapshot()
	w, ok := snap.Workloads[name]
	if !ok {
		return &NotFoundError{"workload " + name}
	}
	if w.Kind != Stateful {
		return &ConflictError{fmt.Sprintf("%s is stateless: its instances move by themselves", name)}
	}
	target, ok := snap.Nodes[to]
	if !ok {
		return &NotFoundError{"node " + to}
	}
	vol, ok := snap.Volumes[w.Volume]
	if !ok {
		return &ConflictError{fmt.Sprintf("volume %s does not exist yet: nothing to migrate", w.Volume)}
	}
	if vol.Node == to {
		return &ConflictError{fmt.Sprintf("volume %s is already on %s", w.Volume, to)}
	}
	source := snap.Nodes[vol.Node]
	if !target.Ready || !source.Ready {
		return &ConflictError{fmt.Sprintf("both nodes must be ready (source %s ready=%v, target %s ready=%v): the data of a node that is down cannot be copied",
			source.Name, source.Ready, to, target.Ready)}
	}
	c.mu.Lock()
	if c.migrating[name] {
		c.mu.Unlock()
		return &ConflictError{name + " is already migrating"}
	}
	c.migrating[name] = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.migrating, name)
		c.mu.Unlock()
	}()
	// Stop: forget the instance, then stop it on its node ourselves (the reconciler skips a migrating workload).
	var stopped []Instance
	if err := c.store.Update(func(s *State) ([]Event, error) {
		var evs []Event
		for iname, in := range s.Instances {
			if in.Workload == name {
				stopped = append(stopped, in)
				delete(s.Instances, iname)
				evs = append(evs, Event{Type: "instance", Name: iname, Action: "delete", Detail: "migrating to " + to})
			}
		}
		return evs, nil
	}); err != nil {
		return err
	}
	for _, in := range stopped {
		if err := c.call(ctx, http.MethodDelete, snap.Nodes[in.Node].AgentURL+"/v1/workloads/"+in.Name, nil, nil); err != nil {
			return fmt.Errorf("migrate %s: stop %s: %w (the workload restarts on %s)", name, in.Name, err, source.Name)
		}
	}
	// Copy: a streamed tar, the source agent refusing while anything still runs on the volume.
	if err := c.copyVolume(ctx, w.Volume, source, target); err != nil {
		return fmt.Errorf("migrate %s: copy: %w (the workload restarts on %s)", name, err, source.Name)
	}
	// Start: the volume is on the target now; the old copy is deleted so there is one truth.
	if err := c.store.Update(func(s *State) ([]Event, error) {
		s.Volumes[w.Volume] = Volume{Name: w.Volume, Node: to}
		return []Event{{Type: "volume", Name: w.Volume, Action: "put", Detail: "migrated from " + source.Name + " to " + to}}, nil
	}); err != nil {
		return err
	}
	if err := c.call(ctx, http.MethodDelete, source.AgentURL+"/v1/volumes/"+w.Volume, nil, nil); err != nil {
		fmt.Fprintf(c.cfg.Log, "migrate %s: old copy on %s not deleted: %v\n", name, source.Name, err)
	}
	return nil
}

func (c *Controller) copyVolume(ctx context.Context, vol string, from, to Node) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, from.AgentURL+"/v1/volumes/"+vol+"/archive", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(get)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("read from %s: %s: %s", from.Name, resp.Status, b)
	}
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, to.AgentURL+"/v1/volumes/"+vol+"/archive", resp.Body)
	if err != nil {
		return err
	}
	put.Header.Set("Content-Type", "application/x-tar")
	presp, err := http.DefaultClient.Do(put)
	if err != nil {
		return err
	}
	defer presp.Body.Close()
	if presp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(io.LimitReader(presp.Body, 4096))
		return fmt.Errorf("write to %s: %s: %s", to.Name, presp.Status, b)
	}
	return nil
}

// NotFoundError is a request for something that does not exist (404).
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }
