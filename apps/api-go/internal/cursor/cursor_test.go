package cursor

import (
	"encoding/base64"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	c := Cursor{CreatedAt: "2026-12-06T02:26:04.402Z", ID: "f6217368-74d9-450f-9196-4fd332d07f43"}
	text := Encode(c)
	// The same text Buffer.from(JSON.stringify([...])).toString('base64url') gives.
	want := base64.RawURLEncoding.EncodeToString([]byte(`["2026-12-06T02:26:04.402Z","f6217368-74d9-450f-9196-4fd332d07f43"]`))
	if text != want {
		t.Fatalf("Encode = %s, want %s", text, want)
	}
	if got, ok := Decode(text); !ok || got != c {
		t.Fatalf("Decode = %v %v", got, ok)
	}
}

func TestDecodeRefuses(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, text := range map[string]string{
		"not base64":     "!!!",
		"padded":         enc(`["2026-12-06T02:26:04.402Z","f6217368-74d9-450f-9196-4fd332d07f43"]`) + "=",
		"not an array":   enc(`{"a":1}`),
		"three items":    enc(`["2026-12-06T02:26:04.402Z","f6217368-74d9-450f-9196-4fd332d07f43",1]`),
		"bad id":         enc(`["2026-12-06T02:26:04.402Z","nope"]`),
		"impossible day": enc(`["2020-02-30T00:00:00.000Z","f6217368-74d9-450f-9196-4fd332d07f43"]`),
		"year zero":      enc(`["0000-01-01T00:00:00.000Z","f6217368-74d9-450f-9196-4fd332d07f43"]`),
		"no millis":      enc(`["2026-12-06T02:26:04Z","f6217368-74d9-450f-9196-4fd332d07f43"]`),
		"spaces":         enc(`[ "2026-12-06T02:26:04.402Z","f6217368-74d9-450f-9196-4fd332d07f43"]`),
		"empty":          "",
	} {
		if _, ok := Decode(text); ok {
			t.Errorf("%s: %q accepted", name, text)
		}
	}
}
