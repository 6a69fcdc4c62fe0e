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

// passDataKinds are the kinds of data of TestPassesMatchGo: dataKinds and
// "nans", where every input is NaN at about every other element, a quiet
// NaN of random sign and payload, so that wherever two NaNs meet in an
// operation the kernels' choice of operand order shows.
var passDataKinds = append(slices.Clip(dataKinds), "nans")

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
		ap: alphaParams{lo: 0.2, hi: 2, wa: 0.4, wg: 0.4, wm: 0.2, k: 1.5,
			rG: recip(0.04), rA: recip(0.039), rR: recip(0.7)},
	}
	return in
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

// f32s adds the bits of x under name.
func (o *passOutput) f32s(name string, x ...float32) {
	b := make([]uint64, len(x))
	for j, v := range x {
		b[j] = uint64(math.Float32bits(v))
	}
	*o = append(*o, passValues{name, 32, b})
}

// f64s adds the bits of x under name.
func (o *passOutput) f64s(name string, x ...float64) {
	b := make([]uint64, len(x))
	for j, v := range x {
		b[j] = math.Float64bits(v)
	}
	*o = append(*o, passValues{name, 64, b})
}

// stats adds the bits of alpha's statistics.
func (o *passOutput) stats(st alphaStats) {
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
// inputs, around the vector width, and compares every output (slices,
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
		for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 100, 1000, 4099} {
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
