package shim

import (
	"reflect"
	"testing"
)

func TestTopsUnderTmp(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want []string
	}{
		{"nothing under /tmp", Config{Dir: "/work/repo/apps/api", Command: []string{"/usr/bin/node"}}, nil},
		{"a CI clone under /tmp", Config{Dir: "/tmp/ci/apps/api", Command: []string{"/tmp/ci/.tools/bin/node-missing"}}, []string{"/tmp/ci"}},
		{"two tops, each once", Config{Dir: "/tmp/a/x", Command: []string{"/tmp/b/bin/run"}}, []string{"/tmp/a", "/tmp/b"}},
		{"a relative command is not resolved", Config{Dir: "", Command: []string{"python3"}}, nil},
		{"/tmp itself is not kept", Config{Dir: "/tmp"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := topsUnderTmp(tc.c); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("topsUnderTmp = %v, want %v", got, tc.want)
			}
		})
	}
}
