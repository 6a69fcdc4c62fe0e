//go:build !amd64 || purego

package data

// mapTableAsm is false: the AVX-512 kernel exists only on amd64 (without
// the purego tag).
var mapTableAsm = false

// mapTableBulk takes no bytes here: mapTableGo does all the work.
func mapTableBulk([]float32, []uint8, *[4][256]byte) int { return 0 }
