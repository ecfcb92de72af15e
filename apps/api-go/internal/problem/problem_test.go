package problem

import (
	"net/http/httptest"
	"testing"
)

func TestBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    *Error
		rid  string
		want string
	}{
		{"detail and id", New(404, "Not Found", "no such note"), "r1",
			`{"type":"about:blank","title":"Not Found","status":404,"instance":"/x","detail":"no such note","requestId":"r1"}`},
		{"no detail", &Error{Status: 404, Title: "Not Found"}, "r1",
			`{"type":"about:blank","title":"Not Found","status":404,"instance":"/x","requestId":"r1"}`},
		{"extra after id", New(503, "Service Unavailable", "d", Extra{"retryAfterSeconds", []byte("2")}), "",
			`{"type":"about:blank","title":"Service Unavailable","status":503,"instance":"/x","detail":"d","retryAfterSeconds":2}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(Body(tc.e.Status, tc.e.Title, tc.e.Detail, tc.e.HasDetail, "/x", tc.rid, tc.e.Extra))
			if got != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestWriteSetsTypeAndStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, New(409, "Conflict", "note quota reached"), "/v1/notes", "id")
	if rec.Code != 409 || rec.Header().Get("content-type") != ContentType {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("content-type"))
	}
}

func TestTitle(t *testing.T) {
	for status, want := range map[int]string{413: "Content Too Large", 599: "Server Error", 418: "Error"} {
		if got := Title(status); got != want {
			t.Errorf("Title(%d) = %q, want %q", status, got, want)
		}
	}
}
