package optim

// isa names the kernels that take the bulk of NeuroPlastic's passes,
// following the models' kernel variants (kernel.SelectedVariant): the
// AVX-512 kernels of kernels_amd64.s, the AVX2 kernels of
// kernels_avx2_amd64.s, or none, when the portable loops do all the work.
// All three give the same bits.
type isa uint8

const (
	isaGo     isa = iota // the portable loops alone
	isaAVX2              // AVX2 kernels (ymm), then the loops for the tails
	isaAVX512            // AVX-512 kernels (zmm), then the loops for the tails
)
