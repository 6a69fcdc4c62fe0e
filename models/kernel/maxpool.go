package kernel

import "math"

// MaxPool2x2Row computes one output row of a 2x2, stride-2 max pooling
// whose windows read two adjacent image rows, x[0:2*len(y)] and
// x[w:w+2*len(y)] (x holds at least that much): y[ox] is the first maximum
// of window ox (of each row's pair first, then of the two rows; a
// comparison with a NaN is false), and am[ox] its index idx0 + its offset
// in x. With relu a maximum v <= 0 becomes +0 with index -1 (NaNs pass, as
// through a ReLU). Every choice is a flag that selects by arithmetic or a
// bit mask, with no branch that random activations would mispredict. am
// holds at least len(y) values.
func MaxPool2x2Row(y []float32, am []int32, x []float32, w, idx0 int, relu bool) {
	n := len(y)
	am, x = am[:n], x[:w+2*n]
	// keep is all ones without relu: every maximum is kept.
	keep := uint32(0)
	if !relu {
		keep = ^keep
	}
	i := 0
	if poolAVX2 {
		i = n &^ 7
		maxPool2x2AVX2(y[:i], am[:i], x, w, int32(idx0), keep)
	}
	if i < n {
		maxPool2x2Go(y[i:], am[i:], x[2*i:], w, idx0+2*i, keep)
	}
}

// maxPool2x2Go is the portable MaxPool2x2Row, keep all ones without relu
// and zero with it.
func maxPool2x2Go(y []float32, am []int32, x []float32, w, idx0 int, keep uint32) {
	am = am[:len(y)]
	r0, r1 := x[:2*len(y)], x[w:w+2*len(y)]
	for ox := range y {
		c := 2 * ox
		top := 0
		if r0[c+1] > r0[c] {
			top = 1
		}
		bottom := 0
		if r1[c+1] > r1[c] {
			bottom = 1
		}
		down := 0
		if r1[c+bottom] > r0[c+top] {
			down = 1
		}
		best := c + top + down*(w+bottom-top)
		v := x[best]
		pos := uint32(1)
		if v <= 0 {
			pos = 0
		}
		// m is all ones where the maximum is kept, else zero.
		m := -pos | keep
		y[ox] = math.Float32frombits(math.Float32bits(v) & m)
		am[ox] = int32(idx0+best) | ^int32(m)
	}
}
