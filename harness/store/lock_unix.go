//go:build unix

package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// TryLock takes the lock of the run in dir without waiting, creating dir if
// needed. When another process holds it, it returns a *HeldError.
func TryLock(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockFile)
	host, _ := os.Hostname()
	for {
		if err := atomicfile.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, atomicfile.FileMode)
		if err != nil {
			return nil, fmt.Errorf("store: locking: %w", err)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := readHolder(f)
			f.Close()
			return nil, &HeldError{Dir: dir, Holder: holder}
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("store: locking %s: %w", path, err)
		}
		// The holder before us may have moved the run aside (Quarantine)
		// between our open and our flock: then we locked a file that is no
		// longer the run's, and try again.
		fst, ferr := f.Stat()
		pst, perr := os.Stat(path)
		if ferr != nil || perr != nil || !os.SameFile(fst, pst) {
			f.Close()
			continue
		}
		who := fmt.Sprintf("host %s pid %d\n", host, os.Getpid())
		err = f.Truncate(0)
		if err == nil {
			_, err = f.WriteAt([]byte(who), 0)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("store: writing %s: %w", path, err)
		}
		return &Lock{f: f}, nil
	}
}

// Unlock releases the lock. The lock file stays: removing it would let two
// processes lock two different files of one run.
func (l *Lock) Unlock() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("store: unlocking: %w", err)
	}
	return nil
}

// Holder returns who holds the lock of the run in dir ("host H pid P"), or
// "" when nobody does.
func Holder(dir string) (string, error) {
	f, err := os.Open(filepath.Join(dir, LockFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return readHolder(f), nil
	}
	if err != nil {
		return "", fmt.Errorf("store: testing the lock of %s: %w", dir, err)
	}
	return "", nil // closing f releases our shared lock
}

// readHolder returns the holder written in an open lock file.
func readHolder(f *os.File) string {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 256))
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown process"
}
