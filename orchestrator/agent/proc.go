package agent

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// startTicks is a process's start time in clock ticks since boot (field 22 of /proc/PID/stat): with the pid it
// identifies a process, so a pid the kernel reused is never adopted as ours. 0 when the process is gone.
func startTicks(pid int) uint64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

// waitPidfd waits for a process that is not our child (adopted from an earlier agent) through a pidfd, which
// becomes readable when the process exits. Its exit code is unknown: only its parent could reap it.
func waitPidfd(pid int) func() int {
	return func() int {
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			return -1 // already gone
		}
		defer unix.Close(fd)
		for {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n > 0 {
				return -1
			}
		}
	}
}
