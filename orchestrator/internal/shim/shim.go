// Package shim is the first process of every workload: pid 1 of the workload's pid namespace. The agent starts
// it with new pid/mount/uts/ipc (and optionally net) namespaces, moves it into the workload's cgroup, and only
// then sends the configuration, so nothing the workload runs ever executes outside its cgroup. The shim finishes
// the isolation that needs to happen inside the namespaces (private mounts, a fresh /proc, the hostname, hidden
// agent files, private /tmp, loopback), starts the workload, forwards stop signals, reaps orphans like an init,
// and exits with the workload's status. When pid 1 exits the kernel kills everything left in the namespace.
package shim

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Arg is the first argument that turns the orchestrator binary (or a test binary) into the shim.
const Arg = "__orchestrator_shim"

// OwnerEnv tags every shim with the cgroup parent of the agent that started it, so an orphan check finds the
// processes a run left behind without confusing them with anyone else's.
const OwnerEnv = "ORCHESTRATOR_OWNER"

// Config is what the agent sends the shim on fd 3 once the shim is in its cgroup.
type Config struct {
	Command  []string `json:"command"`
	Env      []string `json:"env"`
	Dir      string   `json:"dir"`
	Hostname string   `json:"hostname"`
	UID      uint32   `json:"uid"`
	GID      uint32   `json:"gid"`
	// HideDir is covered with an empty tmpfs so the workload cannot see the agent's state, the other
	// workloads' logs or their volumes; Volume (a directory below it) is then bound back at the same path.
	HideDir string `json:"hideDir"`
	Volume  string `json:"volume"`
	// Steps switch the isolation steps done in here; each is on in production, the mutation test turns one off.
	// PrivateMounts is on only when the shim has a mount namespace of its own.
	PrivateMounts bool `json:"privateMounts"`
	MountProc     bool `json:"mountProc"`
	PrivateTmp    bool `json:"privateTmp"`
	Hide          bool `json:"hide"`
	SetHost       bool `json:"setHost"`
	LoopbackUp    bool `json:"loopbackUp"`
}

// MaybeRun runs the shim and exits when the process was started as one; otherwise it returns at once. Call it
// first thing in main (and in TestMain of packages whose tests start workloads).
func MaybeRun() {
	if len(os.Args) < 2 || os.Args[1] != Arg {
		return
	}
	code, err := run()
	if err != nil {
		fmt.Fprintf(os.Stderr, "shim: %v\n", err)
		os.Exit(127)
	}
	os.Exit(code)
}

func run() (int, error) {
	ctl := os.NewFile(3, "control")
	b, err := io.ReadAll(ctl) // blocks until the agent has put us in the cgroup and closed its end
	if err != nil {
		return 0, fmt.Errorf("read config: %w", err)
	}
	_ = ctl.Close()
	var c Config
	if err := json.Unmarshal(b, &c); err != nil || len(c.Command) == 0 {
		return 0, fmt.Errorf("bad config (%v): %q", err, b)
	}
	if err := isolate(c); err != nil {
		return 0, err
	}
	cmd := exec.Command(c.Command[0], c.Command[1:]...)
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if c.UID != 0 || c.GID != 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.UID, Gid: c.GID}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGCHLD)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %v: %w", c.Command, err)
	}
	main := cmd.Process.Pid
	for {
		// Reap every exited child (orphans are re-parented to us as pid 1); return when the workload exits.
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if err != nil || pid <= 0 {
				break
			}
			if pid == main {
				if ws.Signaled() {
					return 128 + int(ws.Signal()), nil
				}
				return ws.ExitStatus(), nil
			}
		}
		s := <-sigs
		if s != unix.SIGCHLD {
			_ = unix.Kill(main, s.(syscall.Signal))
		}
	}
}

func isolate(c Config) error {
	// Mount events must not propagate back to the node (the default on systemd hosts is shared). Only in a
	// mount namespace of our own: without one this would change the node's propagation for good.
	if c.PrivateMounts {
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("make mounts private: %w", err)
		}
	}
	if c.MountProc {
		// A /proc of our own pid namespace: the workload sees only its own processes.
		if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			return fmt.Errorf("mount /proc: %w", err)
		}
	}
	if c.SetHost && c.Hostname != "" {
		if err := unix.Sethostname([]byte(c.Hostname)); err != nil {
			return fmt.Errorf("set hostname: %w", err)
		}
	}
	// The volume is opened before anything covers its path, then bound back at the same path through the fd.
	vol := -1
	if c.Volume != "" && c.Hide {
		var err error
		if vol, err = unix.Open(c.Volume, unix.O_PATH|unix.O_DIRECTORY, 0); err != nil {
			return fmt.Errorf("open volume %s: %w", c.Volume, err)
		}
		defer unix.Close(vol)
	}
	if c.PrivateTmp {
		// A workload run from a directory under /tmp (a CI clone of the repository) keeps that directory: it is
		// opened before the tmpfs covers it and bound back at the same path, like the volume below.
		kept := map[string]int{}
		keep := c
		if keep.Dir == "" {
			// No working directory given: the workload inherits the shim's, which must stay reachable too.
			if wd, err := os.Getwd(); err == nil {
				keep.Dir = wd
			}
		}
		for _, top := range topsUnderTmp(keep) {
			fd, err := unix.Open(top, unix.O_PATH|unix.O_DIRECTORY, 0)
			if err != nil {
				return fmt.Errorf("open %s: %w", top, err)
			}
			defer unix.Close(fd)
			kept[top] = fd
		}
		if err := unix.Mount("tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=64m"); err != nil {
			return fmt.Errorf("private /tmp: %w", err)
		}
		for top, fd := range kept {
			if err := os.MkdirAll(top, 0o755); err != nil {
				return fmt.Errorf("mount point %s: %w", top, err)
			}
			if err := unix.Mount(filepath.Join("/proc/self/fd", fmt.Sprint(fd)), top, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("bind %s back: %w", top, err)
			}
		}
	}
	if c.Hide && c.HideDir != "" {
		// Covered with an empty tmpfs, unless the private /tmp already hid it (an agent rooted under /tmp).
		if _, err := os.Stat(c.HideDir); err == nil {
			if err := unix.Mount("tmpfs", c.HideDir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m"); err != nil {
				return fmt.Errorf("hide %s: %w", c.HideDir, err)
			}
		}
		if vol >= 0 {
			if err := os.MkdirAll(c.Volume, 0o755); err != nil {
				return fmt.Errorf("volume mount point: %w", err)
			}
			src := filepath.Join("/proc/self/fd", fmt.Sprint(vol))
			if err := unix.Mount(src, c.Volume, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("bind volume %s: %w", c.Volume, err)
			}
		}
	}
	if c.LoopbackUp {
		if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
			return fmt.Errorf("loopback up: %w: %s", err, out)
		}
	}
	return nil
}

// topsUnderTmp is the top directory under /tmp (/tmp/<name>) of the workload's working directory and of its
// command's resolved path, each once: what the private /tmp must keep for the workload to start at all.
func topsUnderTmp(c Config) []string {
	paths := []string{c.Dir}
	if len(c.Command) > 0 && filepath.IsAbs(c.Command[0]) {
		paths = append(paths, c.Command[0])
		if resolved, err := filepath.EvalSymlinks(c.Command[0]); err == nil {
			paths = append(paths, resolved)
		}
	}
	var tops []string
	seen := map[string]bool{}
	for _, p := range paths {
		rest, ok := strings.CutPrefix(filepath.Clean(p), "/tmp/")
		if !ok || rest == "" {
			continue
		}
		top := "/tmp/" + strings.SplitN(rest, "/", 2)[0]
		if !seen[top] {
			seen[top] = true
			tops = append(tops, top)
		}
	}
	return tops
}
