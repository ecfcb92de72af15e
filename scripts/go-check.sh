#!/usr/bin/env bash
# The repository's own Go modules (every `use` line of go.work): gofmt, go vet, staticcheck, then go test.
# Any finding or failing test fails the run. Prints one summary line and writes .artifacts/go-tests.json
# ({passed, failed, skipped}) so scripts/test.sh's closing line counts Go tests beside vitest's.
#   bash scripts/go-check.sh            # all modules
#   bash scripts/go-check.sh -short     # extra flags go to `go test`
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p .artifacts
[ -f go.work ] || { echo '{"passed":0,"failed":0,"skipped":0}' >.artifacts/go-tests.json; exit 0; }
# No -mod=mod: go.work puts every module in workspace mode, where go refuses it (only readonly/vendor).
export GOTOOLCHAIN=local
want="$(node -p "require('./packages/platform/versions.json').tools.go")"
have="$(go env GOVERSION)"; have="${have#go}"
if [ "$have" != "$want" ]; then echo "go-check: Go $have here, the repository pins $want (versions.json tools.go); continuing" >&2; fi
mapfile -t modules < <(go work edit -json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const u of JSON.parse(s).Use??[])console.log(u.DiskPath)})')
staticcheck="$(ls -d .tools/go/staticcheck-*/staticcheck 2>/dev/null | tail -1 || true)"
status=0
json="$root/.artifacts/go-test.jsonl"; : >"$json"
for m in "${modules[@]}"; do
  echo "go-check: $m"
  unformatted="$(cd "$m" && gofmt -l .)"
  if [ -n "$unformatted" ]; then echo "go-check: not gofmt'ed in $m:"; echo "$unformatted"; status=1; fi
  (cd "$m" && go vet ./...) || status=1
  if [ -n "$staticcheck" ]; then (cd "$m" && "$root/$staticcheck" ./...) || status=1
  elif [ "${CI:-}" = "true" ]; then echo "go-check: staticcheck not built (scripts/go-tools.sh)" >&2; status=1
  else echo "go-check: staticcheck not built; skipped (bash scripts/go-tools.sh staticcheck)" >&2; fi
  (cd "$m" && go test -count=1 -json "$@" ./... >>"$json") || status=1
done
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(l => { try { return JSON.parse(l) } catch { return {} } });
  const c = { passed: 0, failed: 0, skipped: 0 };
  for (const e of lines) if (e.Test) { if (e.Action === "pass") c.passed++; else if (e.Action === "fail") c.failed++; else if (e.Action === "skip") c.skipped++; }
  for (const e of lines) if (e.Action === "fail") console.log(`go-check: FAIL ${e.Package}${e.Test ? " " + e.Test : ""}`);
  for (const e of lines) if (e.Action === "output" && /^(--- FAIL|FAIL|panic:|\s+\S+_test\.go:\d+:)/.test(e.Output ?? "")) process.stdout.write(e.Output);
  require("fs").writeFileSync(process.argv[2], JSON.stringify(c));
  console.log(`go-check: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
' "$json" "$root/.artifacts/go-tests.json"
exit "$status"
