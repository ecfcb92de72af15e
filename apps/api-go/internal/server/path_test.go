package server

import "testing"

func TestHonoPath(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/notes":          "/v1/notes",
		"/v1/notes/%61bc":    "/v1/notes/abc",
		"/v1/notes%2Fx":      "/v1/notes%2Fx",
		"/a%25b":             "/a%25b",
		"/a%E2%82%ACb":       "/a€b",
		"/a%FFb":             "/a%FFb",
		"/v1/../healthz":     "/healthz",
		"/v1/./notes":        "/v1/notes",
		"//v1/notes":         "//v1/notes",
		"/v1/notes/":         "/v1/notes/",
		"/x/..":              "/",
		"/a%3Fb%20c":         "/a%3Fb c",
		"/trailing%":         "/trailing%",
		"/v1/notes/a.b.json": "/v1/notes/a.b.json",
	} {
		if got := honoPath(in); got != want {
			t.Errorf("honoPath(%q) = %q, want %q", in, got, want)
		}
	}
}
