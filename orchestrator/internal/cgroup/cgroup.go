// Package cgroup puts a workload's processes in a control group with limits, reads the kernel's OOM counters and
// kills every process of the group. It speaks both hierarchies: v2 (one unified tree, cgroup.kill, memory.events)
// and v1 (one tree per controller, the freezer to stop a tree without races, memory.oom_control). Hybrid hosts
// (v1 controllers plus an empty cgroup2 mount, like the build machines) are v1 for our purposes: the controllers
// that enforce limits are the v1 ones.
package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Root is where the cgroup filesystems are mounted.
const Root = "/sys/fs/cgroup"

// v1Controllers are the v1 hierarchies a workload joins: memory and pids and cpu enforce the limits, the
// freezer stops the tree atomically so a fork bomb cannot outrun the kill loop.
var v1Controllers = []string{"memory", "pids", "cpu", "freezer"}

// Limits are the resource limits of one workload; zero means "no limit".
type Limits struct {
	MemoryBytes int64 `json:"memoryBytes,omitempty"`
	PidsMax     int64 `json:"pidsMax,omitempty"`
	// MilliCPU is the CPU quota in thousandths of a core (500 = half a core).
	MilliCPU int64 `json:"milliCpu,omitempty"`
}

// Version says which hierarchy this host uses for limits: 2 when the unified tree is mounted at Root, else 1.
func Version() int {
	if _, err := os.Stat(filepath.Join(Root, "cgroup.controllers")); err == nil {
		return 2
	}
	return 1
}

// Group is one workload's control group: Rel is its path below each hierarchy's root.
type Group struct {
	Rel     string `json:"rel"`
	Version int    `json:"version"`
	// root replaces Root: tests point a v2 group at this host's (otherwise empty) cgroup2 mount or a temporary
	// directory, so the v2 code runs here although the limits are v1's.
	root string
}

func (g Group) base() string {
	if g.root != "" {
		return g.root
	}
	return Root
}

// New returns the group at rel (for example "orchestrator/node-1/web") without touching the filesystem.
func New(rel string) Group { return Group{Rel: filepath.Clean(rel), Version: Version()} }

// dirs are the directories of the group, one per hierarchy.
func (g Group) dirs() []string {
	if g.Version == 2 {
		return []string{filepath.Join(g.base(), g.Rel)}
	}
	out := make([]string, 0, len(v1Controllers))
	for _, c := range v1Controllers {
		out = append(out, filepath.Join(g.base(), c, g.Rel))
	}
	return out
}

func (g Group) file(controller, name string) string {
	if g.Version == 2 {
		return filepath.Join(g.base(), g.Rel, name)
	}
	return filepath.Join(g.base(), controller, g.Rel, name)
}

func write(path, value string) error {
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return fmt.Errorf("cgroup: write %q to %s: %w", value, path, err)
	}
	return nil
}

// enableV2Controllers turns on the controllers a child needs in every ancestor's subtree_control (v2 only
// delegates a controller to children when the parent lists it).
func (g Group) enableV2Controllers() error {
	parts := strings.Split(g.Rel, string(filepath.Separator))
	dir := g.base()
	for _, p := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, p)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cgroup: create %s: %w", dir, err)
		}
	}
	dir = g.base()
	for _, p := range parts[:len(parts)-1] {
		if err := write(filepath.Join(dir, "cgroup.subtree_control"), "+memory +pids +cpu"); err != nil {
			return err
		}
		dir = filepath.Join(dir, p)
	}
	return write(filepath.Join(dir, "cgroup.subtree_control"), "+memory +pids +cpu")
}

// Create makes the group and applies the limits.
func (g Group) Create(l Limits) error {
	if g.Version == 2 {
		if err := g.enableV2Controllers(); err != nil {
			return err
		}
	}
	for _, d := range g.dirs() {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("cgroup: create %s: %w", d, err)
		}
	}
	return g.apply(l)
}

func (g Group) apply(l Limits) error {
	type setting struct{ controller, v1, v2, value string }
	var s []setting
	if l.MemoryBytes > 0 {
		v := strconv.FormatInt(l.MemoryBytes, 10)
		s = append(s, setting{"memory", "memory.limit_in_bytes", "memory.max", v})
		// Without swap accounting a v1 limit could spill to swap instead of biting; v2 gets swap.max 0.
		s = append(s, setting{"memory", "", "memory.swap.max", "0"})
	}
	if l.PidsMax > 0 {
		v := strconv.FormatInt(l.PidsMax, 10)
		s = append(s, setting{"pids", "pids.max", "pids.max", v})
	}
	if l.MilliCPU > 0 {
		const period = 100000
		quota := l.MilliCPU * period / 1000
		s = append(s, setting{"cpu", "cpu.cfs_period_us", "", strconv.Itoa(period)})
		s = append(s, setting{"cpu", "cpu.cfs_quota_us", "cpu.max", fmt.Sprintf("%d", quota)})
		if g.Version == 2 {
			s[len(s)-1].value = fmt.Sprintf("%d %d", quota, period)
		}
	}
	for _, x := range s {
		name := x.v1
		if g.Version == 2 {
			name = x.v2
		}
		if name == "" {
			continue
		}
		if err := write(g.file(x.controller, name), x.value); err != nil {
			if x.v2 == "memory.swap.max" && errors.Is(err, os.ErrNotExist) {
				continue // no swap controller on this kernel: nothing can spill
			}
			return err
		}
	}
	return nil
}

// Add moves a process into the group (every hierarchy).
func (g Group) Add(pid int) error {
	for _, d := range g.dirs() {
		if err := write(filepath.Join(d, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return err
		}
	}
	return nil
}

// Pids lists the processes in the group.
func (g Group) Pids() ([]int, error) {
	f, err := os.Open(g.file("pids", "cgroup.procs"))
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENODEV) {
		return nil, nil // the group is gone (or going): nothing left in it
	}
	if err != nil {
		return nil, fmt.Errorf("cgroup: list %s: %w", g.Rel, err)
	}
	defer f.Close()
	var out []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if pid, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
			out = append(out, pid)
		}
	}
	return out, sc.Err()
}

// Exists says whether the group's directories are there.
func (g Group) Exists() bool {
	_, err := os.Stat(g.dirs()[0])
	return err == nil
}

// OOMKills is the kernel's count of processes the OOM killer killed in this group (v1 memory.oom_control's
// oom_kill, v2 memory.events' oom_kill). memory.failcnt is no use: it stays 0 after an OOM kill on v1.
func (g Group) OOMKills() (int64, error) {
	name := "memory.oom_control"
	if g.Version == 2 {
		name = "memory.events"
	}
	b, err := os.ReadFile(g.file("memory", name))
	if err != nil {
		return 0, fmt.Errorf("cgroup: read OOM counter of %s: %w", g.Rel, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "oom_kill" {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("cgroup: no oom_kill line in %s of %s", name, g.Rel)
}

// MemoryLimit reads the memory limit back (tests prove the limit is really set).
func (g Group) MemoryLimit() (int64, error) {
	name := "memory.limit_in_bytes"
	if g.Version == 2 {
		name = "memory.max"
	}
	b, err := os.ReadFile(g.file("memory", name))
	if err != nil {
		return 0, fmt.Errorf("cgroup: read memory limit of %s: %w", g.Rel, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// Kill kills every process in the group and waits until it is empty. v2 writes cgroup.kill (the kernel kills
// the whole tree atomically); v1 freezes the group first so nothing forks between listing and killing.
func (g Group) Kill(timeout time.Duration) error {
	if !g.Exists() {
		return nil
	}
	if g.Version == 2 {
		if err := write(g.file("", "cgroup.kill"), "1"); err != nil {
			return err
		}
	} else {
		freezer := g.file("freezer", "freezer.state")
		if err := write(freezer, "FROZEN"); err != nil {
			return err
		}
		pids, err := g.Pids()
		if err != nil {
			return err
		}
		for _, pid := range pids {
			_ = killPid(pid) // a process that is already gone is what we want
		}
		if err := write(freezer, "THAWED"); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		pids, err := g.Pids()
		if err != nil || len(pids) == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup: %d processes still in %s after kill: %v", len(pids), g.Rel, pids)
		}
		for _, pid := range pids {
			_ = killPid(pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Remove kills what is left and deletes the group's directories.
func (g Group) Remove() error {
	if err := g.Kill(5 * time.Second); err != nil {
		return err
	}
	for _, d := range g.dirs() {
		if err := removeDir(d); err != nil {
			return err
		}
	}
	return nil
}

// removeDir deletes a cgroup directory; the kernel refuses while a just-killed process is still exiting, so it
// retries briefly.
func removeDir(d string) error {
	var err error
	for range 100 {
		err = os.Remove(d)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("cgroup: remove %s: %w", d, err)
}

// RemoveTree removes rel and every group below it (children first), killing their processes: the agent's
// clean-up of groups its state file does not know, and the test suites' orphan sweep.
func RemoveTree(rel string) error {
	g := New(rel)
	base := g.dirs()[0]
	var children []string
	_ = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != base {
			children = append(children, p)
		}
		return nil
	})
	for i := len(children) - 1; i >= 0; i-- {
		r, _ := filepath.Rel(filepath.Dir(base), children[i])
		sub := filepath.Join(filepath.Dir(rel), r)
		if err := New(sub).Remove(); err != nil {
			return err
		}
	}
	return g.Remove()
}

// Leftovers lists the groups under rel that still exist in any hierarchy (the orphan check of the tests).
func Leftovers(rel string) []string {
	var out []string
	for _, d := range New(rel).dirs() {
		if _, err := os.Stat(d); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// RemoveIfEmpty deletes the group's directories when no process and no child group is left (shared parents of
// several agents stay while another agent uses them).
func (g Group) RemoveIfEmpty() error {
	var errs []error
	for _, d := range g.dirs() {
		if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
