package optim

import "errors"

// ErrNonFinite is wrapped by Step when a gradient holds NaN or Inf.
var ErrNonFinite = errors.New("optim: non-finite gradient")

// Optimizer updates the parameters it was built for, using their gradients.
type Optimizer interface {
	// Step applies one update; epoch is the 1-based epoch number. If any
	// gradient is NaN or Inf it returns an error wrapping ErrNonFinite.
	Step(epoch int) error
	// EpochDiagnostics returns the diagnostics accumulated since the last
	// call and resets them; ok is false for optimizers that keep none.
	EpochDiagnostics() (d Diagnostics, ok bool)
	// MarshalBinary encodes the full optimizer state for a checkpoint.
	MarshalBinary() ([]byte, error)
	// UnmarshalBinary restores a state written by MarshalBinary.
	UnmarshalBinary(data []byte) error
}

// Diagnostics are NeuroPlastic's per-epoch statistics (SPEC.md section 1).
type Diagnostics struct {
	AlphaMean           float64 `json:"alpha_mean"`
	AlphaStd            float64 `json:"alpha_std"`
	AlphaMin            float64 `json:"alpha_min"`
	AlphaMax            float64 `json:"alpha_max"`
	FracNearMin         float64 `json:"frac_near_min"`
	FracNearMax         float64 `json:"frac_near_max"`
	GradNorm            float64 `json:"grad_norm"`
	RawUpdateNorm       float64 `json:"raw_update_norm"`
	EffectiveUpdateNorm float64 `json:"effective_update_norm"`
}
