// Command orchestrator is the orchestrator's single binary: node agent, local cluster, client (cli package).
package main

import (
	"os"

	"homelab/orchestrator/cli"
	"homelab/orchestrator/internal/shim"
)

func main() {
	shim.MaybeRun() // the same binary is every workload's pid 1
	os.Exit(cli.Main(os.Args[1:]))
}
