//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// bandColumnsAVX2 is bandColumnsGo for the first 16*groups + 8*tail image
// columns (tail 0 or 1), 16 at a time and the last 8 at once.
//
//go:noescape
func bandColumnsAVX2(band []float32, ld int, d0, d1, d2, d3 []float32, groups, tail int)

// bandRowsAVX2 is bandRowsGo for the first 8*groups + 4*tail tiles (tail 0
// or 1), 8 at a time and the last 4 at once.
//
//go:noescape
func bandRowsAVX2(dst []float32, size int, band []float32, ld, m, groups, tail int)

// outputRowsAVX2 is the output transform of the first 8*groups + 4*tail
// whole tiles (tail 0 or 1), 8 at a time and the last 4 at once (see
// outputRows); mode is 0, 1 or 2 for beta 0, beta 1 and any other beta.
//
//go:noescape
func outputRowsAVX2(row0, row1, p []float32, size, mode int, beta float32, groups, tail int)

// gradRowsAVX2 is gradTilesGo for the first 8*groups + 4*tail tiles (tail
// 0 or 1), whole ones (both columns in the rows), 8 at a time and the last
// 4 at once, the tiles starting at column 0 of row0 and row1.
//
//go:noescape
func gradRowsAVX2(dst []float32, size int, row0, row1 []float32, groups, tail int)

// sumsRowAVX2 is sumsRowGo for the first 8*groups channels, 8 at a time.
//
//go:noescape
func sumsRowAVX2(dst, m []float32, size, groups int)

// winoAsm reports whether the Winograd transforms run their AVX2 kernels,
// set where the CPU has AVX2 and FMA (outputRowsAVX2 fuses beta*old + y
// for a beta other than 0 and 1; tests clear it to run the portable ones).
// The kernels make the same single additions and subtractions as the Go
// loops, so they give the same bits.
var winoAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// bandColumns sets the band of columnTransforms from its four image rows d
// (all of one length w, with len(band) >= 8*ld and ld > w/2).
func bandColumns(band []float32, ld int, d *[4][]float32) {
	from := 0
	if w := len(d[0]); winoAsm && w >= 8 {
		_ = band[7*ld+w/2]
		d1, d2, d3 := d[1][:w], d[2][:w], d[3][:w]
		bandColumnsAVX2(band, ld, d[0], d1, d2, d3, w/16, w%16/8)
		if from = w / 8 * 8; from == w {
			return
		}
	}
	bandColumnsGo(band, ld, d, from)
}

// bandRows writes the input transforms of band tiles m .. m+n-1 to dst[q],
// dst[q+size], ..., dst[q+15*size] for tile m+q (see bandRowsGo).
func bandRows(dst []float32, size int, band []float32, ld, m, n int) {
	from := 0
	if winoAsm && n >= 4 {
		_ = dst[15*size+n-1]
		_ = band[7*ld+m+n]
		bandRowsAVX2(dst, size, band, ld, m, n/8, n%8/4)
		if from = n / 4 * 4; from == n {
			return
		}
	}
	bandRowsGo(dst, size, band, ld, m, from, n)
}

// outputRows writes the outputs of the first n/4*4 of n whole tiles (both
// output rows and columns in the image) and returns how many it wrote:
// tile q's 16 products are p[q], p[q+size], ..., p[q+15*size], its outputs
// go to row0[2q], row0[2q+1], row1[2q] and row1[2q+1] as wino.output
// stores them.
func outputRows(row0, row1, p []float32, size int, beta float32, n int) int {
	if !winoAsm || n < 4 {
		return 0
	}
	n = n / 4 * 4
	_, _, _ = row0[2*n-1], row1[2*n-1], p[15*size+n-1]
	mode := 2
	switch beta {
	case 0:
		mode = 0
	case 1:
		mode = 1
	}
	outputRowsAVX2(row0, row1, p, size, mode, beta, n/8, n%8/4)
	return n
}

// gradTiles writes A y A^T of the run 2x2 tiles y of rows row0 and row1
// whose columns start at col (see gradTilesGo).
func gradTiles(dst []float32, size int, row0, row1 []float32, col, run int) {
	from := 0
	if n := min(run, (len(row0)-col)/2); winoAsm && n >= 4 {
		_ = dst[15*size+n-1]
		gradRowsAVX2(dst, size, row0[col:col+2*n], row1[col:col+2*n], n/8, n%8/4)
		if from = n / 4 * 4; from == run {
			return
		}
	}
	gradTilesGo(dst, size, row0, row1, col, from, run)
}

// sumsRow writes the filter gradients G^T u G of n channels from their
// 16 sums u (see sumsRowGo).
func sumsRow(dst, m []float32, size, n int) {
	from := 0
	if winoAsm && n >= 8 {
		_, _ = dst[9*n-1], m[15*size+n-1]
		sumsRowAVX2(dst, m, size, n/8)
		if from = n / 8 * 8; from == n {
			return
		}
	}
	sumsRowGo(dst, m, size, from, n)
}
