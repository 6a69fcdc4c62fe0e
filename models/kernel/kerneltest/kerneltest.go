// Package kerneltest checks that computations give the same bits on every
// machine: tests hash their outputs with Hash and compare the hashes with a
// golden file in their testdata, written on amd64 by `go test -update` and
// checked everywhere else (other GOAMD64 levels, kernel variants, arm64
// under qemu; see docs/performance.md).
package kerneltest

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// Hash accumulates float values by their bits.
type Hash struct{ h hash.Hash }

// NewHash returns an empty Hash.
func NewHash() *Hash { return &Hash{h: sha256.New()} }

// F32s adds the bits of v.
func (h *Hash) F32s(v []float32) {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	h.h.Write(b)
}

// F64 adds the bits of x.
func (h *Hash) F64(x float64) {
	h.h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
}

// Bytes adds b, such as an encoded optimizer state.
func (h *Hash) Bytes(b []byte) { h.h.Write(b) }

// Sum returns the hash of what was added, in hex.
func (h *Hash) Sum() string { return hex.EncodeToString(h.h.Sum(nil)[:16]) }

// Golden is a file of named hashes, one "name hash" line each.
type Golden struct {
	path   string
	update bool
	want   map[string]string
	got    map[string]string
}

// Open reads the golden file at path for t. With update, the hashes that
// Check sees replace the file's when t ends; otherwise a missing file
// fails t.
func Open(t *testing.T, path string, update bool) *Golden {
	t.Helper()
	g := &Golden{path: path, update: update, want: map[string]string{}, got: map[string]string{}}
	f, err := os.Open(path)
	switch {
	case err == nil:
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, h, ok := strings.Cut(sc.Text(), " "); ok {
				g.want[name] = h
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
	case !update:
		t.Fatalf("no golden hashes: %v (run go test -update on amd64)", err)
	}
	if update {
		t.Cleanup(func() { g.write(t) })
	}
	return g
}

// Check fails t unless hash is the golden hash of name (with update, it
// records it instead).
func (g *Golden) Check(t *testing.T, name, hash string) {
	t.Helper()
	if strings.ContainsAny(name, " \n") {
		t.Fatalf("golden name %q has a space or newline", name)
	}
	g.got[name] = hash
	if g.update {
		return
	}
	switch want, ok := g.want[name]; {
	case !ok:
		t.Errorf("%s: no golden hash in %s (run go test -update on amd64)", name, g.path)
	case want != hash:
		t.Errorf("%s: hash %s, golden %s: the numbers differ from amd64's", name, hash, want)
	}
}

// write stores the recorded hashes, sorted by name.
func (g *Golden) write(t *testing.T) {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(g.got)) {
		fmt.Fprintf(&b, "%s %s\n", name, g.got[name])
	}
	if err := os.WriteFile(g.path, []byte(b.String()), 0o644); err != nil {
		t.Errorf("writing %s: %v", g.path, err)
	}
}
