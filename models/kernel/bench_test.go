package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// peakPerCore is the float32 FMA peak of one Zen 5 core at 3.3 GHz (two
// 512-bit FMAs per cycle), the reference for the "%peak" metric.
const peakPerCore = 211e9

// reportFlops reports GFLOP/s and the fraction of the machine's peak for
// threads cores, given the flops of one operation.
func reportFlops(b *testing.B, flops float64, threads int) {
	rate := flops * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate/1e9, "GFLOP/s")
	b.ReportMetric(100*rate/(peakPerCore*float64(threads)), "%peak")
}

// BenchmarkSgemm measures the GEMMs of the models' training steps at batch
// 128: the MLP's layers (forward, input and weight gradients), the
// small_cnn's conv2 and Linear 8192->256, and ResNet-18 layer1/layer4
// convolutions as GEMMs per sample and batched over samples.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range []struct {
		name           string
		m, n, k        int
		transA, transB bool
	}{
		{"mlp_fc1_fwd", 128, 256, 784, false, true},
		{"mlp_fc1_dW", 256, 784, 128, true, false},
		{"mlp_fc2_fwd", 128, 256, 256, false, true},
		{"mlp_fc2_dX", 128, 256, 256, false, false},
		{"mlp_fc2_dW", 256, 256, 128, true, false},
		{"cnn_conv2_sample", 64, 1024, 288, false, false},
		{"cnn_conv2_batch", 64, 1024 * 128, 288, false, false},
		{"cnn_fc_fwd", 128, 256, 8192, false, true},
		{"cnn_fc_dX", 128, 8192, 256, false, false},
		{"cnn_fc_dW", 256, 8192, 128, true, false},
		{"resnet_l1_sample", 64, 1024, 576, false, false},
		{"resnet_l1_batch", 64, 1024 * 128, 576, false, false},
		{"resnet_l4_sample", 512, 16, 4608, false, false},
		{"resnet_l4_batch", 512, 16 * 128, 4608, false, false},
		{"square_1024", 1024, 1024, 1024, false, false},
	} {
		lda, ldb := s.k, s.n
		if s.transA {
			lda = s.m
		}
		if s.transB {
			ldb = s.k
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%dx%dx%d/threads=%d", s.name, s.m, s.n, s.k, threads), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				a, bb, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), randSlice(rng, s.m*s.n)
				e := New(threads)
				f := func() { e.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n) }
				f() // size the workspaces outside the timing
				b.ReportAllocs()
				for b.Loop() {
					f()
				}
				reportFlops(b, 2*float64(s.m)*float64(s.n)*float64(s.k), threads)
			})
		}
	}
}

// resnetConvs are ResNet-18's 3x3 convolutions on CIFAR-10 at batch 128: the
// stem conv1 on the 3-channel images, the first of each stage (layer2.0
// conv1 is the strided one) and a stage body.
var resnetConvs = []struct {
	name string
	cs   ConvShape
}{
	{"conv1", ConvShape{N: 128, C: 3, H: 32, W: 32, K: 64, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"layer1", ConvShape{N: 128, C: 64, H: 32, W: 32, K: 64, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"layer2_down", ConvShape{N: 128, C: 64, H: 32, W: 32, K: 128, R: 3, S: 3, Stride: 2, Pad: 1}},
	{"layer2", ConvShape{N: 128, C: 128, H: 16, W: 16, K: 128, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"layer3", ConvShape{N: 128, C: 256, H: 8, W: 8, K: 256, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"layer4", ConvShape{N: 128, C: 512, H: 4, W: 4, K: 512, R: 3, S: 3, Stride: 1, Pad: 1}},
}

// BenchmarkConv measures the three convolution kernels on resnetConvs, and
// the GEMM form of the passes that use Winograd's algorithm (/direct). The
// GFLOP/s count the direct convolution's multiply-adds, 2*N*K*C*R*S*OutH*OutW,
// for both, so they compare as times do.
func BenchmarkConv(b *testing.B) {
	for _, l := range resnetConvs {
		cs := l.cs
		var x, w, y []float32
		setup := func() {
			if x == nil {
				x, w, y = convData(cs, 1)
			}
		}
		flops := 2 * float64(cs.N*cs.K*cs.C*cs.R*cs.S*cs.OutH()*cs.OutW())
		for _, op := range []struct {
			name string
			f    func(e *Engine)
		}{
			{"forward", func(e *Engine) { e.Conv2DForward(cs, x, w, 0, y) }},
			{"backward_data", func(e *Engine) { e.Conv2DBackwardData(cs, y, w, 0, x) }},
			{"backward_filter", func(e *Engine) { e.Conv2DBackwardFilter(cs, x, y, 0, w) }},
		} {
			methods := []string{""}
			if winogradShape(cs) {
				methods = append(methods, "/direct")
			}
			for _, threads := range []int{1, 2} {
				for _, method := range methods {
					b.Run(fmt.Sprintf("%s/%s%s/threads=%d", l.name, op.name, method, threads), func(b *testing.B) {
						setup()
						e := New(threads)
						e.st.direct = method != ""
						op.f(e) // size the workspaces outside the timing
						b.ReportAllocs()
						for b.Loop() {
							op.f(e)
						}
						reportFlops(b, flops, threads)
					})
				}
			}
		}
	}
}

// BenchmarkVariants measures one GEMM shape (the MLP's 784 -> 256 layer at
// batch 128) and one convolution (ResNet-18's layer3 at batch 8) with each
// micro-kernel family this CPU runs, on one goroutine: the cost of forcing
// a slower variant with NEUROPLASTIC_KERNEL, and of the exact pure-Go path.
func BenchmarkVariants(b *testing.B) {
	const m, n, k = 128, 256, 784
	rng := rand.New(rand.NewPCG(1, 1))
	a, bb, c := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
	cs := resnetConvs[4].cs
	cs.N = 8
	x, w, y := convData(cs, 1)
	for _, v := range supportedVariants() {
		e := newEngine(1, v)
		b.Run("gemm_"+v.name, func(b *testing.B) {
			for b.Loop() {
				e.Sgemm(false, true, m, n, k, 1, a, k, bb, k, 0, c, n)
			}
			reportFlops(b, 2*m*n*k, 1)
		})
		b.Run("conv_"+v.name, func(b *testing.B) {
			for b.Loop() {
				e.Conv2DForward(cs, x, w, 0, y)
			}
			reportFlops(b, 2*float64(cs.N*cs.K*cs.C*cs.R*cs.S*cs.OutH()*cs.OutW()), 1)
		})
	}
}

// BenchmarkPack measures the packing of the MLP's GEMM operands at batch
// 128 as the avx512 variant packs them (strips 8 wide for A, 32 for B, k
// blocks of 256): transposed gathers from row-major x and weights (the
// forward pass) and row copies (the weight gradients). Each iteration packs
// the next of 16 copies of the operand, so that, as in a training step, the
// source is not in L2.
func BenchmarkPack(b *testing.B) {
	for _, s := range []struct {
		name     string
		k, n, w  int
		colMajor bool
	}{
		{"fc1_fwd_A_x", 784, 128, 8, true},
		{"fc1_fwd_B_weight", 784, 256, 32, true},
		{"fc2_fwd_B_weight", 256, 256, 32, true},
		{"fc1_dW_A_dy", 128, 256, 8, false},
		{"fc1_dW_B_x", 128, 784, 32, false},
	} {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			ds := make([]dense, 16)
			for i := range ds {
				src := randSlice(rng, s.k*s.n)
				if s.colMajor {
					ds[i].setColMajor(src, s.k, s.k, 0)
				} else {
					ds[i].setRowMajor(src, s.n)
				}
			}
			dst := make([]float32, 256*roundUp(s.n, s.w))
			i := 0
			for b.Loop() {
				d := &ds[i%len(ds)]
				for pc := 0; pc < s.k; pc += 256 {
					d.Pack(dst, s.w, pc, min(256, s.k-pc), 0, s.n)
				}
				i++
			}
			b.SetBytes(int64(4 * s.k * s.n))
		})
	}
}

// BenchmarkDropout measures Dropout on the MLP's dropout input at batch
// 128 (128 x 256 values, p = 0.1) with the AVX-512 kernel where this CPU
// runs it and with the Go loop alone.
func BenchmarkDropout(b *testing.B) {
	const n = 128 * 256
	x := randSlice(rand.New(rand.NewPCG(1, 1)), n)
	y, mask := make([]float32, n), make([]float32, n)
	dropoutImpls(func(impl string) {
		b.Run(impl, func(b *testing.B) {
			state := [2]uint64{1, 2}
			for b.Loop() {
				Dropout(y, mask, x, &state, 1677722, 1/(1-float32(0.1)))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
	})
}

// BenchmarkExp measures Exp on the 1280 arguments of the loss of a batch
// of 128 samples of 10 classes (logits N(0, 3) less their sample's
// largest), with the AVX-512 kernel where this CPU and variant run it and
// with Exp64 alone.
func BenchmarkExp(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	args := make([]float64, 1280)
	for i := range args {
		args[i] = -math.Abs(rng.NormFloat64() * 3 * math.Sqrt2)
	}
	x := make([]float64, len(args))
	expImpls(func(impl string) {
		b.Run(impl, func(b *testing.B) {
			for b.Loop() {
				copy(x, args)
				Exp(x)
			}
		})
	})
}
