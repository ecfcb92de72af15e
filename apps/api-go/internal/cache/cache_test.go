package cache

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

func TestKey(t *testing.T) {
	if got := Key("alice", "id-1"); got != "note:alice:id-1" {
		t.Fatalf("Key = %q", got)
	}
}

func TestMemoryTTLAndCap(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(0, 0)
	m := NewMemory(time.Minute)
	m.now = func() time.Time { return now }
	m.maxEntries = 2
	m.Set(ctx, "a", []byte("1"))
	m.Set(ctx, "b", []byte("2"))
	m.Set(ctx, "c", []byte("3"))
	if _, ok := m.Get(ctx, "a"); ok {
		t.Fatal("the oldest entry must be evicted past the cap")
	}
	if v, ok := m.Get(ctx, "c"); !ok || string(v) != "3" {
		t.Fatal("newest entry missing")
	}
	now = now.Add(time.Minute)
	if _, ok := m.Get(ctx, "c"); ok {
		t.Fatal("an entry past its TTL must be a miss")
	}
	m.Delete(ctx, "b")
	if _, ok := m.Get(ctx, "b"); ok {
		t.Fatal("deleted entry still there")
	}
}

// A Redis that is down is a counted miss, never an error: a closed port refuses at once.
func TestRedisDownIsACountedMiss(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	counts := map[string]int{}
	r, err := NewRedis("redis://"+addr, time.Minute, func(op string) { counts[op]++ }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	ctx := context.Background()
	if _, ok := r.Get(ctx, "k"); ok {
		t.Fatal("hit from a Redis that is down")
	}
	r.Set(ctx, "k", []byte("v"))
	r.Delete(ctx, "k")
	if counts["get"] != 1 || counts["set"] != 1 || counts["delete"] != 1 {
		t.Fatalf("counts %v", counts)
	}
}
