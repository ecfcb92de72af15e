package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
)

// State is everything the control plane knows, persisted as one JSON document after every change.
type State struct {
	Rev        int64                `json:"rev"`
	Workloads  map[string]Workload  `json:"workloads"`
	Nodes      map[string]Node      `json:"nodes"`
	Instances  map[string]Instance  `json:"instances"`
	Volumes    map[string]Volume    `json:"volumes"`
	Services   map[string]Service   `json:"services"`
	Conditions map[string]Condition `json:"conditions"`
	// Serial numbers instances per workload, so a replacement never reuses a lost instance's name.
	Serial map[string]int `json:"serial"`
}

func newState() State {
	return State{Workloads: map[string]Workload{}, Nodes: map[string]Node{}, Instances: map[string]Instance{},
		Volumes: map[string]Volume{}, Services: map[string]Service{}, Conditions: map[string]Condition{}, Serial: map[string]int{}}
}

// maxEvents is how much history the watch keeps; a watcher further behind gets 410 Gone and re-lists.
const maxEvents = 4096

// Store holds the state under one lock, writes it to disk on every change (write + rename, so a crash leaves
// the old or the new document, never half of one), and wakes watchers.
type Store struct {
	mu      sync.Mutex
	path    string
	st      State
	events  []Event
	changed chan struct{}
}

// OpenStore loads path (or starts empty when it does not exist).
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path, st: newState(), changed: make(chan struct{})}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("server: read state: %w", err)
	default:
		st := newState()
		if err := json.Unmarshal(b, &st); err != nil {
			return nil, fmt.Errorf("server: state file %s is corrupt: %w", path, err)
		}
		s.st = st
	}
	return s, nil
}

// Update applies fn to the state; the events fn returns get revisions, the state is saved, watchers woken.
// fn must not keep references into the state.
func (s *Store) Update(fn func(*State) ([]Event, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs, err := fn(&s.st)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		s.st.Rev++
		evs[i].Rev = s.st.Rev
	}
	s.events = append(s.events, evs...)
	if len(s.events) > maxEvents {
		s.events = append([]Event(nil), s.events[len(s.events)-maxEvents:]...)
	}
	if err := s.save(); err != nil {
		return err
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

func (s *Store) save() error {
	b, err := json.Marshal(s.st)
	if err != nil {
		return fmt.Errorf("server: encode state: %w", err)
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("server: write state: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("server: write state: %w", err)
	}
	return nil
}

// Snapshot is a deep copy of the state (through JSON: simple and the state is small).
func (s *Store) Snapshot() State {
	s.mu.Lock()
	b, _ := json.Marshal(s.st)
	s.mu.Unlock()
	st := newState()
	_ = json.Unmarshal(b, &st)
	return st
}

// ErrGone means the watcher asked for events older than the history kept: it must re-list.
var ErrGone = errors.New("server: events since that revision are no longer kept; re-list and watch from the current revision")

// Watch returns the events after since, waiting (until ctx ends) when there are none yet.
func (s *Store) Watch(ctx context.Context, since int64) ([]Event, int64, error) {
	for {
		s.mu.Lock()
		rev, ch := s.st.Rev, s.changed
		var out []Event
		if since < rev {
			if len(s.events) == 0 || s.events[0].Rev > since+1 {
				s.mu.Unlock()
				return nil, rev, ErrGone
			}
			for _, e := range s.events {
				if e.Rev > since {
					out = append(out, e)
				}
			}
		}
		s.mu.Unlock()
		if len(out) > 0 {
			return out, rev, nil
		}
		select {
		case <-ctx.Done():
			return nil, rev, nil
		case <-ch:
		}
	}
}
