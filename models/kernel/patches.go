package kernel

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
// ox0) output positions from (oy, ox0) of sample n to dst[:cnt].
func (g *window) gather(dst []float32, n, ch, r, s, oy, ox0, cnt int) {
	dst = dst[:cnt]
	if cnt > g.ow-ox0 {
		// Only flat windows have runs past the output row.
		g.gatherFlat(dst, n, ch, r, s, oy, ox0)
		return
	}
	y := oy*g.stride - g.padH + r
	if y < 0 || y >= g.h {
		clear(dst)
		return
	}
	row := g.x[((n*g.c+ch)*g.h+y)*g.w : ((n*g.c+ch)*g.h+y+1)*g.w]
	x0 := ox0*g.stride - g.padW + s
	if g.stride == 1 {
		// dst[t] = row[x0+t] where 0 <= x0+t < w.
		lo := min(max(-x0, 0), cnt)
		hi := max(min(g.w-x0, cnt), lo)
		clear(dst[:lo])
		if lo < hi {
			copy(dst[lo:hi], row[x0+lo:x0+hi])
		}
		clear(dst[hi:])
		return
	}
	for t, x := 0, x0; t < cnt; t, x = t+1, x+g.stride {
		var v float32
		if x >= 0 && x < g.w {
			v = row[x]
		}
		dst[t] = v
	}
}

// gatherFlat is gather for a flat window: a copy of the plane with the
// positions outside the image zeroed.
func (g *window) gatherFlat(dst []float32, n, ch, r, s, oy, ox0 int) {
	w, cnt := g.w, len(dst)
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
	clear(dst[:a])
	clear(dst[b:])
	if a == b {
		return
	}
	off := q0 + dy*w + dx
	copy(dst[a:b], plane[off+a:off+b])
	if dx == 0 {
		return
	}
	// Inside [a, b) the copy wrapped across image rows: zero the first -dx
	// positions of each later output row (dx < 0) or the last dx before it.
	for rs := a + w - col(ox0+a, w); rs < b; rs += w {
		if dx < 0 {
			clear(dst[rs:min(rs-dx, b)])
		} else {
			clear(dst[max(rs-dx, a):rs])
		}
	}
}

// col returns q%w for q >= 0, without dividing when q < w (most calls).
func col(q, w int) int {
	if q < w {
		return q
	}
	return q % w
}

// patches is the PanelSource of the im2col matrix of a window, with one row
// per (ch, r, s) and one column per (n, oy, ox), without materialising it.
type patches struct{ window }

// Pack implements PanelSource. Blocks of whole output rows of at least
// rowsMinWidth go to packRows; otherwise each row of a strip is filled by
// gathers along an output row, or along the whole sample for a flat window
// (see window.run).
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
			g.gather(dst[(j-col)*kc+p*w+col:], n, ch, r, s, oy, ox, cnt)
			j += cnt
			n, oy, ox = g.next(n, oy, ox, cnt)
		}
		ch, r, s = g.nextTap(ch, r, s)
	}
	padStrip(dst, w, kc, nc)
}

// rowsMinWidth is the narrowest output row packRows handles: narrower rows
// of a flat window are packed faster by the runs of gatherFlat, which span
// image rows (other narrow rows are gathered one output row at a time).
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

// tapGroup is the most columns (taps) patchesT.Pack gathers before it
// transposes them into a strip, and posBlock the most rows (positions):
// an 8 KiB block, 8 x 8 transposes.
const tapGroup, posBlock = 8, 256

// Pack implements PanelSource. Writing a column of a strip value by value
// would store w floats apart, one cache line per value; instead the
// values of up to tapGroup taps are gathered along the output positions
// (copies of image rows) into a block, which is transposed into the strip.
func (g *patchesT) Pack(dst []float32, w, k0, kc, j0, nc int) {
	var block [tapGroup * posBlock]float32
	// Taps are grouped within a strip: gs divides w.
	gs := tapGroup
	for w%gs != 0 {
		gs--
	}
	for p0 := 0; p0 < kc; p0 += posBlock {
		pn := min(posBlock, kc-p0)
		n0, oy0, ox0 := g.position(k0 + p0)
		ch, r, s := g.tap(j0)
		for j := 0; j < nc; j += gs {
			cnt := min(gs, nc-j)
			for t := range cnt {
				row := block[t*pn : (t+1)*pn]
				n, oy, ox := n0, oy0, ox0
				for p := 0; p < pn; {
					run := min(g.run(oy, ox), pn-p)
					g.gather(row[p:], n, ch, r, s, oy, ox, run)
					p += run
					n, oy, ox = g.next(n, oy, ox, run)
				}
				ch, r, s = g.nextTap(ch, r, s)
			}
			transposeCols(dst[(j-j%w)*kc+p0*w+j%w:], w, block[:], pn, cnt, pn)
		}
	}
	padStrip(dst, w, kc, nc)
}
