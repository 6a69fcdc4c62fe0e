package kernel

// This file computes the filter gradient of the convolutions winogradShape
// accepts by Winograd's F(2x2, 3x3) (see winograd.go). The forward pass is
// Y = A^T [ sum over c of U_c ⊙ V_c ] A with U = G g G^T, so the gradient
// of element ξ of U[k,c] is the sum over the tiles of Yhat_ξ[k] V_ξ[c],
// Yhat = A dY A^T the transformed 2x2 output gradient of a tile (zero past
// an odd image edge) and V = B^T d B its transformed 4x4 input tile: 16
// GEMMs (M = K, N = C, depth = tiles), then dw[k,c] = G^T dU[k,c] G.
//
// The batch is split into the same fixed sample ranges as the direct form
// (filterParts), each one sum over its tiles in blocks of the variant's kc
// on one goroutine: a block's output-gradient tiles are transformed into
// the 16 packed A operands, its input tiles into the 16 packed B operands,
// and the micro-kernel adds their products into the part's 16 K x C sums
// (beta 0 for the first block, 1 after). Each part then transforms its
// sums into a filter gradient, and Conv2DBackwardFilter adds the parts in
// order. Every transform is additions, subtractions and halvings, each
// rounded to float32 on its own in a fixed order, so the result is the
// same on every variant and thread count.

// wgrad is one Winograd filter gradient.
type wgrad struct {
	x, dy      []float32 // the input (c channels) and output gradient (k channels)
	n, h, w    int       // samples, image height and width (the same in x and dy)
	c, k       int       // channels of x and of dy
	th, tw     int       // tiles per image column and row
	parts      int       // sample ranges, see filterParts
	mPad, nPad int       // k rounded up to a multiple of mr, c to one of nr
	zeros      []float32 // an image row of zeros, the rows outside the image
	s          *state    // the engine's variant, workspaces and part sums (fsum)
}

// winogradFilter computes the filter gradients of the parts sample ranges
// of the batch into s.fsum (see Conv2DBackwardFilter), on one goroutine
// when serial, else one per part.
func (e *Engine) winogradFilter(cs ConvShape, x, dy []float32, parts int, serial bool) {
	s := e.st
	wg := &s.wgrad
	*wg = wgrad{x: x, dy: dy, n: cs.N, h: cs.H, w: cs.W, c: cs.C, k: cs.K,
		th: (cs.H + 1) / 2, tw: (cs.W + 1) / 2, parts: parts,
		mPad: roundUp(cs.K, s.v.mr), nPad: roundUp(cs.C, s.v.nr), zeros: wg.zeros, s: s}
	wg.zeros = grow(wg.zeros, cs.W)
	clear(wg.zeros)
	if serial {
		wg.Range(0, parts)
	} else {
		e.Parallel(parts, 1, wg)
	}
	wg.x, wg.dy, wg.s = nil, nil, nil
}

// Range implements Ranger: parts [lo, hi) in order, with workspace lo.
func (wg *wgrad) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		wg.part(&wg.s.ws[lo], i)
	}
}

// part computes the filter gradient of sample range i into s.fsum[i]: the
// 16 sums over its tiles, kc at a time, in ws.wm, then G^T dU G.
func (wg *wgrad) part(ws *workspace, i int) {
	v := wg.s.v
	kc := v.kc
	as, bs, ms := spread(wg.mPad*kc), spread(wg.nPad*kc), spread(wg.mPad*wg.nPad)
	ws.wa = grow(ws.wa, 16*as)
	ws.wv = grow(ws.wv, 16*bs)
	ws.wm = grow(ws.wm, 16*ms)
	perSample := wg.th * wg.tw
	t0, t1 := wg.n*i/wg.parts*perSample, wg.n*(i+1)/wg.parts*perSample
	for b := t0; b < t1; b += kc {
		kcb := min(kc, t1-b)
		wg.transform(ws, ws.wa, as, b, kcb, true)
		wg.transform(ws, ws.wv, bs, b, kcb, false)
		beta := float32(0)
		if b > t0 {
			beta = 1
		}
		for xi := range 16 {
			wg.multiply(ws.wa[xi*as:xi*as+wg.mPad*kcb], ws.wv[xi*bs:xi*bs+wg.nPad*kcb],
				ws.wm[xi*ms:xi*ms+wg.mPad*wg.nPad], kcb, beta)
		}
	}
	s := wg.s
	s.fsum[i] = grow(s.fsum[i], wg.k*wg.c*9)
	wg.transformSums(s.fsum[i], ws.wm, ms)
}

// multiply sets m = a b + beta*m for the packed mPad x kcb operand a and
// kcb x nPad operand b (one k block of one of the 16 GEMMs), m row-major
// mPad x nPad, with the micro-kernel on every tile.
func (wg *wgrad) multiply(a, b, m []float32, kcb int, beta float32) {
	v := wg.s.v
	for ir := 0; ir < wg.mPad; ir += v.mr {
		strip := a[ir*kcb : (ir+v.mr)*kcb]
		for jr := 0; jr < wg.nPad; jr += v.nr {
			off := ir*wg.nPad + jr
			_ = m[off+(v.mr-1)*wg.nPad+v.nr-1] // the kernel writes up to here
			v.kernel(kcb, strip, b[jr*kcb:(jr+v.nr)*kcb], m[off:], wg.nPad, 1, beta)
		}
	}
}

// transform writes the transformed tiles of one operand side, the nt tiles
// from t0, into dst as the packed operands of the 16 GEMMs, size apart:
//
//   - grad: Yhat = A dY A^T of the output gradient, operand ξ the mPad x nt
//     matrix Yhat_ξ (rows past k are zero) as runs of mr-row strips holding
//     nt steps of mr values; the tile is zero past the bottom and right
//     edges of an image of odd size;
//   - else: V = B^T d B of the input, operand ξ the nt x nPad matrix V_ξ^T
//     (columns past c are zero) as runs of nr-column strips holding nt
//     steps of nr values.
//
// It works channel by channel, a row of tiles at a time, so that it reads
// each image plane in order, into ws.wt (tileRun), and packs a group of
// channels at a time (packGroup).
func (wg *wgrad) transform(ws *workspace, dst []float32, size, t0, nt int, grad bool) {
	width, chans, src := wg.s.v.nr, wg.c, wg.x
	if grad {
		width, chans, src = wg.s.v.mr, wg.k, wg.dy
	}
	plane := wg.h * wg.w
	if !grad {
		ws.resetBand(wg.tw)
	}
	g := groupWidth(width)
	ts := spread(g * nt)
	ws.wt = grow(ws.wt, 16*ts)
	for c0 := 0; c0 < roundUp(chans, width); c0 += g {
		for r := range g {
			c := c0 + r
			if c >= chans {
				clearRow(ws.wt, ts, r, nt)
				continue
			}
			for t := t0; t < t0+nt; {
				n, ti, tj := t/(wg.th*wg.tw), t/wg.tw%wg.th, t%wg.tw
				run := min(wg.tw-tj, t0+nt-t) // tiles of this row in the block
				img := src[(n*chans+c)*plane : (n*chans+c+1)*plane]
				wg.tileRun(ws, ws.wt[r*nt+t-t0:], ts, img, ti, tj, run, grad)
				t += run
			}
		}
		packGroup(dst, size, width, c0, ws.wt, g, nt)
	}
}

// tileRun writes the transforms of the run tiles from tj of row ti of tiles
// of the image img to dst[j], dst[j+size], ..., dst[j+15*size] for tile
// tj+j: those of the output gradient (gradTiles) with grad, else those of
// the input, as the forward pass computes them (the columns' transforms
// of the band of four image rows, columnTransforms, then the rows' of its
// tiles, bandRows).
func (wg *wgrad) tileRun(ws *workspace, dst []float32, size int, img []float32, ti, tj, run int, grad bool) {
	w := wg.w
	if !grad {
		ld := wg.tw + 1 // the band's rows, see resetBand
		columnTransforms(ws.band, ld, img, wg.h, 2*ti-1, wg.zeros)
		bandRows(dst, size, ws.band, ld, tj, run)
		return
	}
	row1 := wg.zeros[:w]
	if 2*ti+1 < wg.h {
		row1 = img[(2*ti+1)*w : (2*ti+2)*w]
	}
	gradTiles(dst, size, img[2*ti*w:(2*ti+1)*w], row1, 2*tj, run)
}

// groupWidth returns how many channels the transforms take before packing
// them into strips w wide: 8, transpose8's width, where it divides w, else
// w.
func groupWidth(w int) int {
	if w%8 == 0 {
		return 8
	}
	return w
}

// clearRow zeroes row r (nt values) of the 16 operands of a group, size
// apart in tmp.
func clearRow(tmp []float32, size, r, nt int) {
	for xi := range 16 {
		clear(tmp[xi*size+r*nt : xi*size+(r+1)*nt])
	}
}

// packGroup writes the 16 transformed operands of the g channels from c0,
// in tmp as g rows of nt tiles each, spread(g*nt) apart, into the packed
// strips w wide (g divides w) of the operands in dst, size apart: channel
// c0+j goes to column (c0+j)%w of strip (c0+j)/w, tile p to step p.
func packGroup(dst []float32, size, w, c0 int, tmp []float32, g, nt int) {
	ts := spread(g * nt)
	for xi := range 16 {
		transposeCols(dst[xi*size+c0/w*w*nt+c0%w:], w, tmp[xi*ts:], nt, g, nt)
	}
}

// gradTilesGo is the portable gradTiles for the tiles [from, run): it
// writes A y A^T of the 2x2 tile y of rows row0 and row1 whose columns
// start at col+2*j, for tile j (a second column past the rows' end is
// zero), to dst[j], dst[j+size], ..., dst[j+15*size] (row-major): the
// columns' transform (rows y0, y0+y1, y0-y1, -y1), then the rows', each a
// single addition, subtraction or negation.
func gradTilesGo(dst []float32, size int, row0, row1 []float32, col, from, run int) {
	row1 = row1[:len(row0)]
	for j := from; j < run; j++ {
		c := col + 2*j
		y00, y10 := row0[c], row1[c]
		var y01, y11 float32
		if c+1 < len(row0) {
			y01, y11 = row0[c+1], row1[c+1]
		}
		p0, q0 := y00, y01
		p1, q1 := y00+y10, y01+y11
		p2, q2 := y00-y10, y01-y11
		p3, q3 := -y10, -y11
		d := dst[j : j+15*size+1]
		d[0], d[size], d[2*size], d[3*size] = p0, p0+q0, p0-q0, -q0
		d[4*size], d[5*size], d[6*size], d[7*size] = p1, p1+q1, p1-q1, -q1
		d[8*size], d[9*size], d[10*size], d[11*size] = p2, p2+q2, p2-q2, -q2
		d[12*size], d[13*size], d[14*size], d[15*size] = p3, p3+q3, p3-q3, -q3
	}
}

// transformSums writes dw[k,c] = G^T dU[k,c] G to dst (k x c x 3 x 3) from
// the 16 sums in m (operand ξ's are mPad x nPad, size apart), a row of the
// 16 sums at a time (sumsRow).
func (wg *wgrad) transformSums(dst, m []float32, size int) {
	for k := range wg.k {
		sumsRow(dst[k*wg.c*9:(k+1)*wg.c*9], m[k*wg.nPad:], size, wg.c)
	}
}

// sumsRowGo is the portable sumsRow for the channels [from, n): channel c's
// 16 sums are m[c], m[c+size], ..., m[c+15*size], its filter gradient goes
// to dst[9*c:9*c+9].
func sumsRowGo(dst, m []float32, size, from, n int) {
	_ = m[15*size+n-1]
	for c := from; c < n; c++ {
		var u [16]float32
		for xi := range u {
			u[xi] = m[xi*size+c]
		}
		filterGradTile((*[9]float32)(dst[9*c:9*c+9]), &u)
	}
}

// filterGradTile sets g to G^T u G for the 4x4 u (row-major): the columns'
// transform, then the rows', each row of G^T (1 1/2 1/2 0; 0 1/2 -1/2 0;
// 0 1/2 1/2 1) as u0 + h, (u1-u2)/2, h + u3 with h = (u1+u2)/2, every
// halving rounded on its own.
func filterGradTile(g *[9]float32, u *[16]float32) {
	var t [12]float32 // G^T u, 3 x 4
	for j := range 4 {
		u0, u1, u2, u3 := u[j], u[4+j], u[8+j], u[12+j]
		half := float32((u1 + u2) * 0.5)
		t[j], t[4+j], t[8+j] = u0+half, float32((u1-u2)*0.5), half+u3
	}
	for i := range 3 {
		t0, t1, t2, t3 := t[4*i], t[4*i+1], t[4*i+2], t[4*i+3]
		half := float32((t1 + t2) * 0.5)
		g[3*i], g[3*i+1], g[3*i+2] = t0+half, float32((t1-t2)*0.5), half+t3
	}
}
