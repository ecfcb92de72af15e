package agent

import (
	"golang.org/x/sys/unix"

	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/internal/shim"
)

// Isolation steps, each of which the mutation test switches off one at a time to prove a test catches it.
const (
	StepPIDNamespace   = "pid-namespace"
	StepMountNamespace = "mount-namespace" // and every mount made inside it: without it they would hit the node
	StepProc           = "proc"
	StepHideFiles      = "hide-files"
	StepUTSNamespace   = "uts-namespace"
	StepIPCNamespace   = "ipc-namespace"
	StepNetNamespace   = "net-namespace"
	StepCgroup         = "cgroup"
	// StepHideRunRoot hides the directory holding every node's root (Config.HideDir), not only this agent's.
	StepHideRunRoot = "hide-run-root"
	StepPidsLimit   = "pids-limit" // pids.max written to the workload's cgroup
	StepCPULimit    = "cpu-limit"  // the CFS quota written to the workload's cgroup
)

// AllSteps lists every isolation step.
var AllSteps = []string{StepPIDNamespace, StepMountNamespace, StepProc, StepHideFiles, StepUTSNamespace,
	StepIPCNamespace, StepNetNamespace, StepCgroup, StepHideRunRoot, StepPidsLimit, StepCPULimit}

// skipped is empty in production. Only the mutation test sets it (export_test.go), to remove one step.
var skipped = map[string]bool{}

func on(step string) bool { return !skipped[step] }

// cloneFlags are the namespaces the shim is created in.
func cloneFlags(s Spec) uintptr {
	var f uintptr
	if on(StepPIDNamespace) {
		f |= unix.CLONE_NEWPID
	}
	if on(StepMountNamespace) {
		f |= unix.CLONE_NEWNS
	}
	if on(StepUTSNamespace) {
		f |= unix.CLONE_NEWUTS
	}
	if on(StepIPCNamespace) {
		f |= unix.CLONE_NEWIPC
	}
	if s.PrivateNetwork && on(StepNetNamespace) {
		f |= unix.CLONE_NEWNET
	}
	return f
}

// shimSteps are the steps the shim does inside the namespaces; each is only safe inside its namespace (a
// mount or a hostname change without one would change the node), so it is off whenever its namespace is.
func shimSteps(c *shim.Config, s Spec) {
	mnt := on(StepMountNamespace)
	// Making mounts private is only safe in a mount namespace of our own: in the agent's it would change the
	// node's (the host's) propagation, which no orphan check sees.
	c.PrivateMounts = mnt
	c.MountProc = mnt && on(StepProc)
	c.PrivateTmp = mnt
	c.Hide = mnt && on(StepHideFiles)
	c.SetHost = on(StepUTSNamespace)
	c.LoopbackUp = s.PrivateNetwork && on(StepNetNamespace)
}

// hideDir is what the shim covers: the run directory holding every node's root, or (the mutant) only ours.
func (m *Manager) hideDir() string {
	if on(StepHideRunRoot) {
		return m.cfg.HideDir
	}
	return m.cfg.Root
}

// limits are the cgroup limits actually written; the mutation test drops one to prove a check sees it bite.
func limits(l cgroup.Limits) cgroup.Limits {
	if !on(StepPidsLimit) {
		l.PidsMax = 0
	}
	if !on(StepCPULimit) {
		l.MilliCPU = 0
	}
	return l
}
