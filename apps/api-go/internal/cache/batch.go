package cache

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// maxBatch caps one pipeline: a burst larger than this goes out as several round trips.
const maxBatch = 128

// getBatcher sends the GETs of concurrent requests to Redis in one pipeline: what ioredis' auto-pipelining does
// for the TypeScript API (ADR 0157). One loop owns the round trips; while one pipeline is in flight the next
// requests queue, and the loop sends all of them at once when it returns ("natural" batching: no timer, so a lone
// request waits for nobody, and under load a batch grows with the round trip). A request whose context ends stops
// waiting; its GET may still go out, and its answer is dropped.
type getBatcher struct {
	client *redis.Client
	queue  chan getCall
	done   chan struct{}
}

type getCall struct {
	key   string
	reply chan getReply // buffered (1): the loop never blocks on a caller that stopped waiting
}

type getReply struct {
	value []byte
	err   error // redis.Nil for a miss
}

func newGetBatcher(client *redis.Client) *getBatcher {
	b := &getBatcher{client: client, queue: make(chan getCall, 4*maxBatch), done: make(chan struct{})}
	go b.loop()
	return b
}

// get is the batched GET; err is redis.Nil for a miss, ctx.Err() when the caller's context ended first.
func (b *getBatcher) get(ctx context.Context, key string) ([]byte, error) {
	call := getCall{key: key, reply: make(chan getReply, 1)}
	select {
	case b.queue <- call:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.done:
		return nil, redis.ErrClosed
	}
	select {
	case r := <-call.reply:
		return r.value, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.done: // the loop may have returned with this call still queued
		return nil, redis.ErrClosed
	}
}

func (b *getBatcher) close() { close(b.done) }

func (b *getBatcher) loop() {
	batch := make([]getCall, 0, maxBatch)
	for {
		select {
		case first := <-b.queue:
			batch = append(batch[:0], first)
		case <-b.done:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case c := <-b.queue:
				batch = append(batch, c)
			default:
				break drain
			}
		}
		b.send(batch)
	}
}

// send runs one pipeline on a context of its own (one caller's cancellation must not fail the others); the
// client's read and write timeouts bound it.
func (b *getBatcher) send(batch []getCall) {
	if len(batch) == 1 {
		v, err := b.client.Get(context.Background(), batch[0].key).Bytes()
		batch[0].reply <- getReply{v, err}
		return
	}
	pipe := b.client.Pipeline()
	cmds := make([]*redis.StringCmd, len(batch))
	for i, c := range batch {
		cmds[i] = pipe.Get(context.Background(), c.key)
	}
	// Exec's own error is the first command's; a failed round trip sets it on every command as well.
	_, _ = pipe.Exec(context.Background())
	for i, c := range batch {
		v, err := cmds[i].Bytes()
		c.reply <- getReply{v, err}
	}
}
