package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteHonoursUmask(t *testing.T) {
	for _, tc := range []struct {
		name      string
		umask     int
		file, dir fs.FileMode
	}{
		{"group readable", 0o022, 0o644, 0o755},
		{"group writable", 0o002, 0o664, 0o775},
		{"private", 0o077, 0o600, 0o700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			path := filepath.Join(t.TempDir(), "sub", "f.json")
			if err := Write(path, []byte("x")); err != nil {
				t.Fatal(err)
			}
			for p, want := range map[string]fs.FileMode{path: tc.file, filepath.Dir(path): tc.dir} {
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := st.Mode().Perm(); got != want {
					t.Errorf("%s: mode %v, want %v", p, got, want)
				}
			}
		})
	}
}

func TestWriteFromVerifyFailsLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("bad content")
	err := WriteFrom(path, strings.NewReader("new"), func(string) error { return bad })
	if !errors.Is(err, bad) {
		t.Fatalf("err %v, want %v", err, bad)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q, want old", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if IsTemp(e.Name()) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteErrorNamesCause(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "summary.json")
	err := Write(path, []byte("x"))
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), path) {
		t.Errorf("err %v: want permission denied naming %s", err, path)
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".summary.json.tmp-abc": true, "summary.json": false, "x.tmp-1": false, ".lock": false,
	} {
		if IsTemp(name) != want {
			t.Errorf("IsTemp(%q) = %v", name, !want)
		}
	}
}
