package kernel

// gemmJob is one C = alpha*A*B + beta*C with packed operands. a packs A^T
// (k x m) and b packs B (k x n), see PanelSource. C's layout is given by out.
type gemmJob struct {
	m, n, k     int
	alpha, beta float32
	a, b        PanelSource
	c           []float32
	out         outMap
	// buffered accumulates each B panel's tiles of C over all of k in a
	// dense buffer and then writes them to C once, instead of adding every
	// k block's tiles into C one element at a time: for outputs whose
	// tiles are not contiguous (see outMap.tilesContiguous). It requires
	// beta == 0, where it gives the same bits.
	buffered bool
}

// outMap places C's elements in memory: element (i, j) lives at
//
//	base + i*ldc + q*gs + u*rs + v*cs,  q = j/g, u = j%g/gw, v = j%gw,
//
// so the columns come in groups of g (the samples of a convolution), each a
// gw-wide grid of rows rs apart and columns cs apart (a strided sub-grid of
// an image). A plain matrix is one group with one row and cs = 1.
type outMap struct {
	base, ldc, g, gs, gw, rs, cs int
}

// plainOut returns the outMap of a row-major matrix with n columns and
// leading dimension ldc.
func plainOut(n, ldc int) outMap {
	return outMap{ldc: ldc, g: max(n, 1), gw: max(n, 1), cs: 1}
}

// offset returns the index of C's element (i, j).
func (o *outMap) offset(i, j int) int {
	return o.base + i*o.ldc + j/o.g*o.gs + j%o.g/o.gw*o.rs + j%o.gw*o.cs
}

// contiguous reports whether columns j..j+cnt-1 are adjacent in memory:
// within a grid row, or within a group whose rows follow each other.
func (o *outMap) contiguous(j, cnt int) bool {
	return o.cs == 1 && (j%o.gw+cnt <= o.gw || o.rs == o.gw && j%o.g+cnt <= o.g)
}

// tilesContiguous reports whether every full tile nr columns wide that
// starts at a multiple of nr has adjacent columns (see contiguous).
func (o *outMap) tilesContiguous(nr int) bool {
	return o.cs == 1 && (o.gw%nr == 0 || o.rs == o.gw && o.g%nr == 0)
}

// columns writes the offsets of C's elements (0, j), ..., (0, j+len(dst)-1)
// to dst, stepping through the column grid without divisions.
func (o *outMap) columns(dst []int, j int) {
	q, u, v := j/o.g, j%o.g/o.gw, j%o.gw
	for t := range dst {
		dst[t] = o.base + q*o.gs + u*o.rs + v*o.cs
		if v++; v == o.gw {
			v = 0
			if u++; u*o.gw == o.g {
				u = 0
				q++
			}
		}
	}
}

// parallelMinFlops is the m*n*k below which a GEMM runs on one goroutine:
// below it the hand-off to a worker costs more than the work it saves.
const parallelMinFlops = 1 << 18

// fullPackLimit bounds the packed size (floats) of the A operand of one
// goroutine's share for it to be packed once per call and reused by every
// B panel; larger operands are packed per mc x kc block.
const fullPackLimit = 1 << 22

// workspace holds one goroutine's packing buffers. They grow on first use
// and are reused, so steady-state calls do not allocate.
type workspace struct {
	a, b, tile []float32
	// c is the buffer of a buffered job: the rows of a goroutine's share of
	// C by one B panel.
	c []float32
	// cols holds the column offsets of an edge tile or a buffered panel,
	// see outMap.columns.
	cols []int
	// packLimit is fullPackLimit; tests lower it to exercise the blocked path.
	packLimit int
	// wv and wm hold a Winograd block's transformed inputs (packed B
	// strips) and products, 16 of each; band holds the columns'
	// transforms of one band of image rows. The filter gradient uses wv
	// and wm for its transformed inputs and its sums, wa for its
	// transformed output gradients (packed A strips) and wt for a group of
	// channels' transforms before they are packed.
	wv, wm, band, wa, wt []float32
}

// grow returns buf resized to n elements, reallocating only if it is too
// small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// roundUp returns x rounded up to a multiple of m.
func roundUp(x, m int) int { return (x + m - 1) / m * m }

// run computes rows [i0, i1) and columns [j0, j1) of the job's C. The
// boundaries are multiples of v.mr and v.nr (or the matrix end), and every
// tile's k sum is blocked by v.kc from k = 0 upwards, so the result of a
// tile does not depend on how C was split between goroutines.
func (w *workspace) run(v *variant, job *gemmJob, i0, i1, j0, j1 int) {
	mr, nr := v.mr, v.nr
	kcMax := min(job.k, v.kc)
	mPad := roundUp(i1-i0, mr)
	packAll := mPad*job.k <= w.packLimit
	mcStep := v.mc
	if packAll {
		mcStep = i1 - i0
		w.a = grow(w.a, mPad*job.k)
	} else {
		w.a = grow(w.a, v.mc*kcMax)
	}
	// A share up to 1.5 nc wide is one panel (768 KiB at most, still within
	// L2), so that A is not packed twice for a sliver of B.
	ncStep := v.nc
	if j1-j0 <= v.nc*3/2 {
		ncStep = j1 - j0
	}
	w.b = grow(w.b, kcMax*roundUp(ncStep, nr))
	w.tile = grow(w.tile, mr*nr)
	if len(w.cols) < ncStep {
		w.cols = make([]int, max(ncStep, nr))
	}
	var buf []float32
	ldb := roundUp(ncStep, nr)
	if job.buffered {
		w.c = grow(w.c, mPad*ldb)
		buf = w.c
	}
	for jc := j0; jc < j1; jc += ncStep {
		nc := min(ncStep, j1-jc)
		for pc := 0; pc < job.k; pc += v.kc {
			kc := min(v.kc, job.k-pc)
			job.b.Pack(w.b, nr, pc, kc, jc, nc)
			// Later k blocks add to what the first one wrote.
			beta := job.beta
			if pc > 0 {
				beta = 1
			}
			for ic := i0; ic < i1; ic += mcStep {
				mc := min(mcStep, i1-ic)
				ap := w.a
				if packAll {
					ap = w.a[pc*mPad : (pc+kc)*mPad]
				}
				if !packAll || jc == j0 {
					job.a.Pack(ap, mr, pc, kc, ic, mc)
				}
				if buf != nil {
					w.macroBuffered(v, job, ap, buf[(ic-i0)*ldb:], ldb, mc, nc, kc, beta)
				} else {
					w.macro(v, job, ap, ic, mc, jc, nc, kc, beta)
				}
			}
		}
		if buf != nil {
			cols := w.cols[:nc]
			job.out.columns(cols, jc)
			for i := i0; i < i1; i++ {
				row := i * job.out.ldc
				for jj, x := range buf[(i-i0)*ldb : (i-i0)*ldb+nc] {
					job.c[row+cols[jj]] = x
				}
			}
		}
	}
}

// macroBuffered is macro for a buffered job: it computes the whole tiles
// (edges included, from the zero padding of the packed strips) into buf,
// whose rows are ldb apart and start at row ic of the share.
func (w *workspace) macroBuffered(v *variant, job *gemmJob, ap, buf []float32, ldb, mc, nc, kc int, beta float32) {
	mr, nr := v.mr, v.nr
	for ir := 0; ir < mc; ir += mr {
		as := ap[ir*kc : (ir+mr)*kc]
		for jr := 0; jr < nc; jr += nr {
			off := ir*ldb + jr
			_ = buf[off+(mr-1)*ldb+nr-1] // the kernel writes up to here
			v.kernel(kc, as, w.b[jr*kc:(jr+nr)*kc], buf[off:], ldb, job.alpha, beta)
		}
	}
}

// macro runs the micro-kernel over the tiles of one packed mc x kc block of A
// (ap) and the packed kc x nc panel of B in w.b, whose top-left element of C
// is (ic, jc). Each A strip stays in L1 while the B strips stream from L2.
// Full tiles with adjacent columns are written straight into C; the others
// (edge tiles, tiles that straddle an image row or a sample, strided
// outputs) go through w.tile.
func (w *workspace) macro(v *variant, job *gemmJob, ap []float32, ic, mc, jc, nc, kc int, beta float32) {
	mr, nr := v.mr, v.nr
	for ir := 0; ir < mc; ir += mr {
		as := ap[ir*kc : (ir+mr)*kc]
		mv := min(mr, mc-ir)
		for jr := 0; jr < nc; jr += nr {
			bs := w.b[jr*kc : (jr+nr)*kc]
			nv := min(nr, nc-jr)
			i, j := ic+ir, jc+jr
			out := &job.out
			if mv == mr && nv == nr && out.contiguous(j, nr) {
				off := out.offset(i, j)
				_ = job.c[off+(mr-1)*out.ldc+nr-1] // the kernel writes up to here
				v.kernel(kc, as, bs, job.c[off:], out.ldc, job.alpha, beta)
				continue
			}
			v.kernel(kc, as, bs, w.tile, nr, job.alpha, 0)
			cols := w.cols[:nv]
			out.columns(cols, j)
			for ii := range mv {
				row := (i + ii) * out.ldc
				for jj, x := range w.tile[ii*nr : ii*nr+nv] {
					o := row + cols[jj]
					switch beta {
					case 0:
						job.c[o] = x
					case 1: // what fma32(1, c, x) rounds to
						job.c[o] = x + job.c[o]
					default: // as the kernels apply beta
						job.c[o] = fma32(beta, job.c[o], x)
					}
				}
			}
		}
	}
}

// scale sets C = beta*C, the whole GEMM when alpha or k is zero; beta == 0
// zeroes C without reading it. It walks C's column grid one grid row (gw
// elements cs apart) at a time.
func (job *gemmJob) scale() {
	if job.beta == 1 {
		return
	}
	o := &job.out
	for i := range job.m {
		for j := 0; j < job.n; j += o.gw {
			start := o.offset(i, j)
			row := job.c[start : start+(min(o.gw, job.n-j)-1)*o.cs+1]
			for t := 0; t < len(row); t += o.cs {
				if job.beta == 0 {
					row[t] = 0
				} else {
					row[t] *= job.beta
				}
			}
		}
	}
}
