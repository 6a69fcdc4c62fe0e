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
// terms in increasing k order; beta == 0 stores without reading C. The
// assembly kernels follow the same contract for their tile sizes.
func goKernel(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a, b = a[:4*kc], b[:4*kc]
	for p := 0; p < 4*kc; p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0, b1, b2, b3 := b[p], b[p+1], b[p+2], b[p+3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow(c[:4], alpha, beta, c00, c01, c02, c03)
	storeRow(c[ldc:ldc+4], alpha, beta, c10, c11, c12, c13)
	storeRow(c[2*ldc:2*ldc+4], alpha, beta, c20, c21, c22, c23)
	storeRow(c[3*ldc:3*ldc+4], alpha, beta, c30, c31, c32, c33)
}

// storeRow writes alpha*s + beta*c into the four elements of c, not reading
// c when beta is zero.
func storeRow(c []float32, alpha, beta float32, s0, s1, s2, s3 float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}
