package cache

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startRedis runs a real redis-server on a free loopback port for one test (required under CI=true).
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is required under CI=true")
		}
		t.Skip("no redis-server on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	t.Cleanup(func() { _ = client.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for client.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not answer PING within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return client
}

// pipelineSizes counts how many commands each round trip carried.
type pipelineSizes struct {
	mu    sync.Mutex
	sizes []int
}

func (p *pipelineSizes) DialHook(next redis.DialHook) redis.DialHook { return next }
func (p *pipelineSizes) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "get" { // not the connection's own HELLO / CLIENT SETINFO
			p.record(1)
		}
		return next(ctx, cmd)
	}
}
func (p *pipelineSizes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		gets := 0
		for _, c := range cmds {
			if c.Name() == "get" {
				gets++
			}
		}
		if gets > 0 {
			p.record(gets)
		}
		return next(ctx, cmds)
	}
}
func (p *pipelineSizes) record(n int) {
	p.mu.Lock()
	p.sizes = append(p.sizes, n)
	p.mu.Unlock()
}

// Every caller gets its own key's answer (hit or miss), and concurrent callers share round trips.
func TestBatcherAnswersEachCallerAndBatches(t *testing.T) {
	client := startRedis(t)
	ctx := context.Background()
	const callers = 400
	for i := 0; i < callers; i += 2 { // even keys exist, odd ones are misses
		if err := client.Set(ctx, fmt.Sprint("k", i), fmt.Sprint("v", i), time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	}
	sizes := &pipelineSizes{}
	client.AddHook(sizes)
	b := newGetBatcher(client)
	defer b.close()

	var wrong atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			v, err := b.get(ctx, fmt.Sprint("k", i))
			switch {
			case i%2 == 0 && (err != nil || string(v) != fmt.Sprint("v", i)):
				wrong.Add(1)
			case i%2 == 1 && !errors.Is(err, redis.Nil):
				wrong.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d of %d callers got another key's answer or a wrong miss", n, callers)
	}
	sizes.mu.Lock()
	defer sizes.mu.Unlock()
	total := 0
	for _, n := range sizes.sizes {
		total += n
		if n > maxBatch {
			t.Fatalf("a round trip carried %d commands, over the cap %d", n, maxBatch)
		}
	}
	if total != callers {
		t.Fatalf("%d commands sent for %d callers", total, callers)
	}
	if len(sizes.sizes) >= callers/2 {
		t.Fatalf("%d round trips for %d concurrent callers: not batched", len(sizes.sizes), callers)
	}
}

// A caller whose context has ended stops waiting; the batcher goes on serving the others.
func TestBatcherCallerCancelled(t *testing.T) {
	client := startRedis(t)
	b := newGetBatcher(client)
	defer b.close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v", err)
	}
	if err := client.Set(context.Background(), "k", "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := b.get(context.Background(), "k"); err != nil || string(v) != "v" {
		t.Fatalf("after a cancelled caller: %q, %v", v, err)
	}
}

// Redis gone: every waiting caller gets an error (a counted miss in Redis.Get), none hangs.
func TestBatcherRedisDown(t *testing.T) {
	server := startRedis(t)
	// The cache's own options (NewRedis): no retries, short timeouts.
	client := redis.NewClient(&redis.Options{Addr: server.Options().Addr, MaxRetries: -1, ReadTimeout: 100 * time.Millisecond})
	defer func() { _ = client.Close() }()
	b := newGetBatcher(client)
	defer b.close()
	_ = server.ShutdownNoSave(context.Background()).Err() // the server's answer is the connection closing
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.get(ctx, fmt.Sprint("k", i)); err != nil && !errors.Is(err, redis.Nil) {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("callers waited 5 s on a Redis that is down")
	}
	if failed.Load() != 50 {
		t.Fatalf("%d of 50 callers got an error from a Redis that is down", failed.Load())
	}
}
