package agent

import (
	"path/filepath"

	"homelab/orchestrator/internal/cgroup"
)

// removeParent removes an agent's cgroup parent and its own parents up to the first path element when they are
// empty (the agent's clean exit leaves no empty directories in the cgroup tree).
func removeParent(parent string) error {
	if err := cgroup.RemoveTree(parent); err != nil {
		return err
	}
	for dir := filepath.Dir(parent); dir != "." && dir != "/"; dir = filepath.Dir(dir) {
		_ = cgroup.New(dir).RemoveIfEmpty()
	}
	return nil
}

// RemoveCgroupParent is the agent's final clean-up after Shutdown.
func (m *Manager) RemoveCgroupParent() error { return removeParent(m.cfg.CgroupParent) }
