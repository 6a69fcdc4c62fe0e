//go:build !unix

package store

import (
	"errors"
	"fmt"
)

// errNoFlock is TryLock's error where flock(2) does not exist: without a
// lock, concurrent writers could corrupt a run, so none may start.
var errNoFlock = errors.New("store: run locks need flock(2), which this system lacks")

// TryLock fails: this system has no flock(2).
func TryLock(dir string) (*Lock, error) { return nil, fmt.Errorf("%w (%s)", errNoFlock, dir) }

// Unlock does nothing: no lock is ever taken here.
func (l *Lock) Unlock() error { return nil }

// Holder reports nobody: no lock is ever taken here.
func Holder(string) (string, error) { return "", nil }
