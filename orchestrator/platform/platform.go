// Package platform describes the homelab platform as orchestrator workloads: PostgreSQL and Redis (stateful,
// Debian's binaries, each pinned to its volume's node) and the api, gateway and web apps (stateless, run from
// the checkout with the bootstrapped Node). Ports and names come from packages/platform (read through Node), so
// nothing here repeats them; secrets are generated per run and never written to the repository.
package platform

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"homelab/orchestrator/agent"
	"homelab/orchestrator/internal/cgroup"
	"homelab/orchestrator/scheduler"
	"homelab/orchestrator/server"
)

// Facts are what the orchestrator needs from packages/platform.
type Facts struct {
	Apps map[string]struct {
		Port     int `json:"port"`
		Replicas struct {
			Min int `json:"min"`
		} `json:"replicas"`
	} `json:"apps"`
	Paths struct {
		Liveness  string `json:"liveness"`
		Readiness string `json:"readiness"`
	} `json:"paths"`
	Postgres struct {
		Port     int    `json:"port"`
		Database string `json:"database"`
		User     string `json:"user"`
	} `json:"postgres"`
	Redis struct {
		Port      int    `json:"port"`
		MaxMemory string `json:"maxMemory"`
	} `json:"redis"`
}

// Platform is the platform's workloads for one run, with that run's secrets.
type Platform struct {
	Repo    string
	Node    string // the bootstrapped Node binary
	PgBin   string
	Facts   Facts
	APIKey  string // the gateway key of the demo identity
	secrets map[string]string
}

const factsScript = `const p = await import(process.argv[1]);
console.log(JSON.stringify({ apps: p.apps, paths: p.http.paths, postgres: p.data.postgres, redis: p.data.redis }));`

// Load reads the facts from the checkout at repo and generates the run's secrets.
func Load(repo string) (*Platform, error) {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return nil, err
	}
	node := filepath.Join(repo, ".tools", "bin", "node")
	if _, err := os.Stat(node); err != nil {
		return nil, fmt.Errorf("platform: %s missing: run scripts/bootstrap.sh first", node)
	}
	out, err := exec.Command(node, "--input-type=module", "-e", factsScript, "--",
		filepath.Join(repo, "packages", "platform", "src", "index.ts")).Output()
	if err != nil {
		return nil, fmt.Errorf("platform: read packages/platform: %w", err)
	}
	p := &Platform{Repo: repo, Node: node, secrets: map[string]string{}}
	if err := json.Unmarshal(out, &p.Facts); err != nil {
		return nil, fmt.Errorf("platform: facts: %w", err)
	}
	if p.PgBin, err = PostgresBin(); err != nil {
		return nil, err
	}
	for _, k := range []string{"pg", "redis", "identity", "jwt", "session", "apikey"} {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		p.secrets[k] = hex.EncodeToString(b)
	}
	p.APIKey = p.secrets["apikey"]
	return p, nil
}

// PostgresBin is the newest Debian PostgreSQL server's bin directory.
func PostgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a < b
	})
	if len(dirs) == 0 {
		return "", fmt.Errorf("platform: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)")
	}
	return dirs[len(dirs)-1], nil
}

func lookupIDs(name string) (uint32, uint32, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, fmt.Errorf("platform: user %s: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uint32(uid), uint32(gid), nil
}

func httpProbe(port int, path string) *agent.Probe {
	return &agent.Probe{HTTP: fmt.Sprintf("http://127.0.0.1:%d%s", port, path), PeriodMs: 500, TimeoutMs: 2000, FailureThreshold: 3}
}

// The service names; the {{service:NAME}} references below resolve to their proxies.
const (
	Postgres = "postgres"
	Redis    = "redis"
	API      = "api"
	Gateway  = "gateway"
	Web      = "web"
)

// Workloads are the five workloads, dependencies first.
func (p *Platform) Workloads() []server.Workload {
	pgUID, pgGID, err := lookupIDs("postgres")
	if err != nil {
		pgUID, pgGID = 65534, 65534 // initdb then fails visibly in the workload's log: PostgreSQL refuses root
	}
	f := p.Facts
	pgScript := fmt.Sprintf(`set -e
D="$VOLUME_DIR/pgdata"
if [ ! -s "$D/PG_VERSION" ]; then
  printf '%%s\n' "$PG_SUPERUSER_PASSWORD" > /tmp/pw
  initdb --no-sync -D "$D" -U postgres --pwfile=/tmp/pw --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  rm /tmp/pw
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$D/pg_hba.conf"
  printf "CREATE ROLE %[1]s LOGIN PASSWORD '%%s';\nCREATE DATABASE %[2]s OWNER %[1]s;\n" "$PG_PASSWORD" | postgres --single -D "$D" postgres >/dev/null
fi
exec postgres -D "$D" -k /tmp -c listen_addresses='*' -c port=%[3]d`, f.Postgres.User, f.Postgres.Database, f.Postgres.Port)
	dbURL := fmt.Sprintf("postgres://%s:%s@{{service:%s}}/%s", f.Postgres.User, p.secrets["pg"], Postgres, f.Postgres.Database)
	redisURL := fmt.Sprintf("redis://:%s@{{service:%s}}", p.secrets["redis"], Redis)
	nodeApp := func(name string, replicas int, env ...string) server.Workload {
		port := f.Apps[name].Port
		return server.Workload{Name: name, Kind: server.Stateless, Replicas: replicas, Port: port,
			Resources: scheduler.Resources{MilliCPU: 100, MemoryBytes: 192 << 20},
			Template: agent.Spec{
				Command: p.startCommand(name), Dir: filepath.Join(p.Repo, "apps", name),
				Env: append([]string{"PORT=" + strconv.Itoa(port), "HOME=/tmp", "LOG_LEVEL=warn"}, env...),
				UID: 65534, GID: 65534,
				Limits:    cgroup.Limits{MemoryBytes: 384 << 20, PidsMax: 256},
				Readiness: httpProbe(port, f.Paths.Readiness), Liveness: httpProbe(port, f.Paths.Liveness),
			}}
	}
	apiKeyHash := sha256.Sum256([]byte(p.APIKey))
	return []server.Workload{
		{Name: Postgres, Kind: server.Stateful, Replicas: 1, Port: f.Postgres.Port, Volume: Postgres,
			Resources: scheduler.Resources{MilliCPU: 250, MemoryBytes: 256 << 20},
			Template: agent.Spec{Command: []string{"/bin/sh", "-c", pgScript}, UID: pgUID, GID: pgGID,
				Env:       []string{"PATH=" + p.PgBin + ":/usr/bin:/bin", "PG_SUPERUSER_PASSWORD=" + p.secrets["pg"] + "-admin", "PG_PASSWORD=" + p.secrets["pg"]},
				Limits:    cgroup.Limits{MemoryBytes: 512 << 20, PidsMax: 256},
				Readiness: &agent.Probe{Exec: []string{filepath.Join(p.PgBin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(f.Postgres.Port)}, PeriodMs: 500}}},
		{Name: Redis, Kind: server.Stateful, Replicas: 1, Port: f.Redis.Port, Volume: Redis,
			Resources: scheduler.Resources{MilliCPU: 100, MemoryBytes: 128 << 20},
			Template: agent.Spec{Command: []string{"/bin/sh", "-c", fmt.Sprintf(
				`exec redis-server --port %d --bind 0.0.0.0 --protected-mode no --requirepass "$REDIS_PASSWORD" --dir "$VOLUME_DIR" --appendonly yes --maxmemory %s`,
				f.Redis.Port, f.Redis.MaxMemory)}, UID: 65534, GID: 65534,
				Env:       []string{"REDIS_PASSWORD=" + p.secrets["redis"]},
				Limits:    cgroup.Limits{MemoryBytes: 256 << 20, PidsMax: 64},
				Readiness: &agent.Probe{Exec: []string{"/bin/sh", "-c", fmt.Sprintf("redis-cli --no-auth-warning -a %s -p %d ping | grep -q PONG", p.secrets["redis"], f.Redis.Port)}, PeriodMs: 500}}},
		nodeApp(API, 2, "DATABASE_URL="+dbURL, "REDIS_URL="+redisURL, "MIGRATE_ON_START=true",
			"IDENTITY_TOKEN_SECRET="+p.secrets["identity"]),
		nodeApp(Gateway, 2, "API_URL=http://{{service:"+API+"}}", "REDIS_URL="+redisURL,
			"API_KEYS=demo:"+hex.EncodeToString(apiKeyHash[:]), "IDENTITY_TOKEN_SECRET="+p.secrets["identity"],
			"JWT_SECRET="+p.secrets["jwt"], "WEB_ORIGIN=http://{{service:"+Web+"}}"),
		nodeApp(Web, 1, "GATEWAY_URL=http://{{service:"+Gateway+"}}", "JWT_SECRET="+p.secrets["jwt"],
			"SESSION_SECRET="+p.secrets["session"]),
	}
}

// startCommand is the app's own `start` script (package.json) with the bootstrapped Node: web needs
// `--import tsx` for its JSX, the others run their TypeScript directly.
func (p *Platform) startCommand(app string) []string {
	b, err := os.ReadFile(filepath.Join(p.Repo, "apps", app, "package.json"))
	if err != nil {
		return []string{p.Node, "src/main.ts"}
	}
	return nodeCommand(p.Node, b)
}

// nodeCommand is what a package.json's `start` script hands to node, run by the given Node binary. A launcher
// in front of node (`bash ../../scripts/tools.sh node ...`, which bootstraps a checkout first) is skipped: the
// workload has the bootstrapped Node already, and the launcher would need a shell and the network.
func nodeCommand(node string, packageJSON []byte) []string {
	fallback := []string{node, "src/main.ts"}
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	if json.Unmarshal(packageJSON, &pkg) != nil {
		return fallback
	}
	f := strings.Fields(pkg.Scripts["start"])
	i := slices.Index(f, "node")
	if i < 0 || i == len(f)-1 {
		return fallback
	}
	return append([]string{node}, f[i+1:]...)
}
