package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Proxy is one service's stable address: it accepts TCP connections and forwards each to one of the healthy
// endpoints in turn, trying the next when a dial fails. A TCP proxy rather than DNS, because clients (pg, ioredis,
// fetch) cache resolved addresses; the proxy address never changes while endpoints do.
type Proxy struct {
	ln        net.Listener
	mu        sync.Mutex
	endpoints []string
	next      int
	wg        sync.WaitGroup
	conns     map[net.Conn]string // open connections and the endpoint each goes to
}

// Listen opens a proxy on addr (port 0 picks one).
func Listen(addr string) (*Proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("server: proxy on %s: %w", addr, err)
	}
	p := &Proxy{ln: ln, conns: map[net.Conn]string{}}
	p.wg.Go(p.serve)
	return p, nil
}

// Addr is where clients connect.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetEndpoints replaces the healthy endpoints and cuts the connections to endpoints that left: a node that
// vanished sends no FIN, and a client would otherwise wait on a dead connection until its own timeout.
func (p *Proxy) SetEndpoints(eps []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endpoints = append([]string(nil), eps...)
	keep := map[string]bool{}
	for _, e := range eps {
		keep[e] = true
	}
	for c, ep := range p.conns {
		if !keep[ep] {
			_ = c.Close()
		}
	}
}

func (p *Proxy) pick() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.endpoints)
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, p.endpoints[(p.next+i)%n])
	}
	p.next++
	return out
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.wg.Go(func() { p.forward(c) })
	}
}

func (p *Proxy) track(c net.Conn, ep string, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = ep
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	defer c.Close()
	var up net.Conn
	var ep string
	for _, ep = range p.pick() {
		var err error
		if up, err = net.DialTimeout("tcp", ep, time.Second); err == nil {
			break
		}
	}
	if up == nil {
		return // no healthy endpoint: the client sees the connection close and retries
	}
	defer up.Close()
	p.track(c, ep, true)
	p.track(up, ep, true)
	defer p.track(c, ep, false)
	defer p.track(up, ep, false)
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go cp(up, c)
	go cp(c, up)
	<-done
	<-done
}

// Close stops accepting and cuts every open connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}
