//go:build !unix

package data

import "os"

// mapFile reads the first size bytes of f into memory (systems without
// mmap). release does nothing: the garbage collector frees the bytes.
func mapFile(f *os.File, size int) (b []byte, release func(), err error) {
	b = make([]byte, size)
	if n, err := f.ReadAt(b, 0); n < size {
		return nil, nil, err
	}
	return b, func() {}, nil
}
