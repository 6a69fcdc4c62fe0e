// Package optim holds the optimizers the preprint compares: NeuroPlastic
// (neuroplastic.go), its gradient-only ablation (a mode of the same
// optimizer), and the torch.optim baselines SGD (sgd.go), Adam and AdamW
// (adam.go), each matching its PyTorch reference elementwise in float32.
//
// An optimizer is built by New from a Config (or by NewSGD, NewAdam, NewAdamW,
// NewNeuroPlastic from a typed config) and is bound to its parameters for
// life: every Step reads each param.Param's Grad and updates its Data in
// place. The only time input is the 1-based epoch passed to Step; there are
// no setters and no global state. Step allocates nothing and never changes
// anything when a gradient holds NaN or Inf: it returns an error wrapping
// ErrNonFinite.
//
// Configurations have canonical JSON forms (DecodeConfig, Config.MarshalJSON)
// using the canonical hyperparameter names of docs/algorithm.md. Decoding is strict
// and fills defaults; encoding writes every key in sorted order, so equal
// configurations encode to equal bytes.
//
// MarshalBinary and UnmarshalBinary save and restore the complete state
// (moments, traces, step counts, diagnostics of the epoch so far), so a run
// resumed from a checkpoint continues bit-identically.
//
// Arithmetic follows the reference: per-element state and updates in float32,
// reductions (tensor means, norms) in float64 rounded to float32 where torch
// holds them as float32 tensors. The reference's quirks are reproduced and
// marked in the code where they happen.
//
// NeuroPlastic's elementwise passes run as AVX-512 or AVX2 kernels in Go
// assembly (kernels_amd64.s, kernels_avx2_amd64.s), following the models'
// kernel variant (avx512, avx2 or go, see kernel.SelectedVariant), with
// portable Go loops for the tails and as the fallback (the only path under
// the purego build tag and on other architectures). All paths compute
// every element with the same float32 operations in the same order and sum
// the float64 reductions in the same 16 lanes combined in the same tree
// (lanes.go), so they give the same bits.
package optim
