package kernel

import "fmt"

// ConvShape describes a 2-D convolution (cross-correlation, as in PyTorch)
// of NCHW tensors: an input of N samples with C channels of H x W, a filter
// of K output channels by C input channels by R x S taps (layout KCRS), the
// same Stride and zero padding Pad in both directions. The output is
// N x K x OutH() x OutW().
type ConvShape struct {
	N, C, H, W  int
	K, R, S     int
	Stride, Pad int
}

// OutH returns the output height, (H + 2*Pad - R)/Stride + 1.
func (cs ConvShape) OutH() int { return (cs.H+2*cs.Pad-cs.R)/cs.Stride + 1 }

// OutW returns the output width, (W + 2*Pad - S)/Stride + 1.
func (cs ConvShape) OutW() int { return (cs.W+2*cs.Pad-cs.S)/cs.Stride + 1 }

// check panics unless cs is a valid shape and the input, filter and output
// slices are long enough for it.
func (cs ConvShape) check(x, w, y []float32) {
	if cs.N < 1 || cs.C < 1 || cs.H < 1 || cs.W < 1 || cs.K < 1 || cs.R < 1 || cs.S < 1 ||
		cs.Stride < 1 || cs.Pad < 0 || cs.H+2*cs.Pad < cs.R || cs.W+2*cs.Pad < cs.S {
		panic(fmt.Sprintf("kernel: invalid convolution shape %+v", cs))
	}
	for _, t := range [...]struct {
		name string
		data []float32
		n    int
	}{
		{"input", x, cs.N * cs.C * cs.H * cs.W},
		{"filter", w, cs.K * cs.C * cs.R * cs.S},
		{"output", y, cs.N * cs.K * cs.OutH() * cs.OutW()},
	} {
		if len(t.data) < t.n {
			panic(fmt.Sprintf("kernel: convolution %s has %d elements, want %d for %+v", t.name, len(t.data), t.n, cs))
		}
	}
}

// Conv2DForward computes y = conv(x, w) + beta*y for the shape cs: x is
// N x C x H x W, w is K x C x R x S and y is N x K x OutH x OutW, so
//
//	y[n,k,i,j] = sum over c, r, s of w[k,c,r,s] * x[n,c,i*Stride-Pad+r,j*Stride-Pad+s]
//
// with x zero outside the image. beta == 0 overwrites y without reading it;
// beta == 1 accumulates. Bias is not included. It is one GEMM (M = K,
// N = N*OutH*OutW, K = C*R*S) whose B panels gather the patches from x,
// except for the shapes winogradShape accepts (3x3, stride 1, pad 1, at
// least 16 channels in and out), which use Winograd's F(2x2, 3x3) and round
// differently.
func (e *Engine) Conv2DForward(cs ConvShape, x, w []float32, beta float32, y []float32) {
	cs.check(x, w, y)
	s := e.st
	if winogradShape(cs) && !s.direct {
		e.winograd(cs, x, w, beta, y, false)
		return
	}
	oh, ow := cs.OutH(), cs.OutW()
	crs := cs.C * cs.R * cs.S
	s.da.setColMajor(w, crs, crs, 0)
	s.pat = patches{window{x: x, c: cs.C, h: cs.H, w: cs.W, r: cs.R, s: cs.S, oh: oh, ow: ow,
		stride: cs.Stride, padH: cs.Pad, padW: cs.Pad}}
	s.job = gemmJob{m: cs.K, n: cs.N * oh * ow, k: crs, alpha: 1, beta: beta, a: &s.da, b: &s.pat,
		c: y, out: outMap{ldc: oh * ow, g: oh * ow, gs: cs.K * oh * ow, gw: oh * ow, cs: 1}}
	s.job.buffered = beta == 0 && !s.job.out.tilesContiguous(s.v.nr)
	s.gemm(e)
}

// Conv2DBackwardData computes the input gradient dx = conv^T(dy, w) +
// beta*dx for the shape cs: dy is N x K x OutH x OutW, w is K x C x R x S
// and dx is N x C x H x W, so
//
//	dx[n,c,h,v] = sum of w[k,c,r,s] * dy[n,k,i,j] over k, r, s, i, j with i*Stride-Pad+r = h, j*Stride-Pad+s = v.
//
// beta == 0 overwrites dx without reading it; beta == 1 accumulates. It is
// a transposed convolution computed by gathering, so each element of dx is
// computed once, with no scatter-add: the positions of dx are split into
// Stride x Stride phases (h%Stride, v%Stride); a phase only meets the taps
// r, s of matching phase, and is a stride-1 convolution of dy with those
// taps of the flipped filter, one GEMM (M = C, N = N*H*W/Stride^2,
// K = K*R*S/Stride^2 on average). The shapes winogradShape accepts use
// Winograd's F(2x2, 3x3) on the flipped filter instead.
func (e *Engine) Conv2DBackwardData(cs ConvShape, dy, w []float32, beta float32, dx []float32) {
	cs.check(dx, w, dy)
	s := e.st
	if winogradShape(cs) && !s.direct {
		e.winograd(cs, dy, w, beta, dx, true)
		return
	}
	oh, ow := cs.OutH(), cs.OutW()
	st := cs.Stride
	for ph := range min(st, cs.H) {
		// Taps r = r0, r0+st, ... (nR of them) reach the rows h = ph + st*u,
		// from dy row u + (ph+Pad-r)/st.
		r0 := (ph + cs.Pad) % st
		nR := max(cs.R-r0+st-1, 0) / st
		for pw := range min(st, cs.W) {
			s0 := (pw + cs.Pad) % st
			nS := max(cs.S-s0+st-1, 0) / st
			hp, wp := (cs.H-ph+st-1)/st, (cs.W-pw+st-1)/st
			// filt[(k,i,j), c] = w[k, c, r0+st*(nR-1-i), s0+st*(nS-1-j)]:
			// the phase's taps, flipped, row-major with C columns.
			s.filt = grow(s.filt, cs.K*nR*nS*cs.C)
			for k := range cs.K {
				for c := range cs.C {
					for i := range nR {
						for j := range nS {
							s.filt[((k*nR+i)*nS+j)*cs.C+c] = w[((k*cs.C+c)*cs.R+r0+st*(nR-1-i))*cs.S+s0+st*(nS-1-j)]
						}
					}
				}
			}
			s.da.setRowMajor(s.filt, cs.C)
			s.pat = patches{window{x: dy, c: cs.K, h: oh, w: ow, r: nR, s: nS, oh: hp, ow: wp,
				stride: 1, padH: nR - 1 - (ph+cs.Pad-r0)/st, padW: nS - 1 - (pw+cs.Pad-s0)/st}}
			s.job = gemmJob{m: cs.C, n: cs.N * hp * wp, k: cs.K * nR * nS, alpha: 1, beta: beta, a: &s.da, b: &s.pat,
				c: dx, out: outMap{base: ph*cs.W + pw, ldc: cs.H * cs.W, g: hp * wp, gs: cs.C * cs.H * cs.W, gw: wp, rs: st * cs.W, cs: st}}
			s.job.buffered = beta == 0 && !s.job.out.tilesContiguous(s.v.nr)
			s.gemm(e)
		}
	}
}

// Conv2DBackwardFilter computes the filter gradient dw = sum over the batch
// of dy (*) x + beta*dw for the shape cs: x is N x C x H x W, dy is
// N x K x OutH x OutW and dw is K x C x R x S, so
//
//	dw[k,c,r,s] = sum over n, i, j of dy[n,k,i,j] * x[n,c,i*Stride-Pad+r,j*Stride-Pad+s].
//
// beta == 0 overwrites dw without reading it; beta == 1 accumulates. The
// batch is split into filterParts ranges of samples (fewer when N is
// smaller), whatever the number of goroutines: each range is one GEMM
// (M = K, N = C*R*S, K = its samples times OutH*OutW) whose sum runs over
// samples, rows and columns in that order, in blocks of the variant's kc,
// on a single goroutine; the parts run concurrently, and dw is then their
// sum in order, plus beta*dw. Each goroutine thus packs only its own
// samples of both operands, and the result is the same for any thread
// count. The shapes winogradShape accepts use Winograd's F(2x2, 3x3) for
// each range instead (winograd_filter.go: 16 GEMMs, M = K, N = C, K = its
// tiles, in the same order and blocks) and round differently.
func (e *Engine) Conv2DBackwardFilter(cs ConvShape, x, dy []float32, beta float32, dw []float32) {
	cs.check(x, dw, dy)
	s := e.st
	crs := cs.C * cs.R * cs.S
	parts := min(filterParts, cs.N)
	serial := s.threads == 1 || parts == 1 || cs.K*crs*cs.N*cs.OutH()*cs.OutW() < parallelMinFlops
	if winogradShape(cs) && !s.direct {
		e.winogradFilter(cs, x, dy, parts, serial)
	} else {
		e.filterGEMMs(cs, x, dy, parts, serial)
	}
	s.reduce = partSum{parts: s.fsum[:parts], beta: beta, c: dw[:cs.K*crs]}
	e.Parallel(cs.K*crs, reduceGrain, &s.reduce)
	s.reduce = partSum{}
}

// filterGEMMs computes the filter gradients of the parts sample ranges of
// the batch into s.fsum as GEMMs, on one goroutine when serial, else one
// per part.
func (e *Engine) filterGEMMs(cs ConvShape, x, dy []float32, parts int, serial bool) {
	s := e.st
	ohw := cs.OutH() * cs.OutW()
	crs := cs.C * cs.R * cs.S
	xs, ys := cs.C*cs.H*cs.W, cs.K*ohw
	for i := range parts {
		n0, n1 := cs.N*i/parts, cs.N*(i+1)/parts
		s.fa[i].setColMajor(dy[n0*ys:n1*ys], ohw, ohw, ys)
		s.fpat[i] = patchesT{window{x: x[n0*xs : n1*xs], c: cs.C, h: cs.H, w: cs.W, r: cs.R, s: cs.S,
			oh: cs.OutH(), ow: cs.OutW(), stride: cs.Stride, padH: cs.Pad, padW: cs.Pad}}
		s.fsum[i] = grow(s.fsum[i], cs.K*crs)
		s.fjobs[i] = gemmJob{m: cs.K, n: crs, k: (n1 - n0) * ohw, alpha: 1, a: &s.fa[i], b: &s.fpat[i],
			c: s.fsum[i], out: plainOut(crs, crs)}
	}
	if serial {
		for i := range parts {
			s.runJob(0, i)
		}
	} else {
		s.jobs = true
		s.runParts(e, parts)
		s.jobs = false
	}
	for i := range parts {
		s.fjobs[i] = gemmJob{}
		s.fa[i], s.fpat[i] = dense{}, patchesT{}
	}
}

// filterParts is the number of sample ranges Conv2DBackwardFilter splits a
// batch into, a constant so that its results do not depend on the number
// of goroutines; it is the cores of the machines the models run on. When
// the parts run in parallel (on 2 or more goroutines) part i uses
// workspace i, so filterParts must not exceed 2 unless that changes.
const filterParts = 2

// reduceGrain is the fewest elements of a partSum worth a goroutine.
const reduceGrain = 1 << 14

// partSum is the Ranger that sets c = (sum of parts, in order) + beta*c;
// beta == 0 overwrites c without reading it.
type partSum struct {
	parts [][]float32
	beta  float32
	c     []float32
}

// Range implements Ranger.
func (r *partSum) Range(lo, hi int) {
	c := r.c[lo:hi]
	for i, t := range r.parts[0][lo:hi] {
		for _, p := range r.parts[1:] {
			t += p[lo+i]
		}
		if r.beta != 0 {
			t += float32(r.beta * c[i])
		}
		c[i] = t
	}
}
