//go:build !amd64 || purego

package kernel

// bandColumns sets the band of columnTransforms from its four image rows d
// (all of one length w, with len(band) >= 8*ld and ld > w/2): bandColumnsGo
// on this architecture.
func bandColumns(band []float32, ld int, d *[4][]float32) { bandColumnsGo(band, ld, d, 0) }

// bandRows writes the input transforms of band tiles m .. m+n-1 to dst[q],
// dst[q+size], ..., dst[q+15*size] for tile m+q: bandRowsGo on this
// architecture.
func bandRows(dst []float32, size int, band []float32, ld, m, n int) {
	bandRowsGo(dst, size, band, ld, m, 0, n)
}

// outputRows writes no outputs on this architecture (transformOutput's
// loop writes them all) and returns 0.
func outputRows(row0, row1, p []float32, size int, beta float32, n int) int { return 0 }

// gradTiles writes A y A^T of the run 2x2 tiles y of rows row0 and row1
// whose columns start at col: gradTilesGo on this architecture.
func gradTiles(dst []float32, size int, row0, row1 []float32, col, run int) {
	gradTilesGo(dst, size, row0, row1, col, 0, run)
}

// sumsRow writes the filter gradients G^T u G of n channels from their
// 16 sums u: sumsRowGo on this architecture.
func sumsRow(dst, m []float32, size, n int) { sumsRowGo(dst, m, size, 0, n) }
