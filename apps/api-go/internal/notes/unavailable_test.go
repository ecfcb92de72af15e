package notes

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"refused", fmt.Errorf("get note: %w", syscall.ECONNREFUSED), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"plain", errors.New("boom"), false},
	} {
		if got := Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNoteJSONIsJSONStringify(t *testing.T) {
	n := Note{ID: "f6217368-74d9-450f-9196-4fd332d07f43", Title: "a<b>\u2028", Body: "x\ny", Version: 2}
	got := string(n.JSON())
	want := "{\"id\":\"f6217368-74d9-450f-9196-4fd332d07f43\",\"title\":\"a<b>\u2028\",\"body\":\"x\\ny\",\"createdAt\":\"0001-01-01T00:00:00.000Z\",\"updatedAt\":\"0001-01-01T00:00:00.000Z\",\"version\":2}"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
