// Package config reads the API's environment with the TypeScript API's contract (apps/api/src/env.ts and the
// service kit's base schema): the same names and defaults, empty values counted as unset, X_FILE read into X when
// X is unset (mounted Secrets), and every problem reported at once, naming the variable.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultPort is apps.api.port in @homelab/platform.
const DefaultPort = 3002

// DefaultDatabaseWaitSeconds is packages/platform's dataWorkloads.migration.databaseWaitSeconds; the contract
// suite runs both implementations' migrations.
const DefaultDatabaseWaitSeconds = 180

// maxDatabaseWaitSeconds is the migration Job's activeDeadlineSeconds.
const maxDatabaseWaitSeconds = 300

// Config is the parsed environment.
type Config struct {
	Port                int
	Host                string
	LogLevel            string
	ServiceVersion      string
	GitCommit           string
	FaultsEnabled       bool
	AdminToken          string
	DatabaseURL         string
	DatabasePoolMax     int
	PgliteDataDir       string
	RedisURL            string
	CacheTTLSeconds     int
	MigrateOnStart      *bool
	MaxNotesPerUser     int
	IdentityTokenSecret string
	// DatabaseWait is how long `api migrate` waits for PostgreSQL to accept connections (migration only).
	DatabaseWait time.Duration
}

// Problem names one bad variable.
type Problem struct{ Variable, Message string }

// Error lists every bad variable; its message is the TypeScript ConfigError's.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Variable + ": " + p.Message
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}

// secretCapable are the variables a *_FILE may supply (every schema variable may, as in parseEnv).
var variables = []string{
	"PORT", "HOST", "LOG_LEVEL", "SERVICE_VERSION", "GIT_COMMIT", "FAULTS_ENABLED", "ADMIN_TOKEN", "DATABASE_URL",
	"DATABASE_POOL_MAX", "PGLITE_DATA_DIR", "REDIS_URL", "CACHE_TTL_SECONDS", "MIGRATE_ON_START", "MAX_NOTES_PER_USER",
	"IDENTITY_TOKEN_SECRET", "DATABASE_WAIT_SECONDS",
}

var logLevels = map[string]bool{"fatal": true, "error": true, "warn": true, "info": true, "debug": true, "trace": true, "silent": true}

// integer accepts what z.coerce.number().int() accepts for the values operators write.
var integer = regexp.MustCompile(`^\s*[+-]?\d+\s*$`)

// Load parses environ (os.Environ() form).
func Load(environ []string) (Config, error) { return load(environ, false) }

// LoadMigration reads what the one-shot migration (`api migrate`, the Kubernetes Job) needs: the database and
// logging. The Job mounts only the database Secret, so the identity-token key is not required there.
func LoadMigration(environ []string) (Config, error) { return load(environ, true) }

func load(environ []string, migration bool) (Config, error) {
	values := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && v != "" {
			values[k] = v
		}
	}
	var problems []Problem
	fromFile := map[string]bool{}
	for _, name := range variables {
		path, ok := values[name+"_FILE"]
		if !ok {
			continue
		}
		if _, set := values[name]; set {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, Problem{name + "_FILE", "cannot read: " + err.Error()})
			continue
		}
		values[name] = strings.TrimSpace(string(data))
		fromFile[name] = true
	}
	if len(problems) > 0 {
		return Config{}, &Error{problems}
	}
	bad := func(name, message string) {
		variable := name
		if fromFile[name] {
			variable = name + "_FILE"
		}
		if _, set := values[name]; !set {
			message = "missing (" + message + ")"
		}
		problems = append(problems, Problem{variable, message})
	}
	intVar := func(name string, def, lo, hi int) int {
		raw, ok := values[name]
		if !ok {
			return def
		}
		if !integer.MatchString(raw) {
			bad(name, "expected an integer")
			return def
		}
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || n < lo || n > hi {
			bad(name, fmt.Sprintf("must be between %d and %d", lo, hi))
			return def
		}
		return n
	}
	boolVar := func(name string) (*bool, bool) {
		raw, ok := values[name]
		if !ok {
			return nil, true
		}
		switch raw {
		case "true", "1", "yes":
			t := true
			return &t, true
		case "false", "0", "no":
			f := false
			return &f, true
		}
		bad(name, `expected one of "true"|"false"|"1"|"0"|"yes"|"no"`)
		return nil, false
	}
	str := func(name, def string) string {
		if v, ok := values[name]; ok {
			return v
		}
		return def
	}
	c := Config{
		Port:            intVar("PORT", DefaultPort, 0, 65_535),
		Host:            str("HOST", "0.0.0.0"),
		LogLevel:        str("LOG_LEVEL", "info"),
		ServiceVersion:  str("SERVICE_VERSION", "0.0.0-dev"),
		GitCommit:       str("GIT_COMMIT", "unknown"),
		AdminToken:      values["ADMIN_TOKEN"],
		DatabaseURL:     values["DATABASE_URL"],
		DatabasePoolMax: intVar("DATABASE_POOL_MAX", 10, 1, 100),
		PgliteDataDir:   str("PGLITE_DATA_DIR", ".data/api/pglite"),
		RedisURL:        values["REDIS_URL"],
		CacheTTLSeconds: intVar("CACHE_TTL_SECONDS", 60, 1, 86_400),
		MaxNotesPerUser: intVar("MAX_NOTES_PER_USER", 10_000, 1, 1<<31-1),
	}
	if !logLevels[c.LogLevel] {
		bad("LOG_LEVEL", `expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"`)
	}
	if f, _ := boolVar("FAULTS_ENABLED"); f != nil {
		c.FaultsEnabled = *f
	}
	c.MigrateOnStart, _ = boolVar("MIGRATE_ON_START")
	if _, ok := values["ADMIN_TOKEN"]; ok && len(c.AdminToken) < 16 {
		bad("ADMIN_TOKEN", "must be at least 16 characters")
	}
	if c.DatabaseURL != "" && !schemeIs(c.DatabaseURL, "postgres", "postgresql") {
		bad("DATABASE_URL", "Invalid URL")
	}
	if c.RedisURL != "" && !schemeIs(c.RedisURL, "redis", "rediss") {
		bad("REDIS_URL", "Invalid URL")
	}
	if migration {
		c.DatabaseWait = time.Duration(intVar("DATABASE_WAIT_SECONDS", DefaultDatabaseWaitSeconds, 0, maxDatabaseWaitSeconds)) * time.Second
	}
	c.IdentityTokenSecret = values["IDENTITY_TOKEN_SECRET"]
	if !migration && len([]rune(c.IdentityTokenSecret)) < 32 {
		bad("IDENTITY_TOKEN_SECRET", "must be at least 32 characters")
	}
	if len(problems) > 0 {
		return Config{}, &Error{problems}
	}
	if c.FaultsEnabled && c.AdminToken == "" {
		return Config{}, &Error{[]Problem{{"ADMIN_TOKEN", "required when FAULTS_ENABLED=true"}}}
	}
	return c, nil
}

func schemeIs(raw string, schemes ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return true
		}
	}
	return false
}

// ErrNoDatabase: the Go API has no embedded database (the TypeScript one falls back to PGlite).
var ErrNoDatabase = errors.New("DATABASE_URL: missing (the Go API needs PostgreSQL; embedded PGlite is TypeScript only)")
