package platform

import (
	"slices"
	"testing"
)

func TestNodeCommand(t *testing.T) {
	tests := []struct {
		name, packageJSON string
		want              []string
	}{
		{"plain node", `{"scripts":{"start":"node src/main.ts"}}`, []string{"/n", "src/main.ts"}},
		{"node with a loader", `{"scripts":{"start":"node --import tsx src/main.ts"}}`, []string{"/n", "--import", "tsx", "src/main.ts"}},
		{"behind the bootstrap launcher", `{"scripts":{"start":"bash ../../scripts/tools.sh node --import tsx src/main.ts"}}`,
			[]string{"/n", "--import", "tsx", "src/main.ts"}},
		{"no start script", `{"scripts":{}}`, []string{"/n", "src/main.ts"}},
		{"node with nothing after it", `{"scripts":{"start":"node"}}`, []string{"/n", "src/main.ts"}},
		{"not JSON", `{`, []string{"/n", "src/main.ts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nodeCommand("/n", []byte(tt.packageJSON)); !slices.Equal(got, tt.want) {
				t.Fatalf("nodeCommand() = %q, want %q", got, tt.want)
			}
		})
	}
}
