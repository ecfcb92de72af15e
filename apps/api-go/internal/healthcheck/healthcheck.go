// Package healthcheck is the image's own readiness probe, `api healthcheck`: the distroless image has no shell,
// curl or wget, and a compose healthcheck runs a command inside the container (the TypeScript images ask their
// own node the same question).
package healthcheck

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Ready asks the server on this host's loopback at port for /readyz; nil only for a 2xx answer.
func Ready(ctx context.Context, client *http.Client, port int) error {
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", url, err)
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("healthcheck %s: answered %d", url, res.StatusCode)
	}
	return nil
}
