package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"homelab/orchestrator/internal/cgroup"
)

var errNoOOMEvent = errors.New("no OOM event on this hierarchy")

// oomEventTime blocks until the kernel signals an OOM in the group (cgroup v1: an eventfd registered through
// cgroup.event_control on memory.oom_control) and returns when it did, so the bench measures the agent's report
// from the kernel's OOM and not from its own poll of the counter noticing it.
func oomEventTime(g cgroup.Group, timeout time.Duration) (time.Time, error) {
	if g.Version == 2 {
		return time.Time{}, errNoOOMEvent
	}
	dir := filepath.Join(cgroup.Root, "memory", g.Rel)
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return time.Time{}, fmt.Errorf("eventfd: %w", err)
	}
	defer unix.Close(efd)
	ofd, err := unix.Open(filepath.Join(dir, "memory.oom_control"), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return time.Time{}, fmt.Errorf("open memory.oom_control: %w", err)
	}
	defer unix.Close(ofd)
	if err := os.WriteFile(filepath.Join(dir, "cgroup.event_control"), fmt.Appendf(nil, "%d %d", efd, ofd), 0o644); err != nil {
		return time.Time{}, fmt.Errorf("register the OOM event: %w", err)
	}
	// Registered after the OOM already happened, the event would never come: say so instead of timing out.
	if n, err := g.OOMKills(); err != nil || n > 0 {
		return time.Time{}, fmt.Errorf("the OOM happened before the event was registered (kills %d, %v)", n, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		fds := []unix.PollFd{{Fd: int32(efd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, max(0, int(time.Until(deadline).Milliseconds()))) // negative = forever
		at := time.Now()
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return time.Time{}, fmt.Errorf("poll the OOM event: %w", err)
		case n == 0:
			return time.Time{}, fmt.Errorf("no OOM event within %s", timeout)
		}
		return at, nil
	}
}
