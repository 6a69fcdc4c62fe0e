package data

import (
	"slices"
	"testing"
)

// testSplit returns a split of n examples of c x h x w whose first pixel is
// the example (mod 256), whose other pixels are pseudo-random bytes in
// 1..255, and whose label is the example mod 10. Channel ch normalises a
// byte p to 1000*ch + p, so a pad value (a raw 0) is 1000*ch.
func testSplit(n, c, h, w int) *Split {
	d := c * h * w
	r := rawSplit{make([]byte, n*d), make([]byte, n)}
	state := uint32(1)
	for i := range n {
		r.x[i*d] = byte(i)
		for j := 1; j < d; j++ {
			state = state*1664525 + 1013904223
			r.x[i*d+j] = byte(1 + (state>>24)%255)
		}
		r.y[i] = uint8(i % numClasses)
	}
	s := &Split{Pix: r.x, Y: r.y, N: n, C: c, H: h, W: w}
	for ch := range c {
		var t [256]float32
		for p := range t {
			t[p] = float32(1000*ch + p)
		}
		s.norm = append(s.norm, &t)
	}
	return s
}

// epochOrder runs one epoch and returns the example of every batch row (from
// the first value of each image), checking batch sizes and labels.
func epochOrder(t *testing.T, l *Loader, epoch, batch int) []int {
	t.Helper()
	l.Epoch(epoch)
	d := l.s.C * l.s.H * l.s.W
	var order []int
	for k := 0; ; k++ {
		x, y, ok := l.Next()
		if !ok {
			if k != l.Batches() {
				t.Fatalf("epoch %d gave %d batches, Batches() = %d", epoch, k, l.Batches())
			}
			return order
		}
		if len(y) > batch || len(x) != len(y)*d {
			t.Fatalf("batch %d: %d labels and %d values", k, len(y), len(x))
		}
		if k < l.Batches()-1 && len(y) != batch {
			t.Fatalf("batch %d of %d has %d examples, want %d", k, l.Batches(), len(y), batch)
		}
		for b := range y {
			i := int(x[b*d])
			if y[b] != uint8(i%numClasses) {
				t.Fatalf("label %d with example %d", y[b], i)
			}
			order = append(order, i)
		}
	}
}

// TestLoaderBatches checks batch counts with a partial last batch and that
// every example is seen exactly once per epoch, over all examples and over
// a subset.
func TestLoaderBatches(t *testing.T) {
	s := testSplit(103, 1, 2, 3)
	subset := Subset(103, 0.5, 7)
	for _, tc := range []struct {
		name    string
		indices []int
		batch   int
		batches int
	}{
		{"all, partial last batch", nil, 10, 11},
		{"all, exact batches", nil, 103, 1},
		{"batch larger than the set", nil, 500, 1},
		{"subset", subset, 8, 7}, // round(51.5) = 52 examples
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoader(s, tc.indices, tc.batch, 1, false)
			if l.Batches() != tc.batches {
				t.Errorf("Batches() = %d, want %d", l.Batches(), tc.batches)
			}
			want := tc.indices
			if want == nil {
				want = Subset(103, 1, 0)
			}
			for epoch := range 3 {
				got := epochOrder(t, l, epoch, tc.batch)
				if epoch == 0 && !slices.Equal(got, want) {
					t.Errorf("epoch 0 is not in the given order")
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("epoch %d does not visit every example once", epoch)
				}
			}
		})
	}
}

// TestLoaderOrder checks that epochs differ, that the same seed and epoch
// give the same order whatever ran before, and that seeds differ.
func TestLoaderOrder(t *testing.T) {
	s := testSplit(200, 1, 1, 1)
	a := NewLoader(s, nil, 32, 41, false)
	b := NewLoader(s, nil, 32, 41, false)
	c := NewLoader(s, nil, 32, 42, false)
	e1, e2 := epochOrder(t, a, 1, 32), epochOrder(t, a, 2, 32)
	if slices.Equal(e1, e2) {
		t.Error("epochs 1 and 2 have the same order")
	}
	if !slices.Equal(epochOrder(t, b, 2, 32), e2) {
		t.Error("epoch 2 differs between two loaders of one seed")
	}
	if !slices.Equal(epochOrder(t, a, 1, 32), e1) {
		t.Error("epoch 1 rerun differs")
	}
	if slices.Equal(epochOrder(t, c, 1, 32), e1) {
		t.Error("seeds 41 and 42 give the same order")
	}
}

// TestLoaderAugment checks the crop and flip: deterministic per seed and
// epoch, different across epochs, every output image a shifted (and maybe
// mirrored) window of its source, normalised, padded with the normalised
// value of a raw 0 (as if the normalised image were cropped), and no
// augmentation in epoch 0.
func TestLoaderAugment(t *testing.T) {
	const n, c, h, w = 40, 3, 6, 5
	s := testSplit(n, c, h, w)
	collect := func(l *Loader, epoch int) []float32 {
		l.Epoch(epoch)
		var all []float32
		for x, _, ok := l.Next(); ok; x, _, ok = l.Next() {
			all = append(all, x...)
		}
		return all
	}
	a := NewLoader(s, nil, 16, 5, true)
	e1 := collect(a, 1)
	if !slices.Equal(collect(NewLoader(s, nil, 16, 5, true), 1), e1) {
		t.Error("augmentation differs between two loaders of one seed")
	}
	if slices.Equal(collect(a, 2), e1) {
		t.Error("epochs 1 and 2 are augmented alike")
	}
	if !slices.Equal(collect(a, 0), normalised(s)) {
		t.Error("epoch 0 is augmented or reordered")
	}
	d := c * h * w
	shifted, flipped := 0, 0
	for k := range n {
		img := e1[k*d : (k+1)*d]
		dy, dx, flip, ok := matchCrop(s, img)
		if !ok {
			t.Fatalf("image %d is not a padded crop of its source", k)
		}
		if dy != 0 || dx != 0 {
			shifted++
		}
		if flip {
			flipped++
		}
	}
	// With 40 images, all-unshifted or never/always flipped has probability
	// below 1e-12 (shift) and 2e-12 (flip): such counts mean a broken draw.
	if shifted == 0 || flipped == 0 || flipped == n {
		t.Errorf("%d of %d images shifted, %d flipped", shifted, n, flipped)
	}
}

// normalised returns every image of s normalised, in order: the whole
// split as the old float32 representation held it.
func normalised(s *Split) []float32 {
	out := make([]float32, len(s.Pix))
	plane := s.H * s.W
	for k, p := range s.Pix {
		out[k] = s.norm[k/plane%s.C][p]
	}
	return out
}

// matchCrop finds the shift in -4..4 and flip that produce img from some
// example of s, normalised and then padded with the normalised raw 0.
func matchCrop(s *Split, img []float32) (dy, dx int, flip, ok bool) {
	d := s.C * s.H * s.W
	all := normalised(s)
	for src := range s.N {
		for dy := -cropPad; dy <= cropPad; dy++ {
			for dx := -cropPad; dx <= cropPad; dx++ {
				for _, flip := range []bool{false, true} {
					if cropEquals(s, all[src*d:(src+1)*d], img, dy, dx, flip) {
						return dy, dx, flip, true
					}
				}
			}
		}
	}
	return 0, 0, false, false
}

// cropEquals reports whether img is the normalised image src shifted by
// (dy, dx), padded, then mirrored when flip, computed here pixel by pixel.
func cropEquals(s *Split, src, img []float32, dy, dx int, flip bool) bool {
	for c := range s.C {
		for y := range s.H {
			for x := range s.W {
				cx := x
				if flip {
					cx = s.W - 1 - x
				}
				sy, sx := y+dy, cx+dx
				want := s.norm[c][0]
				if sy >= 0 && sy < s.H && sx >= 0 && sx < s.W {
					want = src[(c*s.H+sy)*s.W+sx]
				}
				if img[(c*s.H+y)*s.W+x] != want {
					return false
				}
			}
		}
	}
	return true
}

// TestLoaderAllocs checks that Next allocates nothing in steady state, with
// and without augmentation.
func TestLoaderAllocs(t *testing.T) {
	s := testSplit(1000, 3, 8, 8)
	for _, augment := range []bool{false, true} {
		l := NewLoader(s, nil, 7, 3, augment)
		l.Epoch(1)
		allocs := testing.AllocsPerRun(100, func() {
			if _, _, ok := l.Next(); !ok {
				l.Epoch(1)
			}
		})
		if allocs != 0 {
			t.Errorf("augment %v: %v allocations per Next", augment, allocs)
		}
	}
}

// TestLoaderPanics checks the programmer-error panics.
func TestLoaderPanics(t *testing.T) {
	s := testSplit(5, 1, 1, 1)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"zero batch", func() { NewLoader(s, nil, 0, 1, false) }},
		{"index out of range", func() { NewLoader(s, []int{0, 5}, 2, 1, false) }},
		{"negative index", func() { NewLoader(s, []int{-1}, 2, 1, false) }},
		{"negative epoch", func() { NewLoader(s, nil, 2, 1, false).Epoch(-1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r, ok := recover().(string); !ok || r[:6] != "data: " {
					t.Errorf("recovered %v, want a data: panic", r)
				}
			}()
			tc.f()
		})
	}
}

// BenchmarkLoaderEpoch measures one shuffled epoch of batches over an
// MNIST-sized split (60,000 images of 28 x 28 bytes, larger than a core's
// share of the last-level cache), in s/epoch.
func BenchmarkLoaderEpoch(b *testing.B) {
	s := testSplit(60000, 1, 28, 28)
	l := NewLoader(s, nil, 128, 1, false)
	epoch := 0
	for b.Loop() {
		epoch++
		l.Epoch(epoch)
		for _, _, ok := l.Next(); ok; _, _, ok = l.Next() {
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}
