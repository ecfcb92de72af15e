// Package migrate applies apps/api/migrations (the TypeScript API's directory, not a copy) with Postgrator's
// bookkeeping: the same `schemaversion` table (version, name, md5, run_at), the same md5 of each file, so either
// implementation can migrate a database the other one migrated, and a changed migration is refused by both.
package migrate

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Migration is one `NNN.do.<name>.sql` file.
type Migration struct {
	Version int64
	Name    string
	SQL     string
	MD5     string
}

var doFile = regexp.MustCompile(`^(\d+)\.do\.(.+)\.sql$`)

// Load reads the do-migrations of dir, ascending.
func Load(dir fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := doFile.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		data, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		v, _ := strconv.ParseInt(m[1], 10, 64)
		sum := md5.Sum(data)
		out = append(out, Migration{Version: v, Name: m[2], SQL: string(data), MD5: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Version < out[b].Version })
	return out, nil
}

// lockKey serialises concurrent migrators (two implementations starting together) on one advisory lock.
const lockKey = 0x686f6d656c6162

// Run brings the schema to the newest version; returns the versions before and after.
func Run(ctx context.Context, pool *pgxpool.Pool, migrations []Migration) (from, to int64, err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return 0, 0, fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) }()
	// Postgrator's table, created the way it creates it (version 0 row first).
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schemaversion') IS NOT NULL").Scan(&exists); err != nil {
		return 0, 0, fmt.Errorf("migrate: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE TABLE "schemaversion" (version BIGINT PRIMARY KEY, name TEXT, md5 TEXT, run_at TIMESTAMPTZ);
			INSERT INTO "schemaversion" (version) VALUES (0)`); err != nil {
			return 0, 0, fmt.Errorf("migrate: create schemaversion: %w", err)
		}
	}
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM "schemaversion"`).Scan(&from); err != nil {
		return 0, 0, fmt.Errorf("migrate: read version: %w", err)
	}
	to = from
	for _, m := range migrations {
		if m.Version <= from {
			var sum *string
			if err := conn.QueryRow(ctx, `SELECT md5 FROM "schemaversion" WHERE version = $1`, m.Version).Scan(&sum); err == nil &&
				sum != nil && *sum != "" && *sum != m.MD5 {
				return from, to, fmt.Errorf("MD5 checksum failed for migration [%d]", m.Version)
			}
			continue
		}
		// The script as one simple-protocol query: PostgreSQL runs a multi-statement query as one implicit
		// transaction, so a failed migration leaves nothing half-applied (as in the TypeScript migrator).
		if _, err := conn.Exec(ctx, m.SQL); err != nil {
			return from, to, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO "schemaversion" (version, name, md5, run_at) VALUES ($1, $2, $3, $4)`,
			m.Version, m.Name, m.MD5, time.Now().UTC()); err != nil {
			return from, to, fmt.Errorf("record migration %d: %w", m.Version, err)
		}
		to = m.Version
	}
	return from, to, nil
}
