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
// gives the same bits. A k step computes its 16 sums in float64 and falls
// back to fma32 only when one of them could round twice (rarely).
func goKernel(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a, b = a[:4*kc], b[:4*kc]
	for p := 0; p < 4*kc; p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0, b1, b2, b3 := b[p], b[p+1], b[p+2], b[p+3]
		s00, s01, s02, s03 := fmaSum(a0, b0, c00), fmaSum(a0, b1, c01), fmaSum(a0, b2, c02), fmaSum(a0, b3, c03)
		s10, s11, s12, s13 := fmaSum(a1, b0, c10), fmaSum(a1, b1, c11), fmaSum(a1, b2, c12), fmaSum(a1, b3, c13)
		s20, s21, s22, s23 := fmaSum(a2, b0, c20), fmaSum(a2, b1, c21), fmaSum(a2, b2, c22), fmaSum(a2, b3, c23)
		s30, s31, s32, s33 := fmaSum(a3, b0, c30), fmaSum(a3, b1, c31), fmaSum(a3, b2, c32), fmaSum(a3, b3, c33)
		if roundsTwice(s00)|roundsTwice(s01)|roundsTwice(s02)|roundsTwice(s03)|
			roundsTwice(s10)|roundsTwice(s11)|roundsTwice(s12)|roundsTwice(s13)|
			roundsTwice(s20)|roundsTwice(s21)|roundsTwice(s22)|roundsTwice(s23)|
			roundsTwice(s30)|roundsTwice(s31)|roundsTwice(s32)|roundsTwice(s33) != 0 {
			c00, c01, c02, c03 = fma32(a0, b0, c00), fma32(a0, b1, c01), fma32(a0, b2, c02), fma32(a0, b3, c03)
			c10, c11, c12, c13 = fma32(a1, b0, c10), fma32(a1, b1, c11), fma32(a1, b2, c12), fma32(a1, b3, c13)
			c20, c21, c22, c23 = fma32(a2, b0, c20), fma32(a2, b1, c21), fma32(a2, b2, c22), fma32(a2, b3, c23)
			c30, c31, c32, c33 = fma32(a3, b0, c30), fma32(a3, b1, c31), fma32(a3, b2, c32), fma32(a3, b3, c33)
			continue
		}
		c00, c01, c02, c03 = float32(s00), float32(s01), float32(s02), float32(s03)
		c10, c11, c12, c13 = float32(s10), float32(s11), float32(s12), float32(s13)
		c20, c21, c22, c23 = float32(s20), float32(s21), float32(s22), float32(s23)
		c30, c31, c32, c33 = float32(s30), float32(s31), float32(s32), float32(s33)
	}
	storeRow(c[:4], alpha, beta, [4]float32{c00, c01, c02, c03})
	storeRow(c[ldc:ldc+4], alpha, beta, [4]float32{c10, c11, c12, c13})
	storeRow(c[2*ldc:2*ldc+4], alpha, beta, [4]float32{c20, c21, c22, c23})
	storeRow(c[3*ldc:3*ldc+4], alpha, beta, [4]float32{c30, c31, c32, c33})
}

// storeRow writes alpha*s + beta*c into the four elements of c as the
// assembly kernels do: alpha*s rounded, then beta*c added by a fused
// multiply-add; beta == 0 does not read c.
func storeRow(c []float32, alpha, beta float32, s [4]float32) {
	c = c[:4]
	for i, x := range s {
		if beta == 0 {
			c[i] = float32(alpha * x)
		} else {
			c[i] = fma32(beta, c[i], float32(alpha*x))
		}
	}
}
