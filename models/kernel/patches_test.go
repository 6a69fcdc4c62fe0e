package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPatchesPack checks patches.Pack and patchesT.Pack against the
// definition of the im2col matrix (the value of patch row (ch, r, s) at
// output position (n, oy, ox) read the obvious way) on random windows:
// strides 1 to 3, paddings from -1 to past the filter that differ between
// height and width (as the input gradient's phases have), flat windows,
// output rows of 16 and 32 at strides 1 and 2 (packRows), strip widths of
// every variant and blocks that start and end anywhere, with the assembly
// transposes the CPU runs and the narrower ones down to none.
func TestPatchesPack(t *testing.T) {
	isa := packISA
	defer func() { packISA = isa }()
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 3000 {
		packISA = packLevel(rng.IntN(int(isa) + 1)) // and the narrower transposes
		g := window{c: 1 + rng.IntN(4), h: 1 + rng.IntN(12), w: 1 + rng.IntN(12),
			r: 1 + rng.IntN(3), s: 1 + rng.IntN(3), stride: 1 + rng.IntN(3)}
		// Paddings from -1 (the input gradient's phases) to past the filter.
		g.padH, g.padW = rng.IntN(g.r+3)-1, rng.IntN(g.s+3)-1
		rowsCase := trial%4 == 1
		switch {
		case trial%4 == 0: // a flat window
			g.stride, g.ow = 1, g.w
		case rowsCase: // whole output rows per strip: packRows
			g.stride = 1 + rng.IntN(2)
			g.ow = []int{16, 32}[rng.IntN(2)]
			g.w = g.ow*g.stride + rng.IntN(4) - 2
		default:
			g.ow = 1 + rng.IntN(max((g.w+2*g.padW-g.s)/g.stride+1, 1))
		}
		if g.h+2*g.padH < g.r || g.w+2*g.padW < g.s {
			continue // no output position
		}
		g.oh = 1 + rng.IntN((g.h+2*g.padH-g.r)/g.stride+1)
		n := 1 + rng.IntN(3)
		g.x = randSlice(rng, n*g.c*g.h*g.w)
		at := func(tap, pos int) float32 {
			ch, r, s := tap/(g.r*g.s), tap%(g.r*g.s)/g.s, tap%g.s
			smp, oy, ox := pos/(g.oh*g.ow), pos%(g.oh*g.ow)/g.ow, pos%g.ow
			y, x := oy*g.stride-g.padH+r, ox*g.stride-g.padW+s
			if y < 0 || y >= g.h || x < 0 || x >= g.w {
				return 0
			}
			return g.x[((smp*g.c+ch)*g.h+y)*g.w+x]
		}
		taps, positions := g.c*g.r*g.s, n*g.oh*g.ow
		w := []int{4, 6, 8, 16, 32}[rng.IntN(5)]
		// patches: k runs over taps, columns over positions.
		k0, j0 := rng.IntN(taps), rng.IntN(positions)
		if rowsCase || rng.IntN(2) == 0 {
			j0 -= j0 % g.ow
		}
		kc, nc := 1+rng.IntN(taps-k0), 1+rng.IntN(positions-j0)
		if rowsCase {
			w = []int{g.ow, 32}[rng.IntN(2)] // a multiple of the output width
		}
		name := fmt.Sprintf("c %d, h %d, w %d, r %d, s %d, oh %d, ow %d, stride %d, pad %d/%d",
			g.c, g.h, g.w, g.r, g.s, g.oh, g.ow, g.stride, g.padH, g.padW)
		checkPack(t, "patches "+name, &patches{g}, w, k0, kc, j0, nc, at, rng)
		// patchesT: k runs over positions, columns over taps.
		k0, j0 = rng.IntN(positions), rng.IntN(taps)
		kc, nc = 1+rng.IntN(positions-k0), 1+rng.IntN(taps-j0)
		if rng.IntN(4) == 0 && positions > posBlock {
			k0, kc = 0, positions // more positions than one block
		}
		checkPack(t, "patchesT "+name, &patchesT{g}, w, k0, kc, j0, nc,
			func(pos, tap int) float32 { return at(tap, pos) }, rng)
	}
}
