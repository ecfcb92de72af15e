package healthcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func TestReady(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		path    string // the path the server answers with status; any other path is 404
		wantErr bool
	}{
		{"ready", http.StatusOK, "/readyz", false},
		{"draining", http.StatusServiceUnavailable, "/readyz", true},
		{"no readyz route", http.StatusOK, "/healthz", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			err := Ready(context.Background(), srv.Client(), portOf(t, srv.URL))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Ready() error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestReadyNothingListening(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := Ready(ctx, http.DefaultClient, port); err == nil {
		t.Fatal("Ready() = nil with nothing listening")
	}
}

func portOf(t *testing.T, raw string) int {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
