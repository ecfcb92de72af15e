// Package cursor encodes keyset positions exactly as the TypeScript API does (base64url of the JSON array
// [createdAt, id]) and accepts only cursors it would have issued, so a page started on one implementation
// continues on the other.
package cursor

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"time"

	"github.com/homelab/homelab/apps/api-go/internal/jsonx"
)

// Cursor is the last note of the previous page.
type Cursor struct {
	CreatedAt string
	ID        string
}

// TimeLayout is Date#toISOString's form.
const TimeLayout = "2006-01-02T15:04:05.000Z"

var uuid = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Encode is encodeCursor.
func Encode(c Cursor) string {
	b := append([]byte{'['}, jsonx.AppendString(nil, c.CreatedAt)...)
	b = append(b, ',')
	b = append(jsonx.AppendString(b, c.ID), ']')
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns false unless Encode would have produced exactly text: tampered, re-encoded or impossible dates
// answer 400 before reaching the database.
func Decode(text string) (Cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return Cursor{}, false
	}
	var value []any
	if err := json.Unmarshal(raw, &value); err != nil || len(value) != 2 {
		return Cursor{}, false
	}
	createdAt, ok1 := value[0].(string)
	id, ok2 := value[1].(string)
	if !ok1 || !ok2 || !uuid.MatchString(id) || !issuedTimestamp(createdAt) {
		return Cursor{}, false
	}
	c := Cursor{CreatedAt: createdAt, ID: id}
	if Encode(c) != text {
		return Cursor{}, false
	}
	return c, true
}

// issuedTimestamp: exactly as toISOString writes it, years 0001-9999 (impossible days fail the parse).
func issuedTimestamp(text string) bool {
	t, err := time.Parse(TimeLayout, text)
	return err == nil && t.Year() >= 1 && t.UTC().Format(TimeLayout) == text
}
