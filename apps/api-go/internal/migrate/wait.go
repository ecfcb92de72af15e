package migrate

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Pinger is what WaitForDatabase needs of a pool.
type Pinger interface {
	Ping(ctx context.Context) error
}

// WaitForDatabase pings until PostgreSQL answers, retrying while unavailable(err) holds, with exponential backoff
// (250 ms doubling to 5 s) for at most timeout; it returns the last error otherwise. The migration Job starts beside
// a PostgreSQL that is itself starting: without the wait, the Job spent its retries before the database could
// answer. The TypeScript migration does the same (apps/api/src/storage/wait-for-database.ts).
func WaitForDatabase(ctx context.Context, db Pinger, timeout time.Duration, unavailable func(error) bool, log *slog.Logger) error {
	deadline := time.Now().Add(timeout)
	delay := 250 * time.Millisecond
	for {
		err := db.Ping(ctx)
		if err == nil {
			return nil
		}
		if !unavailable(err) || time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("wait for the database: %w", err)
		}
		log.Info("waiting for the database", "err", err.Error(), "retryInMs", delay.Milliseconds(),
			"leftMs", time.Until(deadline).Milliseconds())
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the database: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
