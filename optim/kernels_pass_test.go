package optim

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// passInputs are the inputs of NeuroPlastic's passes for one tensor: the
// gradient, the traces, r (or u) and the parameters, and pass 2's scalars.
type passInputs struct {
	g, a, m, v, u, w []float32
	ap               alphaParams
}

// passDataKinds are the kinds of data of TestPassesMatchGo: dataKinds;
// "nans", where every input is NaN at about every other element, a quiet
// NaN of random sign and payload, so that wherever two NaNs meet in an
// operation the kernels' choice of operand order shows; and "tiny", where
// the quotients n(x) = x/d of the alpha passes are subnormal or near the
// least normal float32, where quo's rounding and the float32 division's
// can differ (see quoBound and tinyQuotients).
var passDataKinds = append(slices.Clip(dataKinds), "nans", "tiny")

// newPassInputs returns inputs of n elements: gradients and parameters
// around 0.1 and positive traces and r, shaped into the kind of data of
// passDataKinds (with NaN and infinities in every input, for "special").
func newPassInputs(n int, data string) passInputs {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	fill := func(scale float64, positive bool) []float32 {
		x := make([]float32, n)
		for j := range x {
			x[j] = float32(r.NormFloat64() * scale)
			if positive {
				x[j] = abs32(x[j])
			}
			if r.IntN(10) == 0 {
				x[j] = 0
			}
		}
		if data != "nans" {
			shapeData(x, data, r, true)
			return x
		}
		for j := range x {
			if r.IntN(2) == 0 {
				x[j] = math.Float32frombits(uint32(r.IntN(2))<<31 | 0x7fc00000 | uint32(r.IntN(1<<22)))
			}
		}
		return x
	}
	in := passInputs{
		g: fill(0.05, false), a: fill(0.05, true), m: fill(0.05, false), v: fill(0.003, true),
		u: fill(1, true), w: fill(0.1, false),
		ap: alphaParams{lo: 0.2, hi: 2, wa: 0.4, wg: 0.4, wm: 0.2, k: 1.5},
	}
	in.ap.setDenoms(0.04, 0.039, 0.7)
	if data == "tiny" {
		// One of |g|, A and r, in turn, has tiny quotients, the others
		// are zero; its denominator, above 1, sets quoBound, and its
		// weight in a_full is 1, the others 0, so that its quotients set
		// alpha and its statistics.
		ds := []float32{0.04, 0.039, 0.7}
		ws := []float32{0, 0, 0}
		xs := []*[]float32{&in.g, &in.a, &in.u}
		k := n % 3
		for i, x := range xs {
			*x = make([]float32, n)
			if i == k {
				ds[i], ws[i], *x = midpointDenom, 1, tinyQuotients(r, n, midpointDenom)
			}
		}
		// -0, below every float32 as bits: no lower clamp, so that negative
		// quotients show too.
		in.ap.lo = float32(math.Copysign(0, -1))
		in.ap.wg, in.ap.wa, in.ap.wm = ws[0], ws[1], ws[2]
		in.ap.setDenoms(ds[0], ds[1], ds[2])
	}
	return in
}

// midpointDenom is a denominator d for which quo(x, recip(d)) and the
// float32 division x/d differ for some x whose quotient is the midpoint of
// two subnormals, M*2^-150 with M odd: for M = 5, x = 5*210*2^-150, the
// division gives 2^-148 (ties to even) and quo 3*2^-149.
const midpointDenom = 210

// tinyQuotients returns n values x, about one in ten zero, whose
// quotients x/d are subnormal or below 2^-125. In each group of 16
// elements, in turn: x/d an exact midpoint, M*2^-150 with M odd, and x
// up to 2^-125 (d must be twice an odd integer for x to be a float32);
// the same with x above 2^-126, so that no element of the group is below
// 2^-126 but for the zeros; x of random bits. Every other three groups
// are negative, the others of random sign.
func tinyQuotients(r *rand.Rand, n int, d float32) []float32 {
	x := make([]float32, n)
	top := math.Float32bits(float32(0x1p-125 * float64(d)))
	half := 1 << 24 / int(d) // x < 2^-125 for M < 2*half, x > 2^-126 for M > half
	for j := range x {
		if r.IntN(10) == 0 {
			continue
		}
		switch j / 16 % 3 {
		case 0:
			x[j] = float32(math.Ldexp(float64(2*r.IntN(half)+1)*float64(d), -150))
		case 1:
			x[j] = float32(math.Ldexp(float64(2*(half/2+r.IntN(half/2))+1)*float64(d), -150))
		default:
			x[j] = math.Float32frombits(r.Uint32N(top + 1))
		}
		if j/48%2 == 1 || r.IntN(2) == 0 {
			x[j] = -x[j]
		}
	}
	return x
}

// clone returns a deep copy of in.
func (in passInputs) clone() passInputs {
	c := in
	for _, x := range []*[]float32{&c.g, &c.a, &c.m, &c.v, &c.u, &c.w} {
		*x = slices.Clone(*x)
	}
	return c
}

// passOutput collects a pass's outputs as named bit patterns.
type passOutput []passValues

// passValues are the bits of one output: width 32 or 64 for float32 or
// float64 values, 0 for integers.
type passValues struct {
	name  string
	width int
	bits  []uint64
}

// f32s adds the bits of x under name (nothing if o is nil, as for the
// benchmarks).
func (o *passOutput) f32s(name string, x ...float32) {
	if o == nil {
		return
	}
	b := make([]uint64, len(x))
	for j, v := range x {
		b[j] = uint64(math.Float32bits(v))
	}
	*o = append(*o, passValues{name, 32, b})
}

// f64s adds the bits of x under name (nothing if o is nil).
func (o *passOutput) f64s(name string, x ...float64) {
	if o == nil {
		return
	}
	b := make([]uint64, len(x))
	for j, v := range x {
		b[j] = math.Float64bits(v)
	}
	*o = append(*o, passValues{name, 64, b})
}

// stats adds the bits of alpha's statistics (nothing if o is nil).
func (o *passOutput) stats(st alphaStats) {
	if o == nil {
		return
	}
	o.f64s("shift, sumD, sumD2, rawSq", st.shift, st.sumD, st.sumD2, st.rawSq)
	o.f32s("min, max", st.min, st.max)
	*o = append(*o, passValues{"nearLo, nearHi", 0, []uint64{uint64(st.nearLo), uint64(st.nearHi)}})
}

// isNaN reports whether the bits b of a value of the given width are a NaN.
func isNaN(b uint64, width int) bool {
	switch width {
	case 32:
		return b&0x7fffffff > 0x7f800000
	case 64:
		return b&^(1<<63) > 0x7ff0000000000000
	}
	return false
}

// diff returns the name of the first output where o and p differ and
// the index in it, or "" if they agree: in every bit, or with anyNaN,
// with any NaN matching any NaN.
func (o passOutput) diff(p passOutput, anyNaN bool) (string, int) {
	for i, x := range o {
		for j, b := range x.bits {
			c := p[i].bits[j]
			if b != c && !(anyNaN && isNaN(b, x.width) && isNaN(c, x.width)) {
				return x.name, j
			}
		}
	}
	return "", 0
}

// kernelPasses are the passes the kernels take, each run on in with kern.
var kernelPasses = []struct {
	name string
	run  func(in passInputs, kern isa, o *passOutput)
}{
	{"traces", func(in passInputs, kern isa, o *passOutput) {
		t := traces(in.g, in.a, in.m, in.v, kern)
		o.f32s("a", in.a...)
		o.f32s("m", in.m...)
		o.f32s("v", in.v...)
		o.f64s("sums", t.abs, t.gradSq)
	}},
	{"traces_full", func(in passInputs, kern isa, o *passOutput) {
		t := tracesFull(in.g, in.a, in.m, in.v, in.u, kern)
		o.f32s("a", in.a...)
		o.f32s("m", in.m...)
		o.f32s("v", in.v...)
		o.f32s("r", in.u...)
		o.f64s("sums", t.abs, t.gradSq, t.a, t.r)
	}},
	{"alpha_grad_only", func(in passInputs, kern isa, o *passOutput) {
		o.stats(alphaGradOnly(in.g, in.u, &in.ap, kern))
		o.f32s("u", in.u...)
	}},
	{"alpha_full", func(in passInputs, kern isa, o *passOutput) {
		o.stats(alphaFull(in.g, in.a, in.u, &in.ap, kern))
		o.f32s("u", in.u...)
	}},
	{"alpha_tensorwise_grad_only", func(in passInputs, kern isa, o *passOutput) {
		o.stats(alphaTensorwise(in.g, in.a, in.u, &in.ap, false, kern))
		o.f32s("u", in.u...)
	}},
	{"alpha_tensorwise_full", func(in passInputs, kern isa, o *passOutput) {
		o.stats(alphaTensorwise(in.g, in.a, in.u, &in.ap, true, kern))
		o.f32s("u", in.u...)
	}},
	{"couple_decay", func(in passInputs, kern isa, o *passOutput) {
		o.f64s("sum", coupleDecay(in.u, in.w, 1e-2, kern))
		o.f32s("u", in.u...)
	}},
	{"decay_params", func(in passInputs, kern isa, o *passOutput) {
		decayParams(in.w, 1e-3, kern)
		o.f32s("w", in.w...)
	}},
	{"apply_update", func(in passInputs, kern isa, o *passOutput) {
		o.f64s("sum", applyUpdate(in.w, in.u, 0.7, 1.3, 0.1, kern))
		o.f32s("w", in.w...)
	}},
}

// TestPassesMatchGo runs every pass the kernels take with each assembly
// kernel family the CPU runs and with the portable loops on the same
// inputs, around the vector width and the 512 elements by which the
// AVX-512 kernels' loops trail part of their work (LAG in
// kernels_amd64.s), and compares every output (slices,
// sums and statistics), on each kind of data of passDataKinds. The
// "special" inputs mix signed zeros, subnormals, huge values, infinities
// and NaN into every input, which a step never sees (its gradients are
// finite), so that the kernels' comparisons, clamps, absolute values and
// conversions are held to the loops' on every class of value; the "nans"
// inputs hold the kernels' operand order (and their additions, where
// either operand can be NaN, against an FMA by 1, which may return the
// other NaN) to one another's.
//
// The kernel families must agree in every bit: they run the same
// operations with the same operands in the same order. The loops must too,
// except that a NaN may differ from theirs in sign and payload: when both
// operands of an operation are NaN, x86 returns the first, and the Go
// compiler orders the operands of commutative operations as it likes
// (tensorSumsFullGo computes x + sum where the kernels compute sum + x).
// Any NaN then matches any NaN; finite and infinite values match bit for
// bit.
func TestPassesMatchGo(t *testing.T) {
	ks := simdKernels()
	if len(ks) == 0 {
		t.Skip("no assembly kernels on this CPU or build")
	}
	names := slices.Sorted(maps.Keys(ks))
	for _, data := range passDataKinds {
		for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 100, 511, 512, 513, 1000, 1041, 4099} {
			in := newPassInputs(n, data)
			for _, p := range kernelPasses {
				t.Run(fmt.Sprintf("%s/n%d/%s", data, n, p.name), func(t *testing.T) {
					var want passOutput
					p.run(in.clone(), isaGo, &want)
					outs := make([]passOutput, len(names))
					for i, name := range names {
						p.run(in.clone(), ks[name], &outs[i])
						if what, j := outs[i].diff(want, true); what != "" {
							t.Errorf("%s: %s differs from the loops' at %d", name, what, j)
						}
						if what, j := outs[i].diff(outs[0], false); what != "" {
							t.Errorf("%s: %s differs from %s's at %d", name, what, names[0], j)
						}
					}
				})
			}
		}
	}
}

// BenchmarkPasses times each pass of kernelPasses with each kernel family
// the CPU runs and the portable loops, on a tensor that fits in L2 (4,096
// elements) and on the mlp's largest (200,704), and reports the time per
// 16 elements. Each pass runs again on its own outputs (the traces and the
// update change from one iteration to the next, as in training). The
// traces start at zero where the gradient is zero, as a step finds them
// for a weight whose gradient has always been zero: traces decaying from a
// non-zero value would become subnormal within a few thousand iterations,
// which costs some operations many times their normal time on some CPUs
// (on Zen 5, square roots and divisions, and multiplications with a
// subnormal result while one of those is in flight).
func BenchmarkPasses(b *testing.B) {
	ks := simdKernels()
	ks["go"] = isaGo
	for _, n := range []int{4096, 200704} {
		for _, p := range kernelPasses {
			for _, name := range slices.Sorted(maps.Keys(ks)) {
				b.Run(fmt.Sprintf("%s/n%d/%s", p.name, n, name), func(b *testing.B) {
					in := newPassInputs(n, "plain")
					for j, g := range in.g {
						if g == 0 {
							in.a[j], in.m[j], in.v[j] = 0, 0, 0
						}
					}
					b.SetBytes(4 * int64(n))
					for b.Loop() {
						p.run(in, ks[name], nil)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n/16), "ns/16")
				})
			}
		}
	}
}
