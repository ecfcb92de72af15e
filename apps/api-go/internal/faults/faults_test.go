package faults

import (
	"context"
	"testing"

	"github.com/homelab/homelab/apps/api-go/internal/validate"
)

func TestAuthorized(t *testing.T) {
	f := New(true, "admin-token-0123456789", nil)
	for header, want := range map[string]bool{
		"Bearer admin-token-0123456789":    true,
		"bearer   admin-token-0123456789 ": true,
		"Bearer admin-token-012345678":     false,
		"admin-token-0123456789":           false,
		"":                                 false,
	} {
		if got := f.Authorized(header); got != want {
			t.Errorf("Authorized(%q) = %v", header, got)
		}
	}
}

func TestParse(t *testing.T) {
	parse := func(s string) (Settings, []validate.Issue) {
		v, err := validate.Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return Parse(v)
	}
	s, issues := parse(`{"latencyMs":200,"errorRatio":0.5,"readinessFailure":true}`)
	if issues != nil || s.LatencyMs != 200 || s.ErrorRatio != 0.5 || !s.ReadinessFailure || s.LatencyRatio != 1 {
		t.Fatalf("%+v %v", s, issues)
	}
	for body, want := range map[string]string{
		`{"latencyMs":-1}`:     "Too small: expected number to be >=0",
		`{"errorRatio":2}`:     "Too big: expected number to be <=1",
		`{"latencyMs":1.5}`:    "Invalid input: expected int, received number",
		`{"crash":"yes"}`:      "Invalid input: expected boolean, received string",
		`{"nope":1}`:           `Unrecognized key: "nope"`,
		`[]`:                   "Invalid input: expected object, received array",
		`{"latencyMs":"1000"}`: "Invalid input: expected number, received string",
	} {
		if _, issues := parse(body); len(issues) != 1 || issues[0].Message != want {
			t.Errorf("%s: %v, want %q", body, issues, want)
		}
	}
}

func TestApplyAndStatus(t *testing.T) {
	f := New(true, "admin-token-0123456789", nil)
	f.random = func() float64 { return 0.4 }
	f.Set(Settings{ErrorRatio: 0.5, LatencyRatio: 1})
	if !f.Active() || !f.Apply(context.Background()) {
		t.Fatal("an error ratio above the draw must inject")
	}
	f.Set(Settings{ErrorRatio: 0.3, LatencyRatio: 1})
	if f.Apply(context.Background()) {
		t.Fatal("an error ratio below the draw must not inject")
	}
	if got := string(f.StatusJSON()); got != `{"latencyMs":0,"latencyRatio":1,"errorRatio":0.3,"leakMbPerSecond":0,"readinessFailure":false,"crash":false,"leakedMb":0}` {
		t.Fatalf("status %s", got)
	}
	f.Close()
	if f.Active() {
		t.Fatal("Close resets")
	}
}
