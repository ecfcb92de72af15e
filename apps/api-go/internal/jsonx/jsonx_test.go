package jsonx

import "testing"

func TestAppendString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"<&>", `"<&>"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"\b\f\n\r\t\x01\x1f", `"\b\f\n\r\t\u0001\u001f"`},
		{"é😀", `"é😀"`},
		{"a\xffb", "\"a\ufffdb\""},
	} {
		if got := string(AppendString(nil, tc.in)); got != tc.want {
			t.Errorf("AppendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestObjectKeepsOrder(t *testing.T) {
	got := string(NewObject().String("b", "x").Int("a", 2).Bool("c", true).Null("d").Number("e", 0.25).Bytes())
	if want := `{"b":"x","a":2,"c":true,"d":null,"e":0.25}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAppendNumber(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{0, "0"}, {1, "1"}, {0.5, "0.5"}, {1e-7, "1e-7"}, {123.456, "123.456"}, {-3, "-3"}} {
		if got := string(AppendNumber(nil, tc.in)); got != tc.want {
			t.Errorf("AppendNumber(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
