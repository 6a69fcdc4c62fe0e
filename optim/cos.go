package optim

import "math"

// cos64 returns cos x as math.Cos computes it on amd64 at the default
// GOAMD64=v1 (Cephes' method: reduction by pi/4 in three parts, then a
// degree 6 polynomial in z^2), for |x| < 2^29. math.Cos is Go code, which
// arm64 and GOAMD64=v3 compile with fused multiply-adds, so it gives other
// bits there; here every product is converted before it is added, so every
// platform gets the same (docs/performance.md, "Numerics"). Larger x, Inf
// and NaN go to math.Cos.
func cos64(x float64) float64 {
	const (
		pi4A = 7.85398125648498535156e-1 // pi/4 in three parts
		pi4B = 3.77489470793079817668e-8
		pi4C = 2.69515142907905952645e-15
	)
	x = math.Abs(x)
	if !(x < 1<<29) {
		return math.Cos(x)
	}
	j := uint64(x * (4 / math.Pi)) // the octant
	y := float64(j)
	if j&1 == 1 { // map zeros to the origin
		j++
		y++
	}
	j &= 7
	z := ((x - float64(y*pi4A)) - float64(y*pi4B)) - float64(y*pi4C)
	sign := j > 3
	if j > 3 {
		j -= 4
	}
	if j > 1 {
		sign = !sign
	}
	zz := float64(z * z)
	if j == 1 || j == 2 {
		y = z + float64(float64(z*zz)*horner(zz,
			1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
			-1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1))
	} else {
		y = 1.0 - float64(0.5*zz) + float64(float64(zz*zz)*horner(zz,
			-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
			2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2))
	}
	if sign {
		y = -y
	}
	return y
}

// horner returns ((c0*x + c1)*x + c2)*x + ... with each product rounded
// before its add.
func horner(x float64, c ...float64) float64 {
	h := c[0]
	for _, ci := range c[1:] {
		h = float64(h*x) + ci
	}
	return h
}
