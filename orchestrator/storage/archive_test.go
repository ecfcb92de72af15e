package storage

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestArchiveRoundTripKeepsContentModesAndOwners(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "pgdata", "base"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "pgdata", "base", "1"), []byte("rows"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("base/1", filepath.Join(src, "pgdata", "link")); err != nil {
		t.Fatal(err)
	}
	owned := os.Geteuid() == 0
	if owned {
		if err := os.Chown(filepath.Join(src, "pgdata"), 101, 104); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := Archive(src, &buf); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := Extract(&buf, dst); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dst, "pgdata", "link"))
	if err != nil || string(b) != "rows" {
		t.Fatalf("copied file through its link: %q, %v", b, err)
	}
	fi, _ := os.Stat(filepath.Join(dst, "pgdata"))
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700 (PostgreSQL refuses anything else)", fi.Mode().Perm())
	}
	if st := fi.Sys().(*syscall.Stat_t); owned && (st.Uid != 101 || st.Gid != 104) {
		t.Fatalf("owner %d:%d, want 101:104", st.Uid, st.Gid)
	}
	if err := Extract(bytes.NewReader(nil), dst); err == nil {
		t.Fatal("extracting over an existing volume was allowed")
	}
}

func TestExtractRefusesEntriesOutsideTheVolume(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "../escape", Mode: 0o644, Typeflag: tar.TypeReg})
	_ = tw.Close()
	err := Extract(&buf, filepath.Join(t.TempDir(), "v"))
	if err == nil || !strings.Contains(err.Error(), "leaves the volume") {
		t.Fatalf("got %v, want a refusal", err)
	}
}
