//go:build !purego

#include "textflag.h"

// LOG8 turns 8 float64 mantissas M in [1, 2) and exponents E (as float64)
// into E*ln2 + 2t*p(t*t) in E, as log32 does: m > sqrt2 halves m and adds
// one to e; f = m-1, t = f/(2+f), z = t*t, p = Horner's rule over the
// coefficients in Z18-Z25, each product rounded before its sum. It
// clobbers M, T, Z and P and K3.
#define LOG8(M, E, T, Z, P) \
	VCMPPD  $0x1e, Z30, M, K3; \
	VMULPD  Z29, M, K3, M; \
	VADDPD  Z28, E, K3, E; \
	VSUBPD  Z28, M, M; \
	VADDPD  Z27, M, T; \
	VDIVPD  T, M, T; \
	VMULPD  T, T, Z; \
	VMOVAPD Z18, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z19, P, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z20, P, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z21, P, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z22, P, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z23, P, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z24, P, P; \
	VMULPD  Z, P, P; \
	VADDPD  Z25, P, P; \
	VMULPD  Z26, E, E; \
	VADDPD  T, T, T; \
	VMULPD  P, T, T; \
	VADDPD  T, E, E

// func logRatiosAVX512(logs, alpha, aGo *float32, n int, coef *[8]float64) bool
//
// logRatiosBulk's kernel, 16 elements at a time: q = max32(alpha, eps) /
// max32(a_go, eps) in float32 (VMAXPS with eps first returns eps exactly
// when eps > x, as max32), then log32's fast path in float64 on each half.
TEXT ·logRatiosAVX512(SB), NOSPLIT, $0-41
	MOVQ logs+0(FP), DI
	MOVQ alpha+8(FP), SI
	MOVQ aGo+16(FP), R10
	MOVQ n+24(FP), DX
	MOVQ coef+32(FP), R11
	VBROADCASTSD 0(R11), Z18
	VBROADCASTSD 8(R11), Z19
	VBROADCASTSD 16(R11), Z20
	VBROADCASTSD 24(R11), Z21
	VBROADCASTSD 32(R11), Z22
	VBROADCASTSD 40(R11), Z23
	VBROADCASTSD 48(R11), Z24
	VBROADCASTSD 56(R11), Z25
	MOVQ $0x3ff6a09e667f3bcd, AX // math.Sqrt2
	VPBROADCASTQ AX, Z30
	MOVQ $0x3fe0000000000000, AX // 0.5
	VPBROADCASTQ AX, Z29
	MOVQ $0x3ff0000000000000, AX // 1
	VPBROADCASTQ AX, Z28
	MOVQ $0x4000000000000000, AX // 2
	VPBROADCASTQ AX, Z27
	MOVQ $0x3fe62e42fefa39ef, AX // math.Ln2
	VPBROADCASTQ AX, Z26
	MOVL $0x322bcc77, AX // npEps, 1e-8 as float32
	VPBROADCASTD AX, Z31
	MOVL $0x007fffff, AX // the mantissa's bits
	VPBROADCASTD AX, Z17
	MOVL $0x3f800000, AX // the exponent of [1, 2)
	VPBROADCASTD AX, Z16
	MOVL $127, AX
	VPBROADCASTD AX, Z15
	MOVL $0xff, AX
	VPBROADCASTD AX, Z14
	XORQ CX, CX

logRatiosLoop:
	VMOVUPS (SI)(CX*4), Z0
	VMOVUPS (R10)(CX*4), Z1
	VMAXPS  Z0, Z31, Z0
	VMAXPS  Z1, Z31, Z1
	VDIVPS  Z1, Z0, Z2 // q
	// b>>23 (sign and exponent) must be neither 0 nor >= 0xff
	VPSRLD    $23, Z2, Z3
	VPTESTNMD Z3, Z3, K1
	VPCMPUD   $5, Z14, Z3, K2
	KORTESTW  K1, K2
	JNE       logRatiosSpecial
	VPSUBD    Z15, Z3, Z4 // e
	VPANDD    Z17, Z2, Z5
	VPORD     Z16, Z5, Z5 // m as float32
	VCVTPS2PD     Y5, Z6
	VCVTDQ2PD     Y4, Z7
	VEXTRACTF64X4 $1, Z5, Y8
	VCVTPS2PD     Y8, Z8
	VEXTRACTI64X4 $1, Z4, Y9
	VCVTDQ2PD     Y9, Z9
	LOG8(Z6, Z7, Z10, Z11, Z12)
	LOG8(Z8, Z9, Z10, Z11, Z12)
	VCVTPD2PS     Z7, Y7
	VCVTPD2PS     Z9, Y9
	VINSERTF64X4  $1, Y9, Z7, Z7
	VMOVUPS       Z7, (DI)(CX*4)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  logRatiosLoop

	MOVB $1, ret+40(FP)
	VZEROUPPER
	RET

logRatiosSpecial:
	MOVB $0, ret+40(FP)
	VZEROUPPER
	RET
