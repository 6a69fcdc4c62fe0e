package kernel

// PanelSource supplies one operand of a GEMM by packing it on demand, so an
// operand need not exist as a dense matrix (a convolution packs its input
// patches straight from the image, without an im2col buffer).
//
// A PanelSource represents a k x n matrix V. Pack writes the block of rows
// k0..k0+kc-1 and columns j0..j0+nc-1 of V into dst as ceil(nc/w) strips of
// w columns: strip s starts at dst[s*kc*w] and holds, for each p in [0, kc),
// the w values V[k0+p][j0+s*w+jj] at dst[s*kc*w+p*w+jj]; columns at or past
// j0+nc are written as zeros. The block always lies inside V and dst is long
// enough. Pack may run concurrently on several goroutines (with distinct
// dst); it must not modify anything but dst.
type PanelSource interface {
	Pack(dst []float32, w, k0, kc, j0, nc int)
}

// dense is a PanelSource over a strided matrix in memory. Without colMajor,
// V[p][j] = data[p*ld+j]. With colMajor, V[p][j] = data[j*ld+q*gs+r] where
// q, r = p/g, p%g: the k index runs along memory in groups of g elements
// that start gs apart (a plain column-major matrix has g = k), as the
// per-sample planes of an NCHW tensor do.
type dense struct {
	data     []float32
	ld       int
	colMajor bool
	g, gs    int
}

// setRowMajor makes d the matrix V[p][j] = data[p*ld+j].
func (d *dense) setRowMajor(data []float32, ld int) {
	*d = dense{data: data, ld: ld}
}

// setColMajor makes d the grouped column-major matrix described at dense.
func (d *dense) setColMajor(data []float32, ld, g, gs int) {
	*d = dense{data: data, ld: ld, colMajor: true, g: max(g, 1), gs: gs}
}

// Pack implements PanelSource.
func (d *dense) Pack(dst []float32, w, k0, kc, j0, nc int) {
	for s := 0; s*w < nc; s++ {
		js := j0 + s*w
		cols := min(w, j0+nc-js)
		strip := dst[s*kc*w : (s+1)*kc*w]
		if d.colMajor {
			d.packColMajor(strip, w, k0, kc, js, cols)
			continue
		}
		for p := range kc {
			off := (k0+p)*d.ld + js
			copy(strip[p*w:p*w+cols], d.data[off:off+cols])
		}
	}
	padStrip(dst, w, kc, nc)
}

// packColMajor packs one strip of cols (<= w) columns starting at column js
// from a column-major matrix (Pack zero-fills the remaining columns).
// Four columns are moved at a time so that each k step writes 16 adjacent
// bytes of the strip.
func (d *dense) packColMajor(strip []float32, w, k0, kc, js, cols int) {
	jj := 0
	for ; jj+4 <= cols; jj += 4 {
		for p := 0; p < kc; {
			q, r := (k0+p)/d.g, (k0+p)%d.g
			run := min(kc-p, d.g-r)
			off := q*d.gs + r + (js+jj)*d.ld
			s0 := d.data[off : off+run]
			s1 := d.data[off+d.ld : off+d.ld+run]
			s2 := d.data[off+2*d.ld : off+2*d.ld+run]
			s3 := d.data[off+3*d.ld : off+3*d.ld+run]
			out := strip[p*w+jj:]
			for t := range s0 {
				o := out[t*w : t*w+4]
				o[0], o[1], o[2], o[3] = s0[t], s1[t], s2[t], s3[t]
			}
			p += run
		}
	}
	for ; jj < cols; jj++ {
		for p := 0; p < kc; {
			q, r := (k0+p)/d.g, (k0+p)%d.g
			run := min(kc-p, d.g-r)
			off := q*d.gs + r + (js+jj)*d.ld
			for t, x := range d.data[off : off+run] {
				strip[(p+t)*w+jj] = x
			}
			p += run
		}
	}
}
