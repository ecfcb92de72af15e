// Command bare is the benchmark's ceiling: a bare net/http handler doing what a cache hit of GET /v1/notes/{id}
// must do at least (one Redis GET, write the stored bytes), with no identity check, logging or metrics.
//
//	bare <port> <redis-url> <cache-key>
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: bare <port> <redis-url> <cache-key>")
		os.Exit(2)
	}
	opts, err := redis.ParseURL(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	client := redis.NewClient(opts)
	key := os.Args[3]
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/notes/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, err := client.Get(r.Context(), key).Bytes()
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("content-type", "application/json")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := client.Ping(context.Background()).Err(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
	if err := http.ListenAndServe("127.0.0.1:"+os.Args[1], mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
