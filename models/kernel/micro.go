package kernel

// variant is one micro-kernel family together with the tile and cache-block
// sizes its GEMM driver uses.
type variant struct {
	// name is what Engine.Variant reports.
	name string
	// mr x nr is the register tile of the micro-kernel: packed A strips are
	// mr rows tall and packed B strips nr columns wide.
	mr, nr int
	// kc is the depth of one packed block; nc (a multiple of nr) is the width
	// of a packed B panel; mc (a multiple of mr) is the height of a packed A
	// block when A is too large to be packed once per call.
	kc, nc, mc int
	// kernel computes one full mr x nr tile, see goKernel.
	kernel func(kc int, a, b, c []float32, ldc int, alpha, beta float32)
}

// goVariant is the portable fallback, used where no assembly kernel applies.
var goVariant = variant{name: "go", mr: 4, nr: 4, kc: 256, nc: 512, mc: 512, kernel: goKernel}

// goKernel computes the 4 x 4 tile C = alpha*A*B + beta*C, where a holds kc
// steps of 4 values of a packed A strip and b kc steps of 4 values of a packed
// B strip, and C's rows start ldc elements apart. Every element sums its k
// terms in increasing k order, each with one fused multiply-add (fma32,
// rounded once, as the assembly's FMA instructions); the sum is then scaled
// by alpha (rounded) and, unless beta == 0, beta*C is added with one more
// fused multiply-add; beta == 0 stores without reading C. The assembly
// kernels follow the same contract for their tile sizes, so every variant
// gives the same bits. A k step computes its 16 sums in float64 first and
// falls back to fma32 only when one of them could round twice (rarely).
func goKernel(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var acc, next [16]float32
	a, b = a[:4*kc], b[:4*kc]
	for p := 0; p < 4*kc; p += 4 {
		as, bs := a[p:p+4:p+4], b[p:p+4:p+4]
		twice := false
		for i, x := range as {
			row, out := acc[4*i:4*i+4], next[4*i:4*i+4]
			for j, y := range bs {
				s := fmaSum(x, y, row[j])
				twice = doubleRounds(s) || twice
				out[j] = float32(s)
			}
		}
		if twice {
			for t, z := range acc {
				next[t] = fma32(as[t/4], bs[t%4], z)
			}
		}
		acc = next
	}
	for i := range 4 {
		storeRow(c[i*ldc:i*ldc+4], alpha, beta, acc[4*i:4*i+4])
	}
}

// storeRow writes alpha*s + beta*c into the four elements of c as the
// assembly kernels do: alpha*s rounded, then beta*c added by a fused
// multiply-add; beta == 0 does not read c.
func storeRow(c []float32, alpha, beta float32, s []float32) {
	c, s = c[:4], s[:4]
	for i, x := range s {
		if beta == 0 {
			c[i] = float32(alpha * x)
		} else {
			c[i] = fma32(beta, c[i], float32(alpha*x))
		}
	}
}
