// Package logsink batches log lines into large writes, as the TypeScript service kit does (32 KiB batches, at
// least every 250 ms, flushed on shutdown): a write(2) per access-log line cost more than the rest of a cache hit.
package logsink

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Sink is a goroutine-safe buffered writer with a periodic flush.
type Sink struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// New flushes every interval until Close.
func New(out io.Writer, size int, interval time.Duration) *Sink {
	s := &Sink{w: bufio.NewWriterSize(out, size), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = s.Flush()
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

// Write appends one line (slog writes a whole record per call).
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Flush writes what is buffered.
func (s *Sink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Flush()
}

// Close stops the timer and flushes.
func (s *Sink) Close() error {
	close(s.stop)
	<-s.done
	return s.Flush()
}
