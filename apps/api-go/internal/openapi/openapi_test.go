package openapi

import (
	"bytes"
	"testing"
)

func TestDocumentIsCompactJSON(t *testing.T) {
	if !bytes.HasPrefix(Document, []byte(`{"openapi":"3.1.0","info":{"title":"homelab notes API"`)) {
		t.Fatalf("unexpected start: %.80s", Document)
	}
	if bytes.Contains(Document, []byte("\n")) {
		t.Fatal("the served document must be compact, as JSON.stringify writes it")
	}
	if got := compact([]byte("{ \"a\" : [ 1, \"x y\\u2028\" ] }\n")); string(got) != `{"a":[1,"x y\u2028"]}` {
		t.Fatalf("compact changed a token: %s", got)
	}
}
