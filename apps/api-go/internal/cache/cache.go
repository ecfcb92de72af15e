// Package cache is the note read cache: Redis cache-aside with the TypeScript API's keys, TTL and values (the
// exact response bytes), so both implementations share one Redis; or an in-process cache without REDIS_URL.
// A failing cache is a miss, counted in cache_errors_total{operation}, and never fails a request.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Key is noteCacheKey: the owner is part of it, so another user's id never hits someone else's entry.
func Key(owner, id string) string { return "note:" + owner + ":" + id }

// Cache never returns errors: failures are counted by the implementation.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool)
	Set(ctx context.Context, key string, value []byte)
	Delete(ctx context.Context, key string)
	Close() error
}

// ErrorCounter counts failed calls by operation (get, set, delete).
type ErrorCounter func(operation string)

// Redis is the shared cache.
type Redis struct {
	client  *redis.Client
	gets    *getBatcher
	ttl     time.Duration
	failed  ErrorCounter
	log     *slog.Logger
	lastLog atomic.Int64
}

// NewRedis opens a client. Short timeouts: a cache slower than the database is worse than none (the TypeScript
// one drops a connection silent for 100 ms).
func NewRedis(url string, ttl time.Duration, failed ErrorCounter, log *slog.Logger) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opts.DialTimeout = time.Second
	opts.ReadTimeout = 100 * time.Millisecond
	opts.WriteTimeout = 100 * time.Millisecond
	opts.MaxRetries = -1
	opts.PoolTimeout = 100 * time.Millisecond
	client := redis.NewClient(opts)
	return &Redis{client: client, gets: newGetBatcher(client), ttl: ttl, failed: failed, log: log}, nil
}

func (r *Redis) fail(op string, err error) {
	r.failed(op)
	now := time.Now().UnixMilli()
	if last := r.lastLog.Load(); now-last > 10_000 && r.lastLog.CompareAndSwap(last, now) {
		r.log.Warn("Redis cache unavailable: answering from PostgreSQL", "err", err.Error(), "operation", op)
	}
}

// Get is a miss on any failure; concurrent Gets share one pipelined round trip.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool) {
	v, err := r.gets.get(ctx, key)
	if errors.Is(err, redis.Nil) {
		return nil, false
	}
	if err != nil {
		r.fail("get", err)
		return nil, false
	}
	return v, true
}

// Set stores with the TTL.
func (r *Redis) Set(ctx context.Context, key string, value []byte) {
	if err := r.client.Set(ctx, key, value, r.ttl).Err(); err != nil {
		r.fail("set", err)
	}
}

// Delete invalidates.
func (r *Redis) Delete(ctx context.Context, key string) {
	if err := r.client.Del(ctx, key).Err(); err != nil {
		r.fail("delete", err)
	}
}

// Close stops the batcher and closes the client.
func (r *Redis) Close() error {
	r.gets.close()
	return r.client.Close()
}

// Memory is the in-process cache for runs without REDIS_URL: a TTL and an entry cap (oldest out first).
type Memory struct {
	mu         sync.Mutex
	ttl        time.Duration
	maxEntries int
	entries    map[string]memEntry
	order      []string
	now        func() time.Time
}

type memEntry struct {
	value   []byte
	expires time.Time
}

// NewMemory with maxEntries 10 000 like the TypeScript one.
func NewMemory(ttl time.Duration) *Memory {
	return &Memory{ttl: ttl, maxEntries: 10_000, entries: map[string]memEntry{}, now: time.Now}
}

// Get drops expired entries.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return nil, false
	}
	if !m.now().Before(e.expires) {
		delete(m.entries, key)
		return nil, false
	}
	return e.value, true
}

// Set evicts the oldest entry past the cap.
func (m *Memory) Set(_ context.Context, key string, value []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; !ok {
		m.order = append(m.order, key)
	}
	m.entries[key] = memEntry{value: value, expires: m.now().Add(m.ttl)}
	for len(m.entries) > m.maxEntries && len(m.order) > 0 {
		oldest := m.order[0]
		m.order = m.order[1:]
		delete(m.entries, oldest)
	}
	// Keys deleted earlier stay in order until they reach the front; compact when it has grown far past the map.
	if len(m.order) > 2*m.maxEntries {
		kept := m.order[:0]
		for _, k := range m.order {
			if _, ok := m.entries[k]; ok {
				kept = append(kept, k)
			}
		}
		m.order = kept
	}
}

// Delete removes the key.
func (m *Memory) Delete(_ context.Context, key string) {
	m.mu.Lock()
	delete(m.entries, key)
	m.mu.Unlock()
}

// Close empties the cache.
func (m *Memory) Close() error {
	m.mu.Lock()
	clear(m.entries)
	m.order = nil
	m.mu.Unlock()
	return nil
}
