package optim

import (
	"errors"
	"fmt"
	"math"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// ErrNonFinite is wrapped by Step when a gradient holds NaN or Inf.
var ErrNonFinite = errors.New("optim: non-finite gradient")

// Optimizer updates the parameters it was built for, using their gradients.
type Optimizer interface {
	// Step applies one update; epoch is the 1-based epoch number. If any
	// gradient is NaN or Inf it returns an error wrapping ErrNonFinite.
	Step(epoch int) error
	// MarshalBinary encodes the full optimizer state for a checkpoint.
	MarshalBinary() ([]byte, error)
	// AppendBinary appends MarshalBinary's encoding to b, so that a caller
	// writing a checkpoint every epoch can reuse one buffer.
	AppendBinary(b []byte) ([]byte, error)
	// UnmarshalBinary restores a state written by MarshalBinary.
	UnmarshalBinary(data []byte) error
}

// Diagnoser is implemented by optimizers that keep per-epoch diagnostics
// (NeuroPlastic); callers check for it with a type assertion.
type Diagnoser interface {
	// EpochDiagnostics returns the diagnostics accumulated since the last
	// call and resets them.
	EpochDiagnostics() Diagnostics
}

// Diagnostics are per-epoch statistics of an optimizer by snake_case name,
// e.g. "alpha_mean" or "effective_update_norm" (the names NeuroPlastic
// reports are listed in neuroplastic.go). A nil or empty value means none
// were accumulated.
type Diagnostics map[string]float64

// The names of the diagnostics every NeuroPlastic mode reports.
const (
	DiagAlphaMean           = "alpha_mean"
	DiagAlphaStd            = "alpha_std"
	DiagAlphaMin            = "alpha_min"
	DiagAlphaMax            = "alpha_max"
	DiagFracNearMin         = "frac_near_min"
	DiagFracNearMax         = "frac_near_max"
	DiagGradNorm            = "grad_norm"
	DiagRawUpdateNorm       = "raw_update_norm"
	DiagEffectiveUpdateNorm = "effective_update_norm"
)

// checkParams panics unless every parameter is non-nil, non-empty and has a
// gradient of its own length: an optimizer bound to such a set is a
// programmer error, not a configuration error.
func checkParams(algo string, params []*param.Param) {
	for i, p := range params {
		switch {
		case p == nil:
			panic(fmt.Sprintf("optim: %s: parameter %d is nil", algo, i))
		case len(p.Data) == 0:
			panic(fmt.Sprintf("optim: %s: parameter %d (%s) is empty", algo, i, p.Name))
		case len(p.Grad) != len(p.Data):
			panic(fmt.Sprintf("optim: %s: parameter %d (%s) has %d values but %d gradients",
				algo, i, p.Name, len(p.Data), len(p.Grad)))
		}
	}
}

// checkStep panics on an epoch below 1 or when a parameter's slices changed
// length since the optimizer was bound to it (its state would no longer line
// up): both are programmer errors.
func checkStep(algo string, epoch int, params []*param.Param, numel []int) {
	if epoch < 1 {
		panic(fmt.Sprintf("optim: %s: epoch %d < 1 (epochs are 1-based)", algo, epoch))
	}
	for i, p := range params {
		if len(p.Data) != numel[i] || len(p.Grad) != numel[i] {
			panic(fmt.Sprintf("optim: %s: parameter %d (%s) has %d values and %d gradients, bound with %d",
				algo, i, p.Name, len(p.Data), len(p.Grad), numel[i]))
		}
	}
}

// checkTotalEpochs panics unless a run's epoch count is at least 1: a
// caller passes its own run's length, so anything else is a programmer
// error.
func checkTotalEpochs(algo string, totalEpochs int) {
	if totalEpochs < 1 {
		panic(fmt.Sprintf("optim: %s: total epochs %d < 1", algo, totalEpochs))
	}
}

// checkGrads returns an error wrapping ErrNonFinite naming the first
// parameter whose gradient holds a NaN or an Inf. It only reads, so a Step
// that calls it first leaves parameters and state untouched on error.
func checkGrads(params []*param.Param) error {
	for _, p := range params {
		if !kernel.Finite(p.Grad) {
			return fmt.Errorf("%w in %s", ErrNonFinite, p.Name)
		}
	}
	return nil
}

// numels returns the element count of every parameter.
func numels(params []*param.Param) []int {
	n := make([]int, len(params))
	for i, p := range params {
		n[i] = len(p.Data)
	}
	return n
}

// sumInts returns the sum of s.
func sumInts(s []int) int {
	t := 0
	for _, x := range s {
		t += x
	}
	return t
}

// views splits buf into consecutive slices of the given lengths.
func views(buf []float32, numel []int) [][]float32 {
	out := make([][]float32, len(numel))
	off := 0
	for i, n := range numel {
		out[i] = buf[off : off+n : off+n]
		off += n
	}
	return out
}

// abs32 returns |x|.
func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// sqrt32 returns the correctly rounded float32 square root of x (a float64
// square root of a float32 rounds to the same value as a float32 one).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// clamp32 returns x limited to [lo, hi], as torch.clamp: min(max(x, lo), hi).
func clamp32(x, lo, hi float32) float32 {
	if x < lo {
		x = lo
	}
	if x > hi {
		x = hi
	}
	return x
}

// bits32 returns the bits of x as an int32, for clampBits: for float32
// values that are not NaN, the order of these integers is that of the
// values among non-negative values, and every negative value (-0 included)
// maps below every non-negative one.
func bits32(x float32) int32 { return int32(math.Float32bits(x)) }

// clampBits is clamp32(x, lo, hi) without branches, given lo = bits32(min)
// and hi = bits32(max) of a clamp range 0 <= min <= max; x must not be NaN.
// It differs from clamp32 only for x = -0 and min = +0, giving +0. A data
// dependent branch, as in clamp32, is mispredicted often enough in an
// elementwise loop to cost more than the rest of the element's work.
func clampBits(x float32, lo, hi int32) float32 {
	return math.Float32frombits(uint32(min(max(bits32(x), lo), hi)))
}

// min32 returns the smaller of x and y, which must not be NaN. Unlike the
// builtin min, which handles NaN and signed zeros, it compiles to a compare
// and a rarely taken branch when it keeps a running minimum.
func min32(x, y float32) float32 {
	if y < x {
		return y
	}
	return x
}

// max32 returns the larger of x and y, which must not be NaN (see min32).
func max32(x, y float32) float32 {
	if y > x {
		return y
	}
	return x
}
