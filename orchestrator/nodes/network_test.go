package nodes

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"homelab/orchestrator/internal/testenv"
)

func TestNetworkIsLocalAndSweptWhenItsOwnerDied(t *testing.T) {
	testenv.RequireIsolation(t)
	nw, err := Create(NewRunID(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nw.Destroy() })
	ln, err := net.Listen("tcp", net.JoinHostPort(nw.GatewayIP, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	for _, n := range nw.Nodes {
		if err := nw.CheckLocal(n.IP); err != nil {
			t.Fatal(err)
		}
		// The node reaches the bridge's host address through its veth (and nothing else: no default route).
		dial := fmt.Sprintf("echo > /dev/tcp/%s/%d", nw.GatewayIP, port)
		if out, err := nw.Command(t.Context(), n.Name, "bash", "-c", dial).CombinedOutput(); err != nil {
			t.Fatalf("%s cannot reach %s: %v %s", n.Name, nw.GatewayIP, err, out)
		}
		if out, _ := nw.Command(t.Context(), n.Name, "ip", "route").Output(); strings.Contains(string(out), "default") {
			t.Fatalf("%s has a default route: %s", n.Name, out)
		}
	}
	// An address routed off the machine is refused.
	if err := nw.CheckLocal("192.0.2.200"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("CheckLocal(192.0.2.200) = %v, want a refusal", err)
	}
	// The run's owner "dies": its record now names a pid that does not exist; Sweep undoes everything.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	nw.OwnerPid = dead.Process.Pid
	b, _ := json.Marshal(nw)
	if err := os.WriteFile(nw.file(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Sweep(); err != nil {
		t.Fatal(err)
	}
	if left := nw.Leftovers(); len(left) > 0 {
		t.Fatalf("after the sweep: %v", left)
	}
	if _, err := os.Stat(nw.file()); !os.IsNotExist(err) {
		t.Fatalf("run file still there: %v", err)
	}
	// The ledger directory goes with the last run (another package's run may hold it: then it is not empty).
	if entries, err := os.ReadDir(RunDir); err == nil && len(entries) == 0 {
		t.Fatalf("an empty %s left behind", RunDir)
	}
}
