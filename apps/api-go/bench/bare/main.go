// Command bare is the benchmark's ceiling: a bare net/http handler doing what a cache hit of GET /v1/notes/{id}
// must do and nothing else, with the Go API's own parts so it does the same work: verify the gateway's HS256
// identity token (internal/identity, verified tokens remembered), check the id is a UUID (internal/validate),
// one Redis GET of the owner's key with the API's client settings (internal/cache), and write the stored bytes.
// No access log, metrics, trace context, security headers or problem+json bodies: those are what the API costs on
// top. The secret comes from IDENTITY_TOKEN_SECRET, as the API reads it (not argv: ps shows argv).
//
//	IDENTITY_TOKEN_SECRET=... bare <port> <redis-url>
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/homelab/homelab/apps/api-go/internal/cache"
	"github.com/homelab/homelab/apps/api-go/internal/identity"
	"github.com/homelab/homelab/apps/api-go/internal/validate"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: bare <port> <redis-url> (IDENTITY_TOKEN_SECRET in the environment)")
	}
	verifier, err := identity.NewVerifier(os.Getenv("IDENTITY_TOKEN_SECRET"), nil)
	if err != nil {
		return fmt.Errorf("identity verifier: %w", err)
	}
	// The API's cache with its TTL unused (the ceiling never writes); a failed GET is a miss, as in the API.
	notes, err := cache.NewRedis(args[1], time.Hour, func(string) {}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	defer notes.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/notes/{id}", func(w http.ResponseWriter, r *http.Request) {
		owner := verifier.Verify(r.Header.Get(identity.Header))
		if owner == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		id := r.PathValue("id")
		if validate.ID(id) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body, ok := notes.Get(r.Context(), cache.Key(owner, id))
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("content-type", "application/json")
		_, _ = w.Write(body)
	})
	// Readiness for the benchmark's start-up wait: answered once Redis answers.
	probe := cache.Key("readyz", "probe")
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		notes.Set(ctx, probe, []byte("ok"))
		if _, ok := notes.Get(ctx, probe); !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	if err := http.ListenAndServe("127.0.0.1:"+args[0], mux); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}
