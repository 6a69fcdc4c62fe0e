package optim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// TestCos64 hashes the cosine schedule's gate 0.5*(1 - cos64(pi*p)) over a
// million points p in [0, 1] and compares it with the hash of the same
// values from math.Cos on amd64 at GOAMD64=v1, which cos64 must reproduce
// on every platform.
func TestCos64(t *testing.T) {
	h := sha256.New()
	for i := 0; i <= 1000000; i++ {
		c := 0.5 * (1 - cos64(math.Pi*(float64(i)/1000000)))
		h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(c)))
	}
	if got, want := fmt.Sprintf("%x", h.Sum(nil)[:8]), "680afaed442a4921"; got != want {
		t.Errorf("hash of the cosine gate = %s, want %s (math.Cos on amd64, GOAMD64=v1)", got, want)
	}
	for _, x := range []float64{0, 1e9, math.Inf(1), math.NaN()} { // exact, or math.Cos itself
		if got, want := cos64(x), math.Cos(x); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("cos64(%v) = %v, want %v", x, got, want)
		}
	}
}
