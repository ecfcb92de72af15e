package cgroup

import "golang.org/x/sys/unix"

func killPid(pid int) error { return unix.Kill(pid, unix.SIGKILL) }
