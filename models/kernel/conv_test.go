package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convCases covers 1x1 and 3x3 (and a non-square 3x2) filters, stride 1 and
// 2, padding 0, 1 and 2, odd image sizes, output widths that straddle the
// micro-tile, channel counts that leave edge tiles, and images smaller
// than the padding (taps that miss every column of a row).
var convCases = []ConvShape{
	{N: 2, C: 3, H: 7, W: 5, K: 4, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 5, H: 9, W: 9, K: 6, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 2, C: 4, H: 8, W: 8, K: 9, R: 3, S: 3, Stride: 2, Pad: 0},
	{N: 2, C: 7, H: 6, W: 6, K: 10, R: 1, S: 1, Stride: 2, Pad: 0},
	{N: 3, C: 17, H: 5, W: 5, K: 33, R: 1, S: 1, Stride: 1, Pad: 0},
	{N: 1, C: 2, H: 11, W: 13, K: 3, R: 3, S: 2, Stride: 1, Pad: 2},
	{N: 4, C: 20, H: 10, W: 10, K: 12, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 8, H: 4, W: 4, K: 40, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 3, H: 7, W: 7, K: 5, R: 5, S: 5, Stride: 3, Pad: 2},
	{N: 3, C: 2, H: 2, W: 2, K: 3, R: 5, S: 5, Stride: 1, Pad: 2},
	// Output widths that divide the strip widths (whole output rows per
	// strip, packRows from 16 wide), stride 1 and 2, odd batches that
	// leave a part strip.
	{N: 3, C: 4, H: 16, W: 16, K: 5, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 5, C: 3, H: 4, W: 4, K: 9, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 2, H: 8, W: 32, K: 5, R: 3, S: 3, Stride: 2, Pad: 1},
	{N: 3, C: 3, H: 9, W: 17, K: 4, R: 3, S: 2, Stride: 1, Pad: 0},
	// Wide flat windows (ow = W), gathered in runs across image rows for
	// the filter gradient, and for all passes when ow does not divide the
	// strip width.
	{N: 3, C: 3, H: 5, W: 16, K: 4, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 2, H: 6, W: 20, K: 3, R: 3, S: 3, Stride: 1, Pad: 1},
	// More output channels than an A block holds (v.mc), on 4x4 outputs
	// whose tiles are buffered.
	{N: 2, C: 2, H: 4, W: 4, K: 600, R: 3, S: 3, Stride: 1, Pad: 1},
	// Winograd's F(2x2, 3x3) (see winogradShape): odd and even image sizes
	// (tiles cut by the bottom and right edges), images smaller than a
	// tile, channel counts that leave edge strips and tiles in the GEMMs,
	// depths over one k block (kc = 256) in each direction, more output
	// channels than v.mc, tile counts that leave a part block and a part
	// strip, and the smallest channel counts that qualify; for the filter
	// gradient, channel counts that leave edge strips on both sides and
	// several k blocks of tiles (the shape at the end).
	{N: 2, C: 16, H: 8, W: 8, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 3, C: 17, H: 7, W: 9, K: 19, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 20, H: 1, W: 3, K: 33, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 1, C: 300, H: 5, W: 6, K: 21, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 18, H: 4, W: 4, K: 600, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 5, C: 64, H: 32, W: 32, K: 24, R: 3, S: 3, Stride: 1, Pad: 1},
	// The smallest shapes left to the GEMM form: 15 channels on one side.
	{N: 2, C: 15, H: 6, W: 6, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	{N: 2, C: 16, H: 6, W: 6, K: 15, R: 3, S: 3, Stride: 1, Pad: 1},
	// Winograd's filter gradient over two k blocks of tiles (132 tiles a
	// sample, 396 a part), the second starting inside a row of tiles and
	// a sample, on an image of odd height and width.
	{N: 6, C: 16, H: 23, W: 21, K: 17, R: 3, S: 3, Stride: 1, Pad: 1},
}

// convRef holds a direct float64 convolution's three results and, per
// element, the sum of the magnitudes of its terms (the scale of its rounding
// error).
type convRef struct {
	y, dx, dw          []float64
	yMag, dxMag, dwMag []float64
}

// directConv computes forward, input gradient and filter gradient of cs by
// the definitions, looping over every (sample, output position, tap).
func directConv(cs ConvShape, x, w, dy []float32) convRef {
	oh, ow := cs.OutH(), cs.OutW()
	ref := convRef{
		y: make([]float64, cs.N*cs.K*oh*ow), yMag: make([]float64, cs.N*cs.K*oh*ow),
		dx: make([]float64, len(x)), dxMag: make([]float64, len(x)),
		dw: make([]float64, len(w)), dwMag: make([]float64, len(w)),
	}
	for n := range cs.N {
		for k := range cs.K {
			for i := range oh {
				for j := range ow {
					yi := ((n*cs.K+k)*oh+i)*ow + j
					for c := range cs.C {
						for r := range cs.R {
							for s := range cs.S {
								h, v := i*cs.Stride-cs.Pad+r, j*cs.Stride-cs.Pad+s
								if h < 0 || h >= cs.H || v < 0 || v >= cs.W {
									continue
								}
								xi := ((n*cs.C+c)*cs.H+h)*cs.W + v
								wi := ((k*cs.C+c)*cs.R+r)*cs.S + s
								xv, wv, dyv := float64(x[xi]), float64(w[wi]), float64(dy[yi])
								ref.y[yi] += wv * xv
								ref.yMag[yi] += math.Abs(wv * xv)
								ref.dx[xi] += wv * dyv
								ref.dxMag[xi] += math.Abs(wv * dyv)
								ref.dw[wi] += dyv * xv
								ref.dwMag[wi] += math.Abs(dyv * xv)
							}
						}
					}
				}
			}
		}
	}
	return ref
}

// checkClose compares got with want + beta*old element-wise within the
// rounding bound for sums of k terms (see sumBound).
func checkClose(t *testing.T, what string, got []float32, want, mag []float64, beta float32, old []float32, k, kc int) {
	t.Helper()
	bound := sumBound(k, kc)
	for i := range want {
		w, m := want[i], mag[i]
		if beta != 0 {
			w += float64(beta) * float64(old[i])
			m += math.Abs(float64(beta) * float64(old[i]))
		}
		if d := math.Abs(float64(got[i]) - w); !(d <= bound*m+1e-30) {
			t.Fatalf("%s[%d] = %v, want %v (|err| %g > %g)", what, i, got[i], w, d, bound*m)
		}
	}
}

// convData returns a random input, filter and output gradient for cs.
func convData(cs ConvShape, seed uint64) (x, w, dy []float32) {
	rng := rand.New(rand.NewPCG(seed, 5))
	x = randSlice(rng, cs.N*cs.C*cs.H*cs.W)
	w = randSlice(rng, cs.K*cs.C*cs.R*cs.S)
	dy = randSlice(rng, cs.N*cs.K*cs.OutH()*cs.OutW())
	return x, w, dy
}

// TestConv checks the three passes of every convCases shape, with beta 0
// (old contents NaN and ignored), 1 and -0.5, on each variant and with A
// packed once per call or per block, against a float64 direct convolution
// within the rounding bound of their sums (checkClose).
func TestConv(t *testing.T) {
	forEachVariant(t, func(t *testing.T, v *variant) {
		if testing.Short() && v != supportedVariants()[0] {
			// The short run is the race detector's, which slows the
			// portable kernel most; every variant runs in the full suite.
			t.Skip("short: only the fastest variant")
		}
		engines := []*Engine{newEngine(2, v), newEngine(2, v)}
		// The second packs A per mc x kc block instead of once per call.
		for i := range engines[1].st.ws {
			engines[1].st.ws[i].packLimit = 0
		}
		for ci, cs := range convCases {
			e := engines[ci%2]
			if cs.K > v.mc {
				e = engines[1]
			}
			rng := rand.New(rand.NewPCG(uint64(ci), 6))
			x, w, dy := convData(cs, uint64(ci))
			oh, ow := cs.OutH(), cs.OutW()
			ref := directConv(cs, x, w, dy)
			for _, beta := range []float32{0, 1, -0.5} {
				t.Run(fmt.Sprintf("%d/beta=%v", ci, beta), func(t *testing.T) {
					// With beta == 0 the old contents are NaN and must be ignored.
					fill := func(n int) []float32 {
						s := randSlice(rng, n)
						if beta == 0 {
							for i := range s {
								s[i] = float32(math.NaN())
							}
						}
						return s
					}
					y, dx, dw := fill(len(ref.y)), fill(len(x)), fill(len(w))
					y0, dx0, dw0 := append([]float32(nil), y...), append([]float32(nil), dx...), append([]float32(nil), dw...)
					e.Conv2DForward(cs, x, w, beta, y)
					checkClose(t, "y", y, ref.y, ref.yMag, beta, y0, cs.C*cs.R*cs.S, v.kc)
					e.Conv2DBackwardData(cs, dy, w, beta, dx)
					checkClose(t, "dx", dx, ref.dx, ref.dxMag, beta, dx0, cs.K*cs.R*cs.S, v.kc)
					e.Conv2DBackwardFilter(cs, x, dy, beta, dw)
					checkClose(t, "dw", dw, ref.dw, ref.dwMag, beta, dw0, cs.N*oh*ow, v.kc)
				})
			}
		}
	})
}

// TestConvThreads checks that the convolutions give bit-identical results
// on one goroutine, on two and on three (more than the filter gradient's
// parts). Every GEMM of these shapes (including each
// stride phase of the input gradient) is above parallelMinFlops.
func TestConvThreads(t *testing.T) {
	forEachVariant(t, func(t *testing.T, v *variant) {
		for _, cs := range []ConvShape{
			// Winograd, two blocks of tiles on two goroutines and three
			// blocks on three, on every variant.
			{N: 8, C: 16, H: 12, W: 12, K: 24, R: 3, S: 3, Stride: 1, Pad: 1},
			{N: 8, C: 32, H: 15, W: 15, K: 32, R: 3, S: 3, Stride: 2, Pad: 1},
		} {
			checkConvThreads(t, v, cs)
		}
	})
}

// checkConvThreads runs the three convolutions of cs with one, two and
// three goroutines and requires identical bits.
func checkConvThreads(t *testing.T, v *variant, cs ConvShape) {
	t.Helper()
	x, w, dy := convData(cs, 11)
	var outs [3][3][]float32
	for i, threads := range []int{1, 2, 3} {
		e := newEngine(threads, v)
		outs[i] = [3][]float32{make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))}
		e.Conv2DForward(cs, x, w, 0, outs[i][0])
		e.Conv2DBackwardData(cs, dy, w, 0, outs[i][1])
		e.Conv2DBackwardFilter(cs, x, dy, 0, outs[i][2])
	}
	for n := 1; n < len(outs); n++ {
		for o := range 3 {
			for i := range outs[0][o] {
				if math.Float32bits(outs[0][o][i]) != math.Float32bits(outs[n][o][i]) {
					t.Fatalf("%+v output %d element %d: %v with 1 thread, %v with %d", cs, o, i, outs[0][o][i], outs[n][o][i], n+1)
				}
			}
		}
	}
}

// TestConvAllocs checks that steady-state convolutions allocate nothing, in
// their GEMM form and by Winograd's algorithm.
func TestConvAllocs(t *testing.T) {
	for _, cs := range []ConvShape{
		{N: 4, C: 16, H: 16, W: 16, K: 32, R: 3, S: 3, Stride: 2, Pad: 1},
		// Two blocks of tiles, one for each goroutine of the second engine.
		{N: 8, C: 16, H: 32, W: 32, K: 16, R: 3, S: 3, Stride: 1, Pad: 1},
	} {
		x, w, y := convData(cs, 1)
		for _, threads := range []int{1, 2} {
			e := New(threads)
			f := func() {
				e.Conv2DForward(cs, x, w, 0, y)
				e.Conv2DBackwardData(cs, y, w, 0, x)
				e.Conv2DBackwardFilter(cs, x, y, 0, w)
			}
			f()
			if allocs := testing.AllocsPerRun(2, f); allocs != 0 {
				t.Errorf("%+v threads=%d: %v allocations per conv step, want 0", cs, threads, allocs)
			}
		}
	}
}

func TestConvShapePanics(t *testing.T) {
	e := New(1)
	buf := make([]float32, 1000)
	for _, tc := range []struct {
		name string
		cs   ConvShape
		y    []float32
	}{
		{"stride0", ConvShape{N: 1, C: 1, H: 4, W: 4, K: 1, R: 3, S: 3, Stride: 0, Pad: 1}, buf},
		{"kernelTooBig", ConvShape{N: 1, C: 1, H: 2, W: 2, K: 1, R: 5, S: 5, Stride: 1, Pad: 1}, buf},
		{"shortOutput", ConvShape{N: 1, C: 1, H: 8, W: 8, K: 2, R: 3, S: 3, Stride: 1, Pad: 1}, buf[:100]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			e.Conv2DForward(tc.cs, buf, buf, 0, tc.y)
		})
	}
}
