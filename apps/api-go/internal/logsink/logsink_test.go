package logsink

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) snapshot() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func TestBatchesAndFlushes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
		closeNow bool
	}{{"flushed by Close", time.Hour, true}, {"flushed by the timer", 10 * time.Millisecond, false}} {
		t.Run(tc.name, func(t *testing.T) {
			out := &lockedBuffer{}
			s := New(out, 1<<15, tc.interval)
			for range 100 {
				_, _ = s.Write([]byte("line\n"))
			}
			if tc.closeNow {
				_ = s.Close()
			} else {
				deadline := time.Now().Add(5 * time.Second)
				for text, _ := out.snapshot(); len(text) < 500 && time.Now().Before(deadline); text, _ = out.snapshot() {
					time.Sleep(5 * time.Millisecond)
				}
				defer func() { _ = s.Close() }()
			}
			text, writes := out.snapshot()
			if len(text) != 500 || writes != 1 {
				t.Fatalf("%d bytes in %d writes, want 500 in 1", len(text), writes)
			}
		})
	}
}
