package agent

import (
	"golang.org/x/sys/unix"

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
)

// AllSteps lists every isolation step.
var AllSteps = []string{StepPIDNamespace, StepMountNamespace, StepProc, StepHideFiles, StepUTSNamespace,
	StepIPCNamespace, StepNetNamespace, StepCgroup}

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
	c.MountProc = mnt && on(StepProc)
	c.PrivateTmp = mnt
	c.Hide = mnt && on(StepHideFiles)
	c.SetHost = on(StepUTSNamespace)
	c.LoopbackUp = s.PrivateNetwork && on(StepNetNamespace)
}
