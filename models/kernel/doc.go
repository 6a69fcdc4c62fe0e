// Package kernel holds the compute kernels of the models: every matrix
// multiply and convolution of a forward or backward pass goes through an
// Engine.
//
// The GEMM is packed and cache-blocked in the BLIS/GotoBLAS style. B is
// packed kc x nc panels at a time into strips nr columns wide, A into
// strips mr rows tall (once per call when it fits, else mc x kc blocks),
// and a register-blocked micro-kernel computes each mr x nr tile of C with
// its accumulators in registers. The micro-kernel is chosen at run time from
// golang.org/x/sys/cpu: AVX-512 (8 x 32 tile, Go assembly), AVX2+FMA
// (6 x 16, Go assembly) or portable Go (4 x 4, also under the purego build
// tag and off amd64), unless NEUROPLASTIC_KERNEL forces one (see
// SelectedVariant). All use kc = 256 and nc = 512.
// Large GEMMs are split between an Engine's goroutines by output tiles;
// small ones (m*n*k < 2^18) run on the caller's goroutine.
//
// Determinism: every element of C adds its k terms in the same order (k
// blocks of kc from 0 upwards, increasing k inside a block) whatever the
// number of goroutines, because work is split between goroutines only by
// output tiles aligned to the micro-tile, never along k. The one split
// along k, Conv2DBackwardFilter's ranges of samples, is fixed by the batch
// size alone and its parts are added in order. Results are therefore
// bit-identical for any Engine.Threads. They are also bit-identical for
// every variant, GOAMD64 level and architecture: each k step is a fused
// multiply-add in every kernel (fma32 in Go), and every separate rounding
// in Go code is an explicit conversion that the compiler cannot fuse
// (docs/performance.md, "Numerics").
//
// Operands can be supplied by packing functions (PanelSource, see
// Engine.GemmSource), which is how the convolutions (Conv2DForward,
// Conv2DBackwardData, Conv2DBackwardFilter on NCHW tensors, see ConvShape)
// gather their image patches straight into the packed panels instead of
// materialising an im2col matrix. Each convolution is GEMMs over the whole
// batch (the batch is part of the GEMM's n or k), so small late-stage
// images still give large tiles. Where the tiles of a convolution's output
// are not contiguous in memory (images narrower than a tile, the strided
// phases of an input gradient), each goroutine accumulates its tiles over
// all of k in a dense buffer and writes them out once.
//
// The three passes of a 3x3, stride-1, pad-1 convolution with at least 16
// channels in and out use Winograd's F(2x2, 3x3) instead (winograd.go,
// winograd_filter.go): 16 GEMMs of transformed tiles with 4/9 of the
// multiplies, the transforms in AVX2 kernels where the CPU has them
// (winograd_amd64.s) and Go loops otherwise; the forward pass and input
// gradient split blocks of tiles between the goroutines, the filter
// gradient sums over the tiles of Conv2DBackwardFilter's fixed sample
// ranges. The results differ from the GEMM form's by rounding only and are
// the same for every variant and thread count.
//
// Engine.Parallel runs other work of the models (elementwise layers, batch
// normalisation, pooling) on the same goroutines, split into contiguous
// index ranges that depend only on the size and the thread count.
//
// Dropout draws the dropout masks from math/rand/v2's PCG-DXSM generator,
// whose 128-bit state the caller holds. Under the avx512 variant, on CPUs
// with AVX512DQ, an AVX-512 kernel makes 16 draws at a time, each lane's
// state stepped by the generator's step composed 16 times; the Go loop
// (everywhere else, AVX2 machines included) makes the same draws one by
// one, so the masks, outputs and final state are the same bits.
//
// Exp computes the loss's exponentials: Exp64, Go's amd64 math.Exp written
// in Go, of each value. Under the avx512 variant an AVX-512 kernel takes 8
// values at a time with Exp64's operations and roundings, for every block
// whose values all take Exp64's plain path; Exp64 computes the others, and
// everything under the other variants and off amd64.
package kernel
