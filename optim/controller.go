package optim

import "math"

// controller is the LR controller of docs/algorithm.md: after every tensor's
// alpha is formed, it turns the tensors' signals into one learning-rate
// multiplier per tensor. Its buffers are allocated once, so a step
// allocates nothing.
type controller struct {
	mode             string  // lr_controller_mode, not ControllerOff
	alpha, low, high float64 // controller_alpha, controller_low, controller_high
	groups           []int   // controller group of each tensor
	sig, mult        []float64
	logs             []float32          // as long as the largest tensor: signal's logarithms
	gsum             [numGroups]float64 // per step: sum of the group's signals
	gcnt             [numGroups]int     // and their count
	applied          []float64          // per tensor: the signal its multiplier follows
	clamped          []int              // per tensor: -1 or 1 if the multiplier was clamped at low or high, else 0
}

// newController returns the controller of o over tensors with the given
// roles, the largest of largest elements, or nil when the controller is off.
func newController(o *VariantOptions, rs []tensorRole, largest int) *controller {
	if o.LRControllerMode == ControllerOff {
		return nil
	}
	c := &controller{
		mode: o.LRControllerMode, alpha: o.ControllerAlpha, low: o.ControllerLow, high: o.ControllerHigh,
		groups: make([]int, len(rs)), sig: make([]float64, len(rs)), mult: make([]float64, len(rs)),
		applied: make([]float64, len(rs)), clamped: make([]int, len(rs)),
		logs: make([]float32, largest),
	}
	for i, r := range rs {
		c.groups[i] = r.group
	}
	return c
}

// signal returns a tensor's controller signal, the mean over its elements
// of nan_to_num(log(max(alpha, eps)/max(a_go, eps))) with eps = 1e-8, in
// float32 per element and summed in float64; a non-finite mean is 0. Only
// the full rule calls it: with k = 0, alpha is a_go and the signal 0. The
// logarithms go through c.logs; kern's vector kernel computes them when
// every ratio is a normal positive float32 (log32's fast path).
func (c *controller) signal(alpha, aGo []float32, kern isa) float64 {
	aGo, logs := aGo[:len(alpha)], c.logs[:len(alpha)]
	done := logRatiosBulk(kern, logs, alpha, aGo)
	for j := done; j < len(alpha); j++ {
		logs[j] = log32(max32(alpha[j], npEps) / max32(aGo[j], npEps))
	}
	var s float64
	for _, l := range logs {
		s += float64(finiteOr0(l)) // nan_to_num maps NaN and +-Inf to 0
	}
	s /= float64(len(alpha))
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 0
	}
	return s
}

// logCoef are the coefficients of log32's series, 1/15 (the start) to 1
// (the last), as float64 constants; the vector kernel reads them too.
var logCoef = [8]float64{1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1}

// log32 returns the natural logarithm of x rounded to float32, the same
// bits on every platform: math.Log is assembly on amd64 and Go elsewhere,
// which may differ in the last bit of the float64, and costs several times
// more. For a normal positive x = 2^e * m with m in [sqrt(1/2), sqrt(2)),
// log x = e*ln 2 + 2*atanh(s), s = (m-1)/(m+1), |s| < 0.172, and the series
// 2s*(1 + s^2/3 + ... + s^14/15) is within 4e-14 relative of atanh, far
// below a float32 ulp. Every product is converted before it is added, so
// no multiply-add is fused. Other x (0, subnormal, Inf, NaN: a signal
// ratio never is, with a finite max_alpha of sensible size) go to math.Log.
func log32(x float32) float32 {
	b := math.Float32bits(x)
	if b>>23 == 0 || b>>23 >= 0xff {
		return float32(math.Log(float64(x)))
	}
	e := int(b>>23) - 127
	m := float64(math.Float32frombits(b&0x007fffff | 0x3f800000)) // in [1, 2)
	if m > math.Sqrt2 {
		m, e = m/2, e+1
	}
	f := m - 1
	t := f / (2 + f)
	z := float64(t * t)
	p := logCoef[0]
	for _, c := range logCoef[1:] {
		p = float64(p*z) + c
	}
	return float32(float64(float64(e)*math.Ln2) + float64(2*t*p))
}

// multiplier returns the learning-rate multiplier of signal s: 1 if s is
// not finite, else clamp(1 + controller_alpha*s, low, high), in float64;
// clamped is -1 or 1 when the clamp moved it up to low or down to high.
func (c *controller) multiplier(s float64) (mult float64, clamped int) {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 1, 0
	}
	switch m := 1 + float64(c.alpha*s); { // the conversion keeps the product from fusing with the add
	case m < c.low:
		return c.low, -1
	case m > c.high:
		return c.high, 1
	default:
		return m, 0
	}
}

// update sets every tensor's multiplier from the signals in c.sig. global:
// the unweighted mean of all signals; layerwise: the mean within each
// group; classifier_only: the classifier group as layerwise, every other
// tensor multiplier 1 with signal 0.
func (c *controller) update() {
	c.gsum, c.gcnt = [numGroups]float64{}, [numGroups]int{}
	var all float64
	for i, s := range c.sig {
		g := c.groups[i]
		c.gsum[g] += s
		c.gcnt[g]++
		all += s
	}
	global := all / float64(len(c.sig))
	for i := range c.sig {
		g := c.groups[i]
		var s float64
		switch c.mode {
		case ControllerGlobal:
			s = global
		case ControllerLayerwise:
			s = c.gsum[g] / float64(c.gcnt[g])
		default: // classifier_only
			if g != groupClassifier {
				c.applied[i], c.mult[i], c.clamped[i] = 0, 1, 0
				continue
			}
			s = c.gsum[g] / float64(c.gcnt[g])
		}
		c.applied[i] = s
		c.mult[i], c.clamped[i] = c.multiplier(s)
	}
}
