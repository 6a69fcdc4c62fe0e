package models

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestLogMatchesAmd64 compares log64 with math.Log bit for bit where that
// is the amd64 assembly log64 transcribes: on random arguments over the
// ranges the loss uses and on the special cases.
func TestLogMatchesAmd64(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("math.Log is the assembly only on amd64")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	xs := []float64{0, 1, 0.5, 709.78, 709.79, 708, 745, 745.2, 746, 1e10, math.MaxFloat64, math.Inf(1), math.NaN(),
		7.07106781186547524401e-01, 5e-324, 2.2e-308, 88.7}
	for range 200000 {
		xs = append(xs, rng.ExpFloat64()*4, rng.Float64()*800, rng.Float64()*16, math.Abs(rng.NormFloat64()))
	}
	for _, x := range xs {
		if got, want := log64(x), math.Log(x); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("log64(%v) = %v, math.Log gives %v", x, got, want)
		}
	}
	if !math.IsNaN(log64(-1)) || !math.IsInf(log64(0), -1) {
		t.Errorf("log64(-1) = %v, log64(0) = %v, want NaN and -Inf", log64(-1), log64(0))
	}
}
