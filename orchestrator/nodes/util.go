package nodes

import (
	"context"
	"net/http"
	"time"

	"homelab/orchestrator/internal/cgroup"
)

func removeCgroups(parent string) error { return cgroup.RemoveTree(parent) }

func get(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < 300
}
