// Command api is the notes API in Go: the same contract as apps/api (env, routes, bodies, metrics, probes,
// drain, faults), so either implementation serves behind the gateway at any weight.
//
//	api            serve (migrating first when MIGRATE_ON_START says so)
//	api migrate    one-shot migration (the Kubernetes Job before a rollout)
//	api healthcheck  exit 0 when this container's server is ready (compose's healthcheck; no shell in the image)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/homelab/homelab/apps/api-go/internal/cache"
	"github.com/homelab/homelab/apps/api-go/internal/config"
	"github.com/homelab/homelab/apps/api-go/internal/faults"
	"github.com/homelab/homelab/apps/api-go/internal/healthcheck"
	"github.com/homelab/homelab/apps/api-go/internal/identity"
	"github.com/homelab/homelab/apps/api-go/internal/logsink"
	"github.com/homelab/homelab/apps/api-go/internal/metrics"
	"github.com/homelab/homelab/apps/api-go/internal/migrate"
	"github.com/homelab/homelab/apps/api-go/internal/notes"
	"github.com/homelab/homelab/apps/api-go/internal/openapi"
	"github.com/homelab/homelab/apps/api-go/internal/server"
)

// The platform's drain timing (shutdown in packages/platform/src/http.ts).
const (
	drainBudget = 15 * time.Second
	linger      = time.Second
	// Keep-alive ordering: proxy idle (60 s) < keepAliveTimeout < headersTimeout.
	keepAlive     = 65 * time.Second
	headerTimeout = 66 * time.Second
	// configExitCode is EX_CONFIG, as the service kit exits on a ConfigError.
	configExitCode = 78
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(runHealthcheck())
	}
	migration := len(os.Args) > 1 && os.Args[1] == "migrate"
	load := config.Load
	if migration {
		load = config.LoadMigration
	}
	cfg, err := load(os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(configExitCode)
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(os.Stderr, "invalid configuration: "+config.ErrNoDatabase.Error())
		os.Exit(configExitCode)
	}
	sink := logsink.New(os.Stdout, 32<<10, 250*time.Millisecond)
	defer func() { _ = sink.Close() }()
	log := newLogger(cfg, "api", sink)
	if migration {
		if err := runMigrate(cfg, log); err != nil {
			log.Error("migration failed", "err", err.Error())
			_ = sink.Close()
			os.Exit(1)
		}
		return
	}
	if err := run(cfg, log); err != nil {
		log.Error("start-up failed", "err", err.Error())
		_ = sink.Close()
		os.Exit(1)
	}
}

// runHealthcheck asks the server this container runs (the same PORT) for /readyz: 0 ready, 1 not, 78 bad config.
func runHealthcheck() int {
	cfg, err := config.Load(os.Environ())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return configExitCode
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := healthcheck.Ready(ctx, http.DefaultClient, cfg.Port); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// newLogger writes pino's line shape: level as a word, ISO time, service and version on every line.
func newLogger(cfg config.Config, service string, out io.Writer) *slog.Logger {
	levels := map[string]slog.Level{"trace": slog.LevelDebug - 4, "debug": slog.LevelDebug, "info": slog.LevelInfo,
		"warn": slog.LevelWarn, "error": slog.LevelError, "fatal": slog.LevelError + 4}
	level, ok := levels[cfg.LogLevel]
	if !ok {
		out, level = io.Discard, slog.LevelError+8
	}
	h := slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) > 0 {
			return a
		}
		switch a.Key {
		case slog.LevelKey:
			l := a.Value.Any().(slog.Level)
			names := map[slog.Level]string{slog.LevelDebug - 4: "trace", slog.LevelDebug: "debug", slog.LevelInfo: "info",
				slog.LevelWarn: "warn", slog.LevelError: "error", slog.LevelError + 4: "fatal"}
			return slog.String("level", names[l])
		case slog.TimeKey:
			return slog.String("time", a.Value.Time().UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		return a
	}})
	return slog.New(h).With("service", service, "version", cfg.ServiceVersion)
}

// migrationsDir: MIGRATIONS_DIR is not part of the env contract; the image puts migrations/ beside the binary,
// a checkout has them at apps/api/migrations.
func migrationsDir() string {
	if exe, err := os.Executable(); err == nil {
		if d := filepath.Join(filepath.Dir(exe), "migrations"); isDir(d) {
			return d
		}
	}
	for _, d := range []string{"apps/api/migrations", "../api/migrations", "../../apps/api/migrations"} {
		if isDir(d) {
			return d
		}
	}
	return "migrations"
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func openPool(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pc.MaxConns = int32(cfg.DatabasePoolMax)
	pc.MaxConnIdleTime = 30 * time.Second
	// Connect attempts fail fast so requests answer 503 instead of queueing while PostgreSQL is down; a server-side
	// statement cap keeps a stuck query from pinning a connection (the TypeScript pool's settings).
	pc.ConnConfig.ConnectTimeout = 2 * time.Second
	pc.ConnConfig.RuntimeParams["statement_timeout"] = "4000"
	pc.ConnConfig.RuntimeParams["application_name"] = "homelab-api-go"
	// Unnamed statements with cached descriptions, as node-postgres uses: named prepared statements collide where
	// connections share one session (the local shared PGlite served over the wire protocol answered 42P05
	// "prepared statement already exists" to the Go canary; measured with homelab deploy api --local) and behind
	// a transaction-pooling proxy.
	pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	return pool, nil
}

func runMigrate(cfg config.Config, log *slog.Logger) error {
	ctx := context.Background()
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := migrate.WaitForDatabase(ctx, pool, cfg.DatabaseWait, notes.Unavailable, log); err != nil {
		return err
	}
	ms, err := migrate.Load(os.DirFS(migrationsDir()))
	if err != nil {
		return err
	}
	from, to, err := migrate.Run(ctx, pool, ms)
	if err != nil {
		return err
	}
	log.Info("schema migrated", "from", from, "to", to)
	return nil
}

func run(cfg config.Config, log *slog.Logger) error {
	ctx := context.Background()
	m := metrics.New("api", cfg.ServiceVersion, cfg.GitCommit)
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	if cfg.MigrateOnStart != nil && *cfg.MigrateOnStart {
		if err := runMigrate(cfg, log); err != nil {
			return err
		}
	}
	var c cache.Cache
	if cfg.RedisURL != "" {
		c, err = cache.NewRedis(cfg.RedisURL, time.Duration(cfg.CacheTTLSeconds)*time.Second,
			func(op string) { m.CacheErrors.WithLabelValues(op).Inc() }, log)
		if err != nil {
			return err
		}
	} else {
		log.Warn("REDIS_URL unset: using the in-memory cache (local mode)")
		c = cache.NewMemory(time.Duration(cfg.CacheTTLSeconds) * time.Second)
	}
	verifier, err := identity.NewVerifier(cfg.IdentityTokenSecret, nil)
	if err != nil {
		return err
	}
	f := faults.New(cfg.FaultsEnabled, cfg.AdminToken, func() { os.Exit(70) })
	srv := server.New(server.Deps{
		Log: log, AccessLog: true, Metrics: m,
		Repository: &notes.Repository{Pool: pool, MaxNotesPerOwner: cfg.MaxNotesPerUser},
		Ping:       func(ctx context.Context) error { return pool.Ping(ctx) },
		Cache:      c, Verifier: verifier, Faults: f, OpenAPI: openapi.Document,
	})
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{Handler: srv, IdleTimeout: keepAlive, ReadHeaderTimeout: headerTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	port := ln.Addr().(*net.TCPAddr).Port
	log.Info("listening", "url", fmt.Sprintf("http://%s:%d", cfg.Host, port), "port", port)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case sig := <-signals:
		drain(log, srv, hs, sig.String())
	}
	// Shutdown hooks after the last request: pools, cache, leak timer.
	f.Close()
	_ = c.Close()
	pool.Close()
	return nil
}

// drain is the service kit's: readiness 503, keep answering with Connection: close for `linger`, stop accepting,
// let in-flight requests finish, force-close what is left when the budget ends.
func drain(log *slog.Logger, srv *server.Server, hs *http.Server, reason string) {
	started := time.Now()
	srv.BeginDrain()
	log.Info("draining", "reason", reason, "lingerMs", linger.Milliseconds(), "drainMs", drainBudget.Milliseconds())
	time.Sleep(linger)
	ctx, cancel := context.WithTimeout(context.Background(), drainBudget-time.Since(started)-500*time.Millisecond)
	defer cancel()
	// Shutdown closes the listener, then idle connections (a just-accepted one counts as busy for 5 s, so a
	// request on its way is not reset), and waits for busy ones to finish their response.
	if err := hs.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		log.Warn("drain budget spent: closing remaining connections")
		_ = hs.Close()
	}
	log.Info("stopped", "ms", time.Since(started).Milliseconds())
}
