// Package e2e runs the homelab platform on the orchestrator: three node namespaces on a bridge, an agent in
// each, PostgreSQL and Redis as stateful workloads, api, gateway and web as stateless ones.
package e2e

import (
	"os"
	"testing"

	"homelab/orchestrator/cli"
	"homelab/orchestrator/internal/shim"
)

// cliArg turns the test binary into the orchestrator CLI, so the agents the test starts are this very build.
const cliArg = "__orchestrator_cli"

func TestMain(m *testing.M) {
	shim.MaybeRun()
	if len(os.Args) > 1 && os.Args[1] == cliArg {
		os.Exit(cli.Main(os.Args[2:]))
	}
	os.Exit(m.Run())
}
