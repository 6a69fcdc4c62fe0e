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
	"time"

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
		if err := lockExclusive(f); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &HeldError{Dir: dir, Holder: holder}
			}
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

// probeWaits bounds how many times lockExclusive waits probeWait for
// Holder's probes (shared locks held for a moment) to end: about a second
// in all, far longer than a probe, so a run is never skipped as held
// because a `check` looked at it.
const (
	probeWaits = 1000
	probeWait  = time.Millisecond
)

// lockExclusive takes an exclusive flock on f without waiting for a holder.
// It returns syscall.EWOULDBLOCK when a process holds the lock exclusively,
// the lock of a run it trains. Shared locks are only Holder's probes, which
// are dropped at once: lockExclusive waits them out.
func lockExclusive(f *os.File) error {
	fd := int(f.Fd())
	for try := 0; ; try++ {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		// A shared lock still granted means no exclusive holder.
		if err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
			return err
		}
		if err := syscall.Flock(fd, syscall.LOCK_UN); err != nil {
			return err
		}
		if try == probeWaits {
			return syscall.EWOULDBLOCK
		}
		time.Sleep(probeWait)
	}
}

// Unlock releases the lock. The lock file stays: removing it would let two
// processes lock two different files of one run. Its holder text is cleared
// first, so that it never names a process that is gone.
func (l *Lock) Unlock() error {
	if err := l.f.Truncate(0); err != nil {
		l.f.Close()
		return fmt.Errorf("store: unlocking: %w", err)
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("store: unlocking: %w", err)
	}
	return nil
}

// Holder returns who holds the lock of the run in dir ("host H pid P"), or
// "" when nobody does. It probes with a shared lock, dropped at once, which
// TryLock waits out (lockExclusive).
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
