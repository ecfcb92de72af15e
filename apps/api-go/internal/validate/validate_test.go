package validate

import (
	"math"
	"reflect"
	"testing"
)

func mustParse(t *testing.T, s string) Value {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return v
}

func TestParseRefusesWhatJSONParseRefuses(t *testing.T) {
	for _, s := range []string{"", "{", `{"a":}`, "[1,]", "01", "1.", "'x'", `"\x"`, "nul", `{"a":1}x`, "\"a\nb\""} {
		if _, err := Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
	for _, s := range []string{"\ufeff{}", " [1, 2.5e3, -0, true, null] ", `"\ud83d\ude00"`, "1e400"} {
		if _, err := Parse([]byte(s)); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
}

func TestKeyOrderIsJavaScripts(t *testing.T) {
	o := mustParse(t, `{"b":1,"10":2,"a":3,"2":4,"b":5,"01":6}`).(*Object)
	if want := []string{"2", "10", "b", "a", "01"}; !reflect.DeepEqual(o.Keys, want) {
		t.Fatalf("keys %v, want %v", o.Keys, want)
	}
	if o.Values["b"] != 5.0 {
		t.Fatalf("a repeated key keeps the last value")
	}
}

func TestCreate(t *testing.T) {
	for _, tc := range []struct {
		body   string
		title  string
		issues []Issue
	}{
		{`{"title":" hi "}`, "hi", nil},
		{`{}`, "", []Issue{{"title", "Invalid input: expected string, received undefined"}}},
		{`{"title":1,"body":null}`, "", []Issue{{"title", "Invalid input: expected string, received number"}, {"body", "Invalid input: expected string, received null"}}},
		{`{"title":"a","x":1,"y":2}`, "a", []Issue{{"", `Unrecognized keys: "x", "y"`}}},
		{`{"zz":2,"title":1}`, "", []Issue{{"title", "Invalid input: expected string, received number"}, {"", `Unrecognized key: "zz"`}}},
		{`{"title":"   "}`, "", []Issue{{"title", "Too small: expected string to have >=1 characters"}}},
		{`{"title":"\ufeff\u00a0x\u2028"}`, "x", nil},
		{`{"title":"a\u0001","body":"\ud800"}`, "a\u0001", []Issue{{"title", msgControl}, {"body", msgWellFormed}}},
		{`{"title":[],"body":1.5}`, "", []Issue{{"title", "Invalid input: expected string, received array"}, {"title", "Too small: expected array to have >=1 items"}, {"body", "Invalid input: expected string, received number"}}},
		{`[]`, "", []Issue{{"", "Invalid input: expected object, received array"}}},
		{`null`, "", []Issue{{"", "Invalid input: expected object, received null"}}},
	} {
		got, issues := Create(mustParse(t, tc.body))
		if !reflect.DeepEqual(issues, tc.issues) || (tc.issues == nil && got.Title != tc.title) {
			t.Errorf("Create(%s) = %q %v, want %q %v", tc.body, got.Title, issues, tc.title, tc.issues)
		}
	}
}

func TestTitleLengthCountsCodePoints(t *testing.T) {
	emoji := ""
	for range 201 {
		emoji += "😀"
	}
	_, issues := Create(mustParse(t, `{"title":"`+emoji+`"}`))
	if len(issues) != 1 || issues[0].Message != "Too big: expected string to have <=200 characters" {
		t.Fatalf("201 emoji are 201 code points: %v", issues)
	}
}

func TestPatch(t *testing.T) {
	if _, issues := Patch(mustParse(t, `{}`)); !reflect.DeepEqual(issues, []Issue{{"", "give title or body"}}) {
		t.Errorf("empty patch: %v", issues)
	}
	if _, issues := Patch(mustParse(t, `{"zz":1}`)); !reflect.DeepEqual(issues, []Issue{{"", `Unrecognized key: "zz"`}, {"", "give title or body"}}) {
		t.Errorf("unknown key only: %v", issues)
	}
	p, issues := Patch(mustParse(t, `{"body":"b"}`))
	if issues != nil || p.Title != nil || p.Body == nil || *p.Body != "b" {
		t.Errorf("body only: %+v %v", p, issues)
	}
}

func TestList(t *testing.T) {
	q := func(kv ...string) []QueryParam {
		var out []QueryParam
		for i := 0; i < len(kv); i += 2 {
			out = append(out, QueryParam{kv[i], []string{kv[i+1]}})
		}
		return out
	}
	for _, tc := range []struct {
		params []QueryParam
		limit  int
		issue  string
	}{
		{nil, 20, ""},
		{q("limit", "1000"), 100, ""},
		{q("limit", "0x10"), 16, ""},
		{q("limit", " 1e1 "), 10, ""},
		{q("limit", "\u20285"), 5, ""},
		{q("limit", "0"), 0, "Too small: expected number to be >=1"},
		{q("limit", ""), 0, "Too small: expected number to be >=1"},
		{q("limit", "abc"), 0, "Invalid input: expected number, received NaN"},
		{q("limit", "1_0"), 0, "Invalid input: expected number, received NaN"},
		{q("limit", ".5"), 0, "Invalid input: expected int, received number"},
		{q("limit", "Infinity"), 0, "Invalid input: expected number, received Infinity"},
		{q("limit", "1e20"), 0, "Too big: expected int to be <=9007199254740991"},
		{[]QueryParam{{"limit", []string{"1", "2"}}}, 0, "Invalid input: expected number, received NaN"},
		{[]QueryParam{{"cursor", []string{"a", "b"}}}, 0, "Invalid input: expected string, received array"},
		{q("foo", "1"), 0, `Unrecognized key: "foo"`},
		{q("b", "1", "a", "2", "3", "x"), 0, `Unrecognized keys: "3", "b", "a"`},
		{q(`"`, "1"), 0, `Unrecognized key: """`},
	} {
		got, issues := List(tc.params)
		if tc.issue == "" {
			if issues != nil || got.Limit != tc.limit {
				t.Errorf("List(%v) = %d %v", tc.params, got.Limit, issues)
			}
		} else if len(issues) != 1 || issues[0].Message != tc.issue {
			t.Errorf("List(%v) issues %v, want %q", tc.params, issues, tc.issue)
		}
	}
}

func TestNumberJS(t *testing.T) {
	for in, want := range map[string]float64{"": 0, " 7 ": 7, "0b11": 3, "0o17": 15, "-0x1": math.NaN(), "1e3": 1000, "+.5": 0.5} {
		got := NumberJS(in)
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("NumberJS(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestID(t *testing.T) {
	for id, ok := range map[string]bool{
		"00000000-0000-4000-8000-000000000000": true, "00000000-0000-9000-8000-000000000000": false,
		"00000000-0000-0000-0000-000000000000": true, "abc": false, "00000000-0000-4000-8000-00000000000A": true,
	} {
		if got := ID(id) == nil; got != ok {
			t.Errorf("ID(%s) valid=%v, want %v", id, got, ok)
		}
	}
}
