package agent

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// mux multiplexes the workloads' log files into one stream, each line prefixed with its workload's name. It
// tails files rather than holding pipes: a workload must keep logging while its agent restarts.
type mux struct {
	mu     sync.Mutex
	w      io.Writer
	tails  map[string]chan struct{}
	closed bool
}

func newMux(w io.Writer) *mux { return &mux{w: w, tails: map[string]chan struct{}{}} }

type lockedWriter struct{ m *mux }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.m.mu.Lock()
	defer l.m.mu.Unlock()
	return l.m.w.Write(p)
}

// out is the multiplexed stream, for the agent's own lines.
func (m *mux) out() io.Writer { return lockedWriter{m} }

// follow starts tailing a workload's file from its current end (once per workload).
func (m *mux) follow(name, path string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tails[name]; ok || m.closed {
		return
	}
	stop := make(chan struct{})
	m.tails[name] = stop
	go m.tail(name, path, stop)
}

func (m *mux) forget(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if stop, ok := m.tails[name]; ok {
		close(stop)
		delete(m.tails, name)
	}
}

func (m *mux) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for n, stop := range m.tails {
		close(stop)
		delete(m.tails, n)
	}
}

func (m *mux) tail(name, path string, stop chan struct{}) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	prefix := []byte(name + " | ")
	var partial []byte
	buf := make([]byte, 32<<10)
	for {
		n, _ := f.Read(buf)
		if n > 0 {
			partial = append(partial, buf[:n]...)
			for {
				i := bytes.IndexByte(partial, '\n')
				if i < 0 {
					break
				}
				line := append(append(append([]byte{}, prefix...), partial[:i]...), '\n')
				_, _ = m.out().Write(line)
				partial = partial[i+1:]
			}
			continue
		}
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}
