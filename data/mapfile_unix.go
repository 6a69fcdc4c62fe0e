//go:build unix

package data

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f read-only into memory, shared with
// the page cache, so every process reading the same cache shares one copy.
// The mapping outlives f; release unmaps it.
func mapFile(f *os.File, size int) (b []byte, release func(), err error) {
	b, err = syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}
