package optim

import "math"

// diagAcc accumulates NeuroPlastic's diagnostics over the steps and tensors
// of an epoch, in float64. Alpha's mean and population variance are merged
// tensor by tensor with Chan et al.'s parallel formula, so that no sum of
// squares cancels (a constant alpha gives a std of exactly 0).
type diagAcc struct {
	n                    float64 // alpha elements seen
	mean, m2             float64 // mean of alpha and sum of squared deviations from it
	min, max             float64 // extremes of alpha
	nearMin, nearMax     float64 // elements with alpha within 5% of the range from min/max_alpha
	gradSq, rawSq, effSq float64 // sums of g^2, (alpha*g)^2 and stabilised u^2
}

// tensorMoments returns the mean and the sum of squared deviations of n
// values whose differences d from shift sum to s, with the squares of d
// summing to s2. A shift close to the values keeps this accurate.
func tensorMoments(n int, shift, s, s2 float64) (mean, m2 float64) {
	fn := float64(n)
	return shift + s/fn, max(s2-s*s/fn, 0)
}

// merge adds the statistics of t (one tensor of one step) to d.
func (d *diagAcc) merge(t diagAcc) {
	if d.n == 0 {
		*d = t
		return
	}
	n := d.n + t.n
	delta := t.mean - d.mean
	d.mean += delta * t.n / n
	d.m2 += t.m2 + delta*delta*d.n*t.n/n
	d.n = n
	d.min, d.max = min(d.min, t.min), max(d.max, t.max)
	d.nearMin += t.nearMin
	d.nearMax += t.nearMax
	d.gradSq += t.gradSq
	d.rawSq += t.rawSq
	d.effSq += t.effSq
}

// result returns the Diagnostics of d; every value is zero when nothing
// was accumulated.
func (d *diagAcc) result() Diagnostics {
	if d.n == 0 {
		return Diagnostics{
			DiagAlphaMean: 0, DiagAlphaStd: 0, DiagAlphaMin: 0, DiagAlphaMax: 0,
			DiagFracNearMin: 0, DiagFracNearMax: 0,
			DiagGradNorm: 0, DiagRawUpdateNorm: 0, DiagEffectiveUpdateNorm: 0,
		}
	}
	return Diagnostics{
		DiagAlphaMean:           d.mean,
		DiagAlphaStd:            math.Sqrt(d.m2 / d.n),
		DiagAlphaMin:            d.min,
		DiagAlphaMax:            d.max,
		DiagFracNearMin:         d.nearMin / d.n,
		DiagFracNearMax:         d.nearMax / d.n,
		DiagGradNorm:            math.Sqrt(d.gradSq),
		DiagRawUpdateNorm:       math.Sqrt(d.rawSq),
		DiagEffectiveUpdateNorm: math.Sqrt(d.effSq),
	}
}

// encode appends d to a checkpoint.
func (d *diagAcc) encode(w *stateWriter) {
	for _, x := range d.values() {
		w.f64(*x)
	}
}

// decodeDiag reads an accumulator written by encode.
func decodeDiag(r *stateReader) diagAcc {
	var d diagAcc
	for _, x := range d.values() {
		*x = r.f64()
	}
	return d
}

// values lists d's fields in checkpoint order.
func (d *diagAcc) values() []*float64 {
	return []*float64{&d.n, &d.mean, &d.m2, &d.min, &d.max, &d.nearMin, &d.nearMax, &d.gradSq, &d.rawSq, &d.effSq}
}
