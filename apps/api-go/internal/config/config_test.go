package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const secret = "IDENTITY_TOKEN_SECRET=0123456789abcdef0123456789abcdef"

func TestDefaults(t *testing.T) {
	c, err := Load([]string{secret})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != DefaultPort || c.Host != "0.0.0.0" || c.DatabasePoolMax != 10 || c.CacheTTLSeconds != 60 ||
		c.MaxNotesPerUser != 10_000 || c.LogLevel != "info" || c.MigrateOnStart != nil || c.FaultsEnabled {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     []string
		naming  string
		message string
	}{
		{"secret missing", nil, "IDENTITY_TOKEN_SECRET", "missing"},
		{"secret short", []string{"IDENTITY_TOKEN_SECRET=short"}, "IDENTITY_TOKEN_SECRET", "at least 32"},
		{"port text", []string{secret, "PORT=http"}, "PORT", "integer"},
		{"port range", []string{secret, "PORT=70000"}, "PORT", "between"},
		{"pool zero", []string{secret, "DATABASE_POOL_MAX=0"}, "DATABASE_POOL_MAX", "between"},
		{"db scheme", []string{secret, "DATABASE_URL=mysql://x/y"}, "DATABASE_URL", "Invalid URL"},
		{"redis scheme", []string{secret, "REDIS_URL=http://x"}, "REDIS_URL", "Invalid URL"},
		{"bool", []string{secret, "MIGRATE_ON_START=maybe"}, "MIGRATE_ON_START", "expected one of"},
		{"level", []string{secret, "LOG_LEVEL=loud"}, "LOG_LEVEL", "expected one of"},
		{"faults without token", []string{secret, "FAULTS_ENABLED=true"}, "ADMIN_TOKEN", "required when"},
		{"secret file missing", []string{"IDENTITY_TOKEN_SECRET_FILE=/nonexistent/x"}, "IDENTITY_TOKEN_SECRET_FILE", "cannot read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.env)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want a config error, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.naming+": ") || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("%q does not name %s with %q", err, tc.naming, tc.message)
			}
		})
	}
}

func TestSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte("0123456789abcdef0123456789abcdef-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load([]string{"IDENTITY_TOKEN_SECRET_FILE=" + path, "MIGRATE_ON_START=yes", "PORT="})
	if err != nil {
		t.Fatal(err)
	}
	if c.IdentityTokenSecret != "0123456789abcdef0123456789abcdef-file" || c.MigrateOnStart == nil || !*c.MigrateOnStart || c.Port != DefaultPort {
		t.Fatalf("%+v", c)
	}
	short := filepath.Join(t.TempDir(), "short")
	_ = os.WriteFile(short, []byte("x"), 0o600)
	if _, err := Load([]string{"IDENTITY_TOKEN_SECRET_FILE=" + short}); err == nil || !strings.Contains(err.Error(), "IDENTITY_TOKEN_SECRET_FILE: ") {
		t.Fatalf("a bad value from a file must name the _FILE variable: %v", err)
	}
}

func TestMigrationNeedsOnlyTheDatabase(t *testing.T) {
	// The migration Job mounts only the database Secret: no identity-token key, and it must still start.
	env := []string{"DATABASE_URL=postgres://u:p@db:5432/notes"}
	cfg, err := LoadMigration(env)
	if err != nil {
		t.Fatalf("LoadMigration: %v", err)
	}
	if cfg.DatabaseURL != "postgres://u:p@db:5432/notes" {
		t.Fatalf("DatabaseURL = %q", cfg.DatabaseURL)
	}
	// The server still refuses to start without the key.
	if _, err := Load(env); err == nil || !strings.Contains(err.Error(), "IDENTITY_TOKEN_SECRET") {
		t.Fatalf("Load without the key: %v", err)
	}
	if cfg.DatabaseWait != DefaultDatabaseWaitSeconds*time.Second {
		t.Fatalf("DatabaseWait = %v, want the default %ds", cfg.DatabaseWait, DefaultDatabaseWaitSeconds)
	}
	for _, bad := range []string{"-1", "301", "soon"} {
		_, err := LoadMigration(append(env, "DATABASE_WAIT_SECONDS="+bad))
		if err == nil || !strings.Contains(err.Error(), "DATABASE_WAIT_SECONDS") {
			t.Fatalf("DATABASE_WAIT_SECONDS=%s: %v", bad, err)
		}
	}
	// A malformed value is still an error for the migration.
	if _, err := LoadMigration([]string{"DATABASE_URL=mysql://x/y"}); err == nil {
		t.Fatal("LoadMigration accepted a mysql URL")
	}
}
