package kernel

// This file computes 3x3, stride-1, pad-1 convolutions with Winograd's
// minimal filtering algorithm F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms
// for Convolutional Neural Networks", 2016): each 2x2 block of outputs of
// one output channel is
//
//	Y = A^T [ sum over c of (G g_c G^T) ⊙ (B^T d_c B) ] A
//
// for the 4x4 input tile d_c around it and the 3x3 filter g_c of each input
// channel, with
//
//	B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//	A^T = [1 1 1 0; 0 1 -1 -1]
//
// so the sum over channels is 16 GEMMs (one per element ξ of the 4x4
// transformed tile: M_ξ = U_ξ V_ξ, U_ξ the K x C transformed filters, V_ξ
// the C x tiles transformed inputs) of 4x4/9 = 16/36 of the multiplies of
// the direct convolution's one GEMM.
//
// The tiles are processed in blocks (winogradBlock): a goroutine transforms
// a block's input tiles straight into packed B strips for all 16 GEMMs,
// runs the micro-kernel on them against the transformed filters (packed
// once per call, as A strips), and transforms the 16 products of each tile
// back into its 2x2 outputs, so the transformed data stays in cache.
//
// Numerics: the transforms are additions, subtractions and halvings in a
// fixed order, each rounded to float32 on its own (explicit conversions, no
// fused multiply-add), and the products are the micro-kernel's sums over
// the channels in kc blocks, as every GEMM of the package; so the result is
// the same on every variant, architecture and thread count. It differs from
// the direct convolution's by rounding: the transforms add up to 4 input
// values and 9 products before and after the sums.

// winogradMinChannels is the fewest input and output channels a 3x3
// convolution needs for Winograd: below it the GEMMs are too shallow or too
// narrow to gain on the transforms' cost (the 3-channel input layer).
const winogradMinChannels = 16

// winogradShape reports whether the convolution cs (and its input and
// filter gradients) is computed with Winograd's F(2x2, 3x3).
func winogradShape(cs ConvShape) bool {
	return cs.R == 3 && cs.S == 3 && cs.Stride == 1 && cs.Pad == 1 &&
		cs.C >= winogradMinChannels && cs.K >= winogradMinChannels
}

// winogradBlockFloats bounds a block's transformed inputs (and products):
// 16 x channels x tiles floats, 1 MiB, so that one GEMM's B panel and
// products stay within L2 (a block is at least nr tiles, which exceeds it
// from 2^18/(16*nr) channels on).
const winogradBlockFloats = 1 << 18

// wino is one Winograd convolution: out channels of output (M rows of the
// GEMMs) from in channels of input (their depth), on images of h x w.
type wino struct {
	x, y        []float32  // the input (in channels) and output (out channels)
	n, h, w     int        // samples, image height and width (the same in x and y)
	in, out     int        // channels of x and of y
	beta        float32    // y = conv + beta*y
	th, tw      int        // tiles per image column and row
	tiles       int        // n*th*tw
	block       int        // tiles per block, a multiple of nr
	blocks      int        // blocks of tiles, the last maybe partial
	parts       int        // goroutines, each with a contiguous range of blocks
	mPad        int        // out rounded up to a multiple of mr
	u           []float32  // 16 packed A operands of mPad x in, see packFilter
	filter      []float32  // the 3x3 filters being transformed
	zeros       []float32  // an image row of zeros, the rows above and below the image
	transposed  bool       // filter is in x out x 3 x 3 flipped (input gradient)
	s           *state     // the engine's variant and workspaces
	filterRange winoFilter // the Ranger of the filter transform
}

// winograd computes y = conv(x, w) + beta*y for a shape winogradShape
// accepts: x has cs.C channels and y cs.K. With transposed, it computes the
// input gradient instead, x = dy with cs.K channels, y = dx with cs.C, and
// the filter of the transposed convolution (w[k,c] flipped).
func (e *Engine) winograd(cs ConvShape, x, w []float32, beta float32, y []float32, transposed bool) {
	s := e.st
	v := s.v
	wn := &s.wino
	in, out := cs.C, cs.K
	if transposed {
		in, out = cs.K, cs.C
	}
	th, tw := (cs.H+1)/2, (cs.W+1)/2
	tiles := cs.N * th * tw
	block := max(v.nr, winogradBlockFloats/(16*max(in, out))/v.nr*v.nr)
	// At least one block for each goroutine where the tiles allow; the
	// block size does not change any tile's result.
	block = min(block, roundUp((tiles+s.threads-1)/s.threads, v.nr))
	blocks := (tiles + block - 1) / block
	zeros := wn.zeros
	*wn = wino{x: x, y: y, n: cs.N, h: cs.H, w: cs.W, in: in, out: out, beta: beta,
		th: th, tw: tw, tiles: tiles, block: block, blocks: blocks, parts: min(s.threads, blocks),
		mPad: roundUp(out, v.mr), u: wn.u, filter: w, transposed: transposed, s: s}
	wn.u = grow(wn.u, 16*spread(wn.mPad*in))
	wn.zeros = grow(zeros, cs.W)
	clear(wn.zeros)
	if out%v.mr != 0 {
		clear(wn.u)
	}
	wn.filterRange.wn = wn
	e.Parallel(out, 8, &wn.filterRange)
	e.Parallel(wn.parts, 1, wn)
	wn.x, wn.y, wn.filter, wn.s = nil, nil, nil, nil
}

// winoFilter is the Ranger that transforms and packs the filters of the
// output channels [lo, hi).
type winoFilter struct{ wn *wino }

// Range implements Ranger.
func (f *winoFilter) Range(lo, hi int) { f.wn.packFilter(lo, hi) }

// packFilter writes U = G g G^T of the filters of output channels [lo, hi)
// into u as the packed A operands of the 16 GEMMs, spread(mPad*in) apart:
// operand ξ is the mPad x in matrix U_ξ (rows past out are zero), laid out as the GEMM
// driver packs A once per call (k blocks of kc, each a run of mr-row
// strips holding kc steps of mr values).
func (wn *wino) packFilter(lo, hi int) {
	v := wn.s.v
	mr, kc := v.mr, v.kc
	size := spread(wn.mPad * wn.in)
	var g [9]float32
	put := func(o, i int) {
		u := filterTile(&g)
		pc := i / kc * kc
		kcb := min(kc, wn.in-pc)
		off := pc*wn.mPad + o/mr*mr*kcb + (i-pc)*mr + o%mr
		for xi, val := range u {
			wn.u[xi*size+off] = val
		}
	}
	if wn.transposed {
		// The input gradient's filters are w[i, o] flipped in both axes,
		// read in memory order.
		for i := range wn.in {
			for o := lo; o < hi; o++ {
				src := wn.filter[(i*wn.out+o)*9 : (i*wn.out+o)*9+9]
				for t := range 9 {
					g[t] = src[8-t]
				}
				put(o, i)
			}
		}
		return
	}
	for o := lo; o < hi; o++ {
		for i := range wn.in {
			copy(g[:], wn.filter[(o*wn.in+i)*9:(o*wn.in+i)*9+9])
			put(o, i)
		}
	}
}

// Range implements Ranger: part lo (hi is lo+1) computes its share of the
// blocks with workspace lo.
func (wn *wino) Range(lo, _ int) {
	ws := &wn.s.ws[lo]
	for b := wn.blocks * lo / wn.parts; b < wn.blocks*(lo+1)/wn.parts; b++ {
		wn.runBlock(ws, b)
	}
}

// runBlock computes the outputs of the tiles of block b: input transform
// into ws.wv, 16 GEMMs into ws.wm, output transform into y.
func (wn *wino) runBlock(ws *workspace, b int) {
	v := wn.s.v
	t0 := b * wn.block
	nt := min(wn.block, wn.tiles-t0)
	cols := roundUp(nt, v.nr)
	vs, ms := spread(wn.in*cols), spread(wn.mPad*cols)
	ws.wv = grow(ws.wv, 16*vs)
	ws.wm = grow(ws.wm, 16*ms)
	wn.transformInput(ws, ws.wv, t0, nt, cols)
	size := spread(wn.mPad * wn.in)
	for xi := range 16 {
		u := wn.u[xi*size : xi*size+wn.mPad*wn.in]
		bv := ws.wv[xi*vs : xi*vs+wn.in*cols]
		m := ws.wm[xi*ms : xi*ms+wn.mPad*cols]
		for pc := 0; pc < wn.in; pc += v.kc {
			kcb := min(v.kc, wn.in-pc)
			beta := float32(0)
			if pc > 0 {
				beta = 1
			}
			ap, bp := u[pc*wn.mPad:], bv[pc*cols:]
			for ir := 0; ir < wn.mPad; ir += v.mr {
				as := ap[ir*kcb : (ir+v.mr)*kcb]
				for jr := 0; jr < cols; jr += v.nr {
					off := ir*cols + jr
					_ = m[off+(v.mr-1)*cols+v.nr-1] // the kernel writes up to here
					v.kernel(kcb, as, bp[jr*kcb:(jr+v.nr)*kcb], m[off:], cols, 1, beta)
				}
			}
		}
	}
	wn.transformOutput(ws.wm, t0, nt, cols)
}

// spread returns the distance between the 16 operands (or products) of a
// block for operands of n floats: n plus a cache line, so that the 16
// values of a tile, one in each, do not all map to the same cache set.
func spread(n int) int { return n + 16 }

// transformInput writes V = B^T d B of the nt tiles from t0 into dst as the
// packed B operands of the 16 GEMMs: operand ξ is the in x cols matrix
// V_ξ (columns past nt are zero), in k blocks of kc, each a run of nr-wide
// strips holding kc steps of nr values; the operands are spread(in*cols)
// apart. It works a band of four image rows (one row of tiles) at a time:
// the columns' transforms of the band, B^T d for every column of the
// zero-padded band, once (bandColumns), then the rows' of each run of the
// band's tiles that is contiguous in a strip (bandRows).
func (wn *wino) transformInput(ws *workspace, dst []float32, t0, nt, cols int) {
	v := wn.s.v
	nr, kc := v.nr, v.kc
	size := spread(wn.in * cols)
	plane := wn.h * wn.w
	ld := ws.resetBand(wn.tw)
	for c := range wn.in {
		pc := c / kc * kc
		kcb := min(kc, wn.in-pc)
		base := pc*cols + (c-pc)*nr
		for t := t0; t < t0+nt; {
			n, ti, tj := t/(wn.th*wn.tw), t/wn.tw%wn.th, t%wn.tw
			run := min(wn.tw-tj, t0+nt-t) // tiles of this row in the block
			columnTransforms(ws.band, ld, wn.x[(n*wn.in+c)*plane:(n*wn.in+c+1)*plane], wn.h, 2*ti-1, wn.zeros[:wn.w])
			for j := 0; j < run; {
				tl := t + j - t0
				seg := min(run-j, nr-tl%nr) // tiles left in tl's strip
				bandRows(dst[base+tl/nr*nr*kcb+tl%nr:], size, ws.band, ld, tj+j, seg)
				j += seg
			}
			t += run
		}
		for tl := nt; tl < cols; tl++ {
			off := base + tl/nr*nr*kcb + tl%nr
			for xi := range 16 {
				dst[xi*size+off] = 0
			}
		}
	}
}

// resetBand sizes ws.band for images of tw tiles a row and zeroes it (its
// padding columns stay zero), and returns the length of its rows, tw+1:
// columns -1, 1, ..., 2*tw-1 in the even rows, 0, 2, ..., 2*tw in the odd
// ones (see columnTransforms).
func (ws *workspace) resetBand(tw int) int {
	ws.band = grow(ws.band, 8*(tw+1))
	clear(ws.band)
	return tw + 1
}

// columnTransforms sets band to B^T d for the four rows r0 .. r0+3 of the
// image x (h rows of len(zeros) values), zero outside it, split into even
// and odd columns: row 2i of band (ld floats from 2i*ld) holds row i of the
// transforms of the image columns -1, 1, 3, ..., row 2i+1 those of columns
// 0, 2, 4, .... The entries of columns -1 and from the image's width on
// are not written (band starts zeroed).
func columnTransforms(band []float32, ld int, x []float32, h, r0 int, zeros []float32) {
	w := len(zeros)
	var rows [4][]float32
	for i := range rows {
		if r := r0 + i; r >= 0 && r < h {
			rows[i] = x[r*w : (r+1)*w]
		} else {
			rows[i] = zeros
		}
	}
	bandColumns(band, ld, &rows)
}

// bandColumnsGo is the portable bandColumns for the image columns
// [from, len(d[0])): the column transform of column j, d0-d2, d1+d2, d2-d1,
// d1-d3 of its four values, goes to rows 0, 2, 4, 6 of band at (j+1)/2 for
// odd j and to rows 1, 3, 5, 7 at j/2 for even j.
func bandColumnsGo(band []float32, ld int, d *[4][]float32, from int) {
	d0 := d[0]
	d1, d2, d3 := d[1][:len(d0)], d[2][:len(d0)], d[3][:len(d0)]
	_ = band[7*ld+len(d0)/2]
	for j := from; j < len(d0); j++ {
		x0, x1, x2, x3 := d0[j], d1[j], d2[j], d3[j]
		o := (j+1)/2 + (1-j%2)*ld // in row 0 for odd j, row 1 for even j
		band[o], band[o+2*ld], band[o+4*ld], band[o+6*ld] = x0-x2, x1+x2, x2-x1, x1-x3
	}
}

// bandRowsGo is the portable bandRows for the tiles [from, n): the rows'
// transforms of band tile m+q (see columnTransforms), completing B^T d B,
// go to dst[q], dst[q+size], ..., dst[q+15*size] (row-major in the 4 x 4
// tile), each a single addition or subtraction.
func bandRowsGo(dst []float32, size int, band []float32, ld, m, from, n int) {
	_ = dst[15*size+n-1]
	for i := range 4 {
		e, o := band[2*i*ld+m:2*i*ld+m+n+1], band[(2*i+1)*ld+m:(2*i+1)*ld+m+n+1]
		out := dst[4*i*size:]
		for q := from; q < n; q++ {
			t0, t1, t2, t3 := e[q], o[q], e[q+1], o[q+1]
			out[q], out[size+q], out[2*size+q], out[3*size+q] = t0-t2, t1+t2, t2-t1, t1-t3
		}
	}
}

// transformOutput writes Y = A^T M A of the nt tiles from t0, each from
// its 16 products in m (operand ξ's products are mPad x cols, the operands
// spread(mPad*cols) apart), to y as y = Y + beta*y, a row of tiles at a
// time.
func (wn *wino) transformOutput(m []float32, t0, nt, cols int) {
	size := spread(wn.mPad * cols)
	plane, w := wn.h*wn.w, wn.w
	for o := range wn.out {
		mo := m[o*cols:]
		for t := t0; t < t0+nt; {
			n, ti, tj := t/(wn.th*wn.tw), t/wn.tw%wn.th, t%wn.tw
			run := min(wn.tw-tj, t0+nt-t)
			img := wn.y[(n*wn.out+o)*plane : (n*wn.out+o+1)*plane]
			// The tiles' two output rows; the second is missing below an
			// odd image height, the second column right of an odd width.
			row0 := img[2*ti*w : (2*ti+1)*w]
			var row1 []float32
			if 2*ti+1 < wn.h {
				row1 = img[(2*ti+1)*w : (2*ti+2)*w]
			}
			// Whole tiles (both rows and columns in the image) in groups
			// of 8 and a last one of 4 by the vector kernel where there
			// is one, the rest here.
			done := 0
			if row1 != nil {
				done = outputRows(row0[2*tj:], row1[2*tj:], mo[t-t0:], size, wn.beta, min(run, w/2-tj))
			}
			for j := done; j < run; j++ {
				y00, y01, y10, y11 := outputTile(mo[t-t0+j:], size)
				c := 2 * (tj + j)
				row0[c] = wn.output(row0[c], y00)
				if row1 != nil {
					row1[c] = wn.output(row1[c], y10)
				}
				if c+1 < w {
					row0[c+1] = wn.output(row0[c+1], y01)
					if row1 != nil {
						row1[c+1] = wn.output(row1[c+1], y11)
					}
				}
			}
			t += run
		}
	}
}

// output returns Y + beta*old as the GEMMs store their results: Y when beta
// is 0 (old is not used), one rounding of the sum otherwise.
func (wn *wino) output(old, y float32) float32 {
	switch wn.beta {
	case 0:
		return y
	case 1: // what fma32(1, old, y) rounds to
		return y + old
	default:
		return fma32(wn.beta, old, y)
	}
}

// filterTile returns G g G^T for the 3x3 filter g (row-major), with every
// halving rounded on its own.
func filterTile(g *[9]float32) [16]float32 {
	var t [12]float32 // G g, 4 x 3
	for j := range 3 {
		g0, g1, g2 := g[j], g[3+j], g[6+j]
		t[j], t[3+j], t[6+j], t[9+j] = g0, float32((g0+g1+g2)*0.5), float32((g0-g1+g2)*0.5), g2
	}
	var u [16]float32
	for i := range 4 {
		t0, t1, t2 := t[3*i], t[3*i+1], t[3*i+2]
		u[4*i], u[4*i+1], u[4*i+2], u[4*i+3] = t0, float32((t0+t1+t2)*0.5), float32((t0-t1+t2)*0.5), t2
	}
	return u
}

// outputTile returns A^T p A for the 4x4 products p[0], p[size], ...,
// p[15*size] (row-major), the 2x2 outputs row-major: first the columns'
// transforms, then the rows'.
func outputTile(p []float32, size int) (y00, y01, y10, y11 float32) {
	_ = p[15*size]
	p00, p01, p02, p03 := p[0], p[size], p[2*size], p[3*size]
	p10, p11, p12, p13 := p[4*size], p[5*size], p[6*size], p[7*size]
	p20, p21, p22, p23 := p[8*size], p[9*size], p[10*size], p[11*size]
	p30, p31, p32, p33 := p[12*size], p[13*size], p[14*size], p[15*size]
	t00, t01, t02, t03 := p00+p10+p20, p01+p11+p21, p02+p12+p22, p03+p13+p23
	t10, t11, t12, t13 := p10-p20-p30, p11-p21-p31, p12-p22-p32, p13-p23-p33
	return t00 + t01 + t02, t01 - t02 - t03, t10 + t11 + t12, t11 - t12 - t13
}
