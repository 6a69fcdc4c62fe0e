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
// N = N*OutH*OutW, K = C*R*S) whose B panels gather the patches from x.
func (e *Engine) Conv2DForward(cs ConvShape, x, w []float32, beta float32, y []float32) {
	cs.check(x, w, y)
	s := e.st
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
// K = K*R*S/Stride^2 on average).
func (e *Engine) Conv2DBackwardData(cs ConvShape, dy, w []float32, beta float32, dx []float32) {
	cs.check(dx, w, dy)
	s := e.st
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
// count.
func (e *Engine) Conv2DBackwardFilter(cs ConvShape, x, dy []float32, beta float32, dw []float32) {
	cs.check(x, dw, dy)
	s := e.st
	ohw := cs.OutH() * cs.OutW()
	crs := cs.C * cs.R * cs.S
	xs, ys := cs.C*cs.H*cs.W, cs.K*ohw
	parts := min(filterParts, cs.N)
	for i := range parts {
		n0, n1 := cs.N*i/parts, cs.N*(i+1)/parts
		s.fa[i].setColMajor(dy[n0*ys:n1*ys], ohw, ohw, ys)
		s.fpat[i] = patchesT{window{x: x[n0*xs : n1*xs], c: cs.C, h: cs.H, w: cs.W, r: cs.R, s: cs.S,
			oh: cs.OutH(), ow: cs.OutW(), stride: cs.Stride, padH: cs.Pad, padW: cs.Pad}}
		s.fsum[i] = grow(s.fsum[i], cs.K*crs)
		s.fjobs[i] = gemmJob{m: cs.K, n: crs, k: (n1 - n0) * ohw, alpha: 1, a: &s.fa[i], b: &s.fpat[i],
			c: s.fsum[i], out: plainOut(crs, crs)}
	}
	if s.threads == 1 || parts == 1 || cs.K*crs*cs.N*ohw < parallelMinFlops {
		for i := range parts {
			s.runJob(0, i)
		}
	} else {
		s.jobs = true
		s.runParts(e, parts)
		s.jobs = false
	}
	s.reduce = partSum{parts: s.fsum[:parts], beta: beta, c: dw[:cs.K*crs]}
	e.Parallel(cs.K*crs, reduceGrain, &s.reduce)
	s.reduce = partSum{}
	for i := range parts {
		s.fjobs[i] = gemmJob{}
		s.fa[i], s.fpat[i] = dense{}, patchesT{}
	}
}

// filterParts is the number of sample ranges Conv2DBackwardFilter splits a
// batch into, a constant so that its results do not depend on the number
// of goroutines; it is the cores of the machines the models run on.
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

// window maps the patches of a convolution onto an image batch x of
// N x c x h x w. Patch row (ch, r, s) at output position (oy, ox) of sample
// n reads x[n, ch, oy*stride-padH+r, ox*stride-padW+s], zero outside the
// image. There are oh x ow output positions per sample.
type window struct {
	x                  []float32
	c, h, w            int
	r, s               int
	oh, ow             int
	stride, padH, padW int
}

// flat reports whether the output positions of a sample map linearly onto
// its image planes (stride 1 and ow == w): position q = oy*ow+ox of patch
// row (ch, r, s) reads plane ch at q + (r-padH)*w + (s-padW), where that is
// inside the image. Gathers of a flat window run to the end of the sample
// instead of the end of an output row, so small images need few, long
// copies.
func (g *window) flat() bool { return g.stride == 1 && g.ow == g.w }

// run returns how many output positions from (oy, ox) one gather may
// cover: to the end of the output row, or of the sample for a flat window.
func (g *window) run(oy, ox int) int {
	if g.flat() {
		return (g.oh-oy)*g.ow - ox
	}
	return g.ow - ox
}

// gather writes the patch values of row (ch, r, s) at the cnt <= run(oy,
// ox0) output positions from (oy, ox0) of sample n to dst[0], dst[step], ...
func (g *window) gather(dst []float32, step, n, ch, r, s, oy, ox0, cnt int) {
	if cnt > g.ow-ox0 {
		// Only flat windows have runs past the output row.
		g.gatherFlat(dst, step, n, ch, r, s, oy, ox0, cnt)
		return
	}
	y := oy*g.stride - g.padH + r
	if y < 0 || y >= g.h {
		for t := range cnt {
			dst[t*step] = 0
		}
		return
	}
	row := g.x[((n*g.c+ch)*g.h+y)*g.w : ((n*g.c+ch)*g.h+y+1)*g.w]
	x0 := ox0*g.stride - g.padW + s
	if g.stride == 1 && step == 1 {
		// dst[t] = row[x0+t] where 0 <= x0+t < w.
		lo := min(max(-x0, 0), cnt)
		hi := max(min(g.w-x0, cnt), lo)
		clear(dst[:lo])
		copy(dst[lo:hi], row[x0+lo:x0+hi])
		clear(dst[hi:cnt])
		return
	}
	for t, x := 0, x0; t < cnt; t, x = t+1, x+g.stride {
		var v float32
		if x >= 0 && x < g.w {
			v = row[x]
		}
		dst[t*step] = v
	}
}

// gatherFlat is gather for a flat window: a copy of the plane with the
// positions outside the image zeroed.
func (g *window) gatherFlat(dst []float32, step, n, ch, r, s, oy, ox0, cnt int) {
	w := g.w
	plane := g.x[(n*g.c+ch)*g.h*w : (n*g.c+ch+1)*g.h*w]
	dy, dx := r-g.padH, s-g.padW
	q0 := oy*w + ox0
	// Positions t in [lo, hi) read a row of the image: 0 <= (q0+t)/w+dy < h.
	lo := min(max(max(-dy, 0)*w-q0, 0), cnt)
	hi := max(min((g.h-dy)*w-q0, cnt), lo)
	// [a, b) is [lo, hi) without the positions at its ends that read
	// outside the image's columns, so plane[off+a:off+b] lies in the plane.
	// Position t is in output (and image) column col(ox0+t).
	a, b := lo, hi
	if dx < 0 {
		for a < b && col(ox0+a, w)+dx < 0 {
			a++
		}
	} else if dx > 0 {
		for b > a && col(ox0+b-1, w)+dx >= w {
			b--
		}
	}
	zeroStep(dst, step, 0, a)
	zeroStep(dst, step, b, cnt)
	if a == b {
		return
	}
	off := q0 + dy*w + dx
	if step == 1 {
		copy(dst[a:b], plane[off+a:off+b])
	} else {
		storeStep(dst[a*step:], step, plane[off+a:off+b])
	}
	if dx == 0 {
		return
	}
	// Inside [a, b) the copy wrapped across image rows: zero the first -dx
	// positions of each later output row (dx < 0) or the last dx before it.
	for rs := a + w - col(ox0+a, w); rs < b; rs += w {
		if dx < 0 {
			zeroStep(dst, step, rs, min(rs-dx, b))
		} else {
			zeroStep(dst, step, max(rs-dx, a), rs)
		}
	}
}

// storeStep writes src[t] to dst[t*step], four at a time.
func storeStep(dst []float32, step int, src []float32) {
	t := 0
	for ; t+4 <= len(src); t += 4 {
		v := src[t : t+4 : t+4]
		d := dst[t*step : t*step+3*step+1]
		d[0], d[step], d[2*step], d[3*step] = v[0], v[1], v[2], v[3]
	}
	for ; t < len(src); t++ {
		dst[t*step] = src[t]
	}
}

// col returns q%w for q >= 0, without dividing when q < w (most calls).
func col(q, w int) int {
	if q < w {
		return q
	}
	return q % w
}

// zeroStep zeroes dst[i*step], dst[(i+1)*step], ..., dst[(j-1)*step].
func zeroStep(dst []float32, step, i, j int) {
	if step == 1 {
		clear(dst[i:max(i, j)])
		return
	}
	for t := i; t < j; t++ {
		dst[t*step] = 0
	}
}

// patches is the PanelSource of the im2col matrix of a window, with one row
// per (ch, r, s) and one column per (n, oy, ox), without materialising it.
type patches struct{ window }

// Pack implements PanelSource. Each row of a strip is filled by runs along
// an output row of the image.
func (g *patches) Pack(dst []float32, w, k0, kc, j0, nc int) {
	if g.ow >= rowsMinWidth && w%g.ow == 0 && j0%g.ow == 0 {
		g.packRows(dst, w, k0, kc, j0, nc)
		return
	}
	n0, oy0, ox0 := g.position(j0)
	ch, r, s := g.tap(k0)
	for p := range kc {
		n, oy, ox := n0, oy0, ox0
		for j := 0; j < nc; {
			col := j % w
			cnt := min(g.run(oy, ox), nc-j, w-col)
			g.gather(dst[(j-col)*kc+p*w+col:], 1, n, ch, r, s, oy, ox, cnt)
			j += cnt
			n, oy, ox = g.next(n, oy, ox, cnt)
		}
		ch, r, s = g.nextTap(ch, r, s)
	}
	padStrip(dst, w, kc, nc)
}

// rowsMinWidth is the narrowest output row packRows handles: narrower rows
// are packed faster by the runs of gatherFlat, which span image rows.
const rowsMinWidth = 16

// packRows is Pack when every strip holds whole output rows (w is a
// multiple of ow and j0 starts a row). For each patch row it walks the
// output rows of the block, each a shifted (and, for strides above 1,
// subsampled) image row, so that the image is read in memory order.
func (g *patches) packRows(dst []float32, w, k0, kc, j0, nc int) {
	ow, st := g.ow, g.stride
	hw := g.h * g.w
	n0, oy0, _ := g.position(j0)
	ch, r, s := g.tap(k0)
	for p := range kc {
		// Output column t reads image column x0 + t*st, inside the image
		// for t in [lo, hi).
		x0 := s - g.padW
		lo := min(max(-x0+st-1, 0)/st, ow)
		hi := max(min(max(g.w-x0+st-1, 0)/st, ow), lo)
		// plane is the start of the channel plane of sample n; o is where
		// the segment of output row oy goes, col its column in the strip.
		plane, oy := (n0*g.c+ch)*hw, oy0
		o, col := p*w, 0
		for j := 0; j < nc; j += ow {
			seg := dst[o : o+ow]
			y := oy*st - g.padH + r
			if y < 0 || y >= g.h || lo == hi {
				clear(seg)
			} else {
				row := g.x[plane+y*g.w : plane+(y+1)*g.w]
				// The margins are as wide as the padding at most: zeroed
				// in place, without the call of a clear.
				for t := range lo {
					seg[t] = 0
				}
				if st == 1 {
					copy(seg[lo:hi], row[x0+lo:x0+hi])
				} else {
					for t := lo; t < hi; t++ {
						seg[t] = row[x0+t*st]
					}
				}
				for t := hi; t < ow; t++ {
					seg[t] = 0
				}
			}
			if oy++; oy == g.oh {
				oy = 0
				plane += g.c * hw
			}
			if o, col = o+ow, col+ow; col == w {
				o, col = o-w+kc*w, 0
			}
		}
		ch, r, s = g.nextTap(ch, r, s)
	}
	padStrip(dst, w, kc, nc)
}

// position returns sample and output position of patch column j.
func (g *window) position(j int) (n, oy, ox int) {
	ohw := g.oh * g.ow
	return j / ohw, j % ohw / g.ow, j % g.ow
}

// tap returns the channel and filter tap of patch row i.
func (g *window) tap(i int) (ch, r, s int) {
	rs := g.r * g.s
	return i / rs, i % rs / g.s, i % g.s
}

// nextTap returns the patch row after (ch, r, s).
func (g *window) nextTap(ch, r, s int) (int, int, int) {
	if s++; s == g.s {
		s = 0
		if r++; r == g.r {
			r = 0
			ch++
		}
	}
	return ch, r, s
}

// next returns the output position cnt <= run(oy, ox) places after
// (n, oy, ox).
func (g *window) next(n, oy, ox, cnt int) (int, int, int) {
	if ox += cnt; ox >= g.ow {
		if ox == g.ow {
			oy, ox = oy+1, 0
		} else {
			oy, ox = oy+ox/g.ow, ox%g.ow
		}
		if oy == g.oh {
			oy = 0
			n++
		}
	}
	return n, oy, ox
}

// patchesT is the PanelSource of the transposed im2col matrix of a window,
// with one row per (n, oy, ox) and one column per (ch, r, s).
type patchesT struct{ window }

// Pack implements PanelSource. Each column of a strip is filled by runs
// along an output row of the image.
func (g *patchesT) Pack(dst []float32, w, k0, kc, j0, nc int) {
	n0, oy0, ox0 := g.position(k0)
	ch, r, s := g.tap(j0)
	for j := range nc {
		col := dst[(j-j%w)*kc+j%w:]
		n, oy, ox := n0, oy0, ox0
		for p := 0; p < kc; {
			cnt := min(g.run(oy, ox), kc-p)
			g.gather(col[p*w:], w, n, ch, r, s, oy, ox, cnt)
			p += cnt
			n, oy, ox = g.next(n, oy, ox, cnt)
		}
		ch, r, s = g.nextTap(ch, r, s)
	}
	padStrip(dst, w, kc, nc)
}

// padStrip zeroes the columns past nc of the last strip of a packed panel.
func padStrip(dst []float32, w, kc, nc int) {
	cols := nc % w
	if cols == 0 {
		return
	}
	last := dst[nc/w*kc*w : (nc/w+1)*kc*w]
	for p := range kc {
		clear(last[p*w+cols : p*w+w])
	}
}
