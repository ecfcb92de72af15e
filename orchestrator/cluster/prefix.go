package cluster

import (
	"bytes"
	"io"
	"sync"
)

// prefixed writes each line to w with a prefix (the node's name before the agent's own "workload | " prefix).
func prefixed(w io.Writer, prefix string) io.Writer {
	return &prefixWriter{w: w, prefix: []byte(prefix)}
}

type prefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  []byte
	partial []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := append(append(append([]byte{}, p.prefix...), p.partial[:i]...), '\n')
		if _, err := p.w.Write(line); err != nil {
			return len(b), err
		}
		p.partial = p.partial[i+1:]
	}
}
