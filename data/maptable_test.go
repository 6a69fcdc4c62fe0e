package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomTable returns a table of random float32 bit patterns, with NaNs
// (their payloads and signs), -0, +0 and the infinities among them.
func randomTable(r *rand.Rand) *[256]float32 {
	t := new([256]float32)
	for i := range t {
		t[i] = math.Float32frombits(r.Uint32())
	}
	for _, b := range []uint32{0x7fc00001, 0xffbfffff, 0x7f800001, 0x80000000, 0, 0x7f800000, 0xff800000} {
		t[r.IntN(256)] = math.Float32frombits(b)
	}
	return t
}

// TestMapTable compares mapTable (the kernel where it runs, then the Go
// loop) with mapTableGo alone, as float32 bit patterns, for every length
// below 200 and the image sizes of MNIST and CIFAR (a plane and three), at
// unaligned offsets of source and destination, over several tables. The
// values past the end of the destination must be left alone.
func TestMapTable(t *testing.T) {
	if !mapTableAsm {
		t.Log("no AVX-512 kernel here: the Go loop against itself")
	}
	r := rand.New(rand.NewPCG(1, 2))
	lengths := []int{784, 1024, 3072}
	for n := range 200 {
		lengths = append(lengths, n)
	}
	const guard = 20
	for c := range 4 {
		tab := randomTable(r)
		p := bytePlanes(tab)
		for _, n := range lengths {
			for _, off := range [][2]int{{0, 0}, {1, 3}, {7, 1}, {15, 17}} {
				src := make([]uint8, off[0]+n)
				for i := range src {
					src[i] = uint8(r.Uint32())
				}
				s := src[off[0]:]
				got := make([]float32, off[1]+n+guard)
				want := make([]float32, len(got))
				for i := range got {
					got[i] = math.Float32frombits(uint32(i) * 0x9e3779b9)
					want[i] = got[i]
				}
				mapTable(got[off[1]:off[1]+n], s, tab, p)
				mapTableGo(want[off[1]:off[1]+n], s, tab)
				for i := range got {
					if g, w := math.Float32bits(got[i]), math.Float32bits(want[i]); g != w {
						t.Fatalf("table %d, n=%d, offsets %v: element %d is %#08x, want %#08x", c, n, off, i-off[1], g, w)
					}
				}
			}
		}
	}
}

// BenchmarkMapTable measures mapTable on one MNIST image in the cache, with
// the kernel where it runs and with the Go loop alone.
func BenchmarkMapTable(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	tab := randomTable(r)
	p := bytePlanes(tab)
	src := make([]uint8, 784)
	for i := range src {
		src[i] = uint8(r.Uint32())
	}
	dst := make([]float32, len(src))
	for _, asm := range []bool{true, false} {
		name := "go"
		if asm {
			name = "kernel"
		}
		b.Run(name, func(b *testing.B) {
			defer func(v bool) { mapTableAsm = v }(mapTableAsm)
			mapTableAsm = mapTableAsm && asm
			for b.Loop() {
				mapTable(dst, src, tab, p)
			}
		})
	}
}
