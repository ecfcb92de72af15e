package notes

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable tells "the database cannot be reached right now" (503 with retry) from "this request failed" (500):
// connection errors, pool connect timeouts, SQLSTATE class 08 and the server shutting down (57P01-57P03), as
// isDatabaseUnavailable does in the TypeScript API.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || c == "57P01" || c == "57P02" || c == "57P03"
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	if pgconn.SafeToRetry(err) {
		return true
	}
	// A pool connect attempt that hit its own timeout (not the request's deadline).
	return errors.Is(err, context.DeadlineExceeded) && strings.Contains(err.Error(), "connect")
}
