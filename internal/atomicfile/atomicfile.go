// Package atomicfile writes whole files so that a reader, or a process
// killed in the middle, never sees a part: the content goes to a temporary
// file in the same directory, which is synced, renamed over the target, and
// the directory is synced so the rename survives a crash. New files get mode
// 0666 and new directories 0777, both masked by the process umask, so a
// shared results directory stays readable by the group when the umask says so.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File and directory modes before the umask.
const (
	FileMode fs.FileMode = 0o666
	DirMode  fs.FileMode = 0o777
)

// tempInfix marks temporary files: ".<base>.tmp-<random>".
const tempInfix = ".tmp-"

// IsTemp reports whether name (a base name) is a temporary file of an
// atomic write (".<base>.tmp-<random>", or ".<base>.tmp<random>" from
// earlier versions); a killed writer can leave one behind.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")
}

// Write writes data to path atomically, creating path's directory if needed.
func Write(path string, data []byte) error {
	return WriteFrom(path, bytes.NewReader(data), nil)
}

// WriteFrom copies r to path atomically, creating path's directory if
// needed. verify, if not nil, is called with the temporary file's name once
// it is complete and closed; an error from it leaves path untouched. On any
// error the temporary file is removed. Errors name the path and the cause
// (e.g. permission denied, read-only file system, no space left on device).
func WriteFrom(path string, r io.Reader, verify func(tmp string) error) (err error) {
	dir := filepath.Dir(path)
	if err := MkdirAll(dir); err != nil {
		return err
	}
	f, err := createTemp(dir, filepath.Base(path))
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if verify != nil {
		if err := verify(tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return SyncDir(dir)
}

// createTemp creates a new temporary file for base in dir with FileMode
// (masked by the umask; os.CreateTemp would force 0600).
func createTemp(dir, base string) (*os.File, error) {
	for {
		name := filepath.Join(dir, "."+base+tempInfix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// MkdirAll creates dir and its parents with DirMode (masked by the umask).
func MkdirAll(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("creating directory: %w", err)
	}
	return nil
}

// SyncDir syncs directory dir, making renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
