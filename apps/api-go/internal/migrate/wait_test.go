package migrate

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

var (
	errRefused = errors.New("connection refused")
	errAuth    = errors.New("password authentication failed")
)

// scriptedPinger fails with each of errs in turn, then succeeds.
type scriptedPinger struct {
	errs  []error
	pings int
}

func (p *scriptedPinger) Ping(context.Context) error {
	p.pings++
	if p.pings <= len(p.errs) {
		return p.errs[p.pings-1]
	}
	return nil
}

func TestWaitForDatabase(t *testing.T) {
	unavailable := func(err error) bool { return errors.Is(err, errRefused) }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name      string
		errs      []error
		timeout   time.Duration
		wantErr   error
		wantPings int
	}{
		{"answers at once", nil, time.Second, nil, 1},
		{"starting, then answers", []error{errRefused, errRefused}, 10 * time.Second, nil, 3},
		{"a wrong password is not waited for", []error{errAuth}, 10 * time.Second, errAuth, 1},
		{"gives up at the deadline", []error{errRefused, errRefused, errRefused, errRefused, errRefused}, 500 * time.Millisecond, errRefused, 2},
		{"zero wait tries once", []error{errRefused}, 0, errRefused, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &scriptedPinger{errs: tt.errs}
			err := WaitForDatabase(context.Background(), p, tt.timeout, unavailable, quiet)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if p.pings != tt.wantPings {
				t.Fatalf("pings = %d, want %d", p.pings, tt.wantPings)
			}
		})
	}
}

func TestWaitForDatabaseStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := &scriptedPinger{errs: []error{errRefused, errRefused}}
	err := WaitForDatabase(ctx, p, time.Minute, func(error) bool { return true }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
