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
		} else {
			copyRows(strip, w, d.data[k0*d.ld+js:], d.ld, cols, kc)
		}
	}
	padStrip(dst, w, kc, nc)
}

// packColMajor packs one strip of cols (<= w) columns starting at column js
// from a column-major matrix (Pack zero-fills the remaining columns): a
// transpose of each run of k indices that lies within one group.
func (d *dense) packColMajor(strip []float32, w, k0, kc, js, cols int) {
	for p := 0; p < kc; {
		q, r := (k0+p)/d.g, (k0+p)%d.g
		run := min(kc-p, d.g-r)
		transposeCols(strip[p*w:], w, d.data[q*d.gs+r+js*d.ld:], d.ld, cols, run)
		p += run
	}
}

// copyRows copies n rows of cols values from src, whose rows start ld
// apart, into dst, whose rows start w apart. Rows whose width is a multiple
// of 8 go through copyRows8, in place of a copy call per row, which costs
// more than the move itself for such short rows.
func copyRows(dst []float32, w int, src []float32, ld, cols, n int) {
	if n > 0 && cols > 0 && cols%8 == 0 {
		// The last values read and written, checked here so that copyRows8
		// may go without bounds checks.
		_ = src[(n-1)*ld+cols-1]
		_ = dst[(n-1)*w+cols-1]
		copyRows8(dst, w, src, ld, cols, n)
		return
	}
	for p := range n {
		copy(dst[p*w:p*w+cols], src[p*ld:p*ld+cols])
	}
}

// packLevel is the widest assembly the packing helpers (copyRows8,
// transpose8, transpose16) run.
type packLevel int

const (
	packGo     packLevel = iota // the portable loops
	packAVX2                    // 32-byte moves, 8 x 8 transposes in ymm
	packAVX512                  // and the transposes in zmm
)

// packISA is the packLevel in use, set in pack_amd64.go: AVX2 where the CPU
// has it, AVX-512 where the selected variant is avx512. Tests lower it to
// run the others. The helpers are direct calls, not function values, so that
// a caller's stack buffer passed to them stays on the stack.
var packISA packLevel

// copyRowsGo is the portable copyRows8, a copy call per row.
func copyRowsGo(dst []float32, w int, src []float32, ld, cols, n int) {
	for p := range n {
		copy(dst[p*w:p*w+cols], src[p*ld:p*ld+cols])
	}
}

// transposeCols writes the transpose of a cols x n block: dst[t*w+j] =
// src[j*ld+t] for j < cols and t < n. Blocks of 16 or 8 columns by a
// multiple of 8 steps go through transpose16 and transpose8; the remaining
// columns and steps are moved one value at a time.
func transposeCols(dst []float32, w int, src []float32, ld, cols, n int) {
	n8 := n &^ 7
	j := 0
	if n8 > 0 {
		for ; j+16 <= cols; j += 16 {
			// The block's last source and destination values, checked here
			// so that transpose16 may go without bounds checks.
			_ = src[(j+15)*ld+n8-1]
			_ = dst[(n8-1)*w+j+15]
			transpose16(dst[j:], w, src[j*ld:], ld, n8)
		}
		for ; j+8 <= cols; j += 8 {
			_ = src[(j+7)*ld+n8-1]
			_ = dst[(n8-1)*w+j+7]
			transpose8(dst[j:], w, src[j*ld:], ld, n8)
		}
	}
	for ; j < cols; j++ {
		col := src[j*ld : j*ld+n]
		for t, x := range col {
			dst[t*w+j] = x
		}
	}
	for j := range min(cols, j) {
		col := src[j*ld : j*ld+n]
		for t := n8; t < n; t++ {
			dst[t*w+j] = col[t]
		}
	}
}

// transpose16Halves is transpose16 as two transpose8 calls, for 8 columns
// each.
func transpose16Halves(dst []float32, w int, src []float32, ld, n int) {
	transpose8(dst, w, src, ld, n)
	transpose8(dst[8:], w, src[8*ld:], ld, n)
}

// transpose8Go is the portable transpose8: for each step, the eight
// columns' values are read and written as one 32-byte row.
func transpose8Go(dst []float32, w int, src []float32, ld, n int) {
	s0, s1, s2, s3 := src[:n], src[ld:ld+n], src[2*ld:2*ld+n], src[3*ld:3*ld+n]
	s4, s5, s6, s7 := src[4*ld:4*ld+n], src[5*ld:5*ld+n], src[6*ld:6*ld+n], src[7*ld:7*ld+n]
	for t := range s0 {
		o := (*[8]float32)(dst[t*w:])
		o[0], o[1], o[2], o[3] = s0[t], s1[t], s2[t], s3[t]
		o[4], o[5], o[6], o[7] = s4[t], s5[t], s6[t], s7[t]
	}
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
