package migrate

import (
	"os"
	"testing"
	"testing/fstest"
)

func TestLoadOrdersAndSums(t *testing.T) {
	dir := fstest.MapFS{
		"002.do.b.sql":   {Data: []byte("SELECT 2;")},
		"001.do.a.sql":   {Data: []byte("SELECT 1;")},
		"001.undo.a.sql": {Data: []byte("SELECT 0;")},
		"README.md":      {Data: []byte("x")},
	}
	ms, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].Name != "a" || ms[1].Version != 2 {
		t.Fatalf("%+v", ms)
	}
	// md5("SELECT 1;") as Postgrator computes it over the file's text.
	if ms[0].MD5 != "71568061b2970a4b7c5160fe75356e10" {
		t.Fatalf("md5 %s", ms[0].MD5)
	}
}

// The real directory the TypeScript API migrates from.
func TestLoadsTheAPIsMigrations(t *testing.T) {
	ms, err := Load(os.DirFS("../../../api/migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || ms[0].Name != "create-notes" {
		t.Fatalf("%+v", ms)
	}
}
