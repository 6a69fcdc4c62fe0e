//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "kernels_amd64.h"
#include "moments_amd64.h"

// ABSMASK sets every float32 of Z to the mask that clears the sign bit.
#define ABSMASK(Z) MOVL $0x7fffffff, AX; VPBROADCASTD AX, Z

// WIDEN converts the 16 float32 of X (ymm XY) to float64: the low 8 (lanes
// 0-7) into LO, the high 8 (lanes 8-15) into HI (ymm HIY).
#define WIDEN(X, XY, LO, HI, HIY) VCVTPS2PD XY, LO; VEXTRACTF64X4 $1, X, HIY; VCVTPS2PD HIY, HI

// QUO sets OUT (ymm OUTY) to quo(X, R) of the 16 float32 of X (ymm XY):
// float32(float64(x)*r) with R the broadcast float64 r; T (ymm TY) is
// clobbered. OUT must differ from X.
#define QUO(X, XY, R, OUT, OUTY, T, TY) \
	WIDEN(X, XY, OUT, T, TY); \
	VMULPD R, OUT, OUT; \
	VMULPD R, T, T; \
	VCVTPD2PS OUT, OUTY; \
	VCVTPD2PS T, TY; \
	VINSERTF64X4 $1, TY, OUT, OUT

// HREDUCE reduces the 16 float32 of Z (ymm Y, xmm X) with OP (VMINPS or
// VMAXPS) into X's lowest float32; X0 is clobbered.
#define HREDUCE(OP, Z, Y, X) \
	VEXTRACTF64X4 $1, Z, Y0; \
	OP Y0, Y, Y; \
	VEXTRACTF128 $1, Y, X0; \
	OP X0, X, X; \
	VPERMILPS $0x4e, X, X0; \
	OP X0, X, X; \
	VPERMILPS $0xb1, X, X0; \
	OP X0, X, X

// The statistics of the alpha kernels (statsRawGo) live in registers: the
// lanes of sumD in Z18 (lanes 0-7) and Z17 (8-15), of sumD2 in Z16 and Z15,
// of rawSq in Z14 and Z13, the running min in Z12 and max in Z11, the
// counts near the clamp ends in R8 and R9; shift is broadcast in Z21,
// nearLo in Z20 and nearHi in Z19. R12 holds the *statLanes.

// STATS_LOAD loads the statistics from *R12 and the scalars from the frame
// offsets SHIFT, NEARLO and NEARHI.
#define STATS_LOAD(SHIFT, NEARLO, NEARHI) \
	VMOVUPD statLanes_sumD(R12), Z18; \
	VMOVUPD statLanes_sumD+64(R12), Z17; \
	VMOVUPD statLanes_sumD2(R12), Z16; \
	VMOVUPD statLanes_sumD2+64(R12), Z15; \
	VMOVUPD statLanes_rawSq(R12), Z14; \
	VMOVUPD statLanes_rawSq+64(R12), Z13; \
	VBROADCASTSS statLanes_min(R12), Z12; \
	VBROADCASTSS statLanes_max(R12), Z11; \
	MOVQ statLanes_nearLo(R12), R8; \
	MOVQ statLanes_nearHi(R12), R9; \
	VBROADCASTSD SHIFT, Z21; \
	VBROADCASTSS NEARLO, Z20; \
	VBROADCASTSS NEARHI, Z19

// STATS stores the raw update alpha*g of the 16 alphas in Z5 and the
// gradients in Z0 at (DI)(CX*4) and adds alpha's statistics; it clobbers
// Z6-Z8, K1, K2, AX and BX.
#define STATS \
	VMULPS Z5, Z0, Z6; \
	VMOVUPS Z6, (DI)(CX*4); \
	VMINPS Z5, Z12, Z12; \
	VMAXPS Z5, Z11, Z11; \
	VCMPPS $2, Z20, Z5, K1; \
	VCMPPS $2, Z5, Z19, K2; \
	KMOVW K1, AX; \
	POPCNTL AX, AX; \
	ADDQ AX, R8; \
	KMOVW K2, BX; \
	POPCNTL BX, BX; \
	ADDQ BX, R9; \
	WIDEN(Z5, Y5, Z7, Z8, Y8); \
	VSUBPD Z21, Z7, Z7; \
	VSUBPD Z21, Z8, Z8; \
	VADDPD Z7, Z18, Z18; \
	VADDPD Z8, Z17, Z17; \
	VMULPD Z7, Z7, Z7; \
	VMULPD Z8, Z8, Z8; \
	VADDPD Z7, Z16, Z16; \
	VADDPD Z8, Z15, Z15; \
	WIDEN(Z6, Y6, Z7, Z8, Y8); \
	VMULPD Z7, Z7, Z7; \
	VMULPD Z8, Z8, Z8; \
	VADDPD Z7, Z14, Z14; \
	VADDPD Z8, Z13, Z13

// STATS_STORE stores the statistics to *R12.
#define STATS_STORE \
	VMOVUPD Z18, statLanes_sumD(R12); \
	VMOVUPD Z17, statLanes_sumD+64(R12); \
	VMOVUPD Z16, statLanes_sumD2(R12); \
	VMOVUPD Z15, statLanes_sumD2+64(R12); \
	VMOVUPD Z14, statLanes_rawSq(R12); \
	VMOVUPD Z13, statLanes_rawSq+64(R12); \
	HREDUCE(VMINPS, Z12, Y12, X12); \
	VMOVSS X12, statLanes_min(R12); \
	HREDUCE(VMAXPS, Z11, Y11, X11); \
	VMOVSS X11, statLanes_max(R12); \
	MOVQ R8, statLanes_nearLo(R12); \
	MOVQ R9, statLanes_nearHi(R12)

// TRACE_CONSTS broadcasts the trace decay and rate constants into Z25-Z30.
#define TRACE_CONSTS \
	VBROADCASTSS traceDecay<>(SB), Z30; \
	VBROADCASTSS traceRate<>(SB), Z29; \
	VBROADCASTSS memDecay<>(SB), Z28; \
	VBROADCASTSS memRate<>(SB), Z27; \
	VBROADCASTSS sqDecay<>(SB), Z26; \
	VBROADCASTSS sqRate<>(SB), Z25

// TRACE_STEP updates 16 elements of the traces at index CX from g at SI:
// A <- 0.95*A + 0.05*|g| (R10), m <- 0.9*m + 0.1*g (R11) and
// v <- 0.99*v + (0.01*g)*g (R12). It leaves g in Z0, |g| in Z1, the new m
// in Z4 and the new v in Z6.
#define TRACE_STEP \
	VMOVUPS (SI)(CX*4), Z0; \
	VPANDD  Z31, Z0, Z1; \
	VMOVUPS (R10)(CX*4), Z2; \
	VMULPS  Z30, Z2, Z2; \
	VMULPS  Z29, Z1, Z3; \
	VADDPS  Z3, Z2, Z2; \
	VMOVUPS Z2, (R10)(CX*4); \
	MOMENTS(R11, R12, Z28, Z27, Z26, Z25, Z4, Z6, Z5, Z7)

// func tracesAVX512(grad, a, m, v *float32, n int, s *traceLanes)
TEXT ·tracesAVX512(SB), NOSPLIT, $0-48
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ m+16(FP), R11
	MOVQ v+24(FP), R12
	MOVQ n+32(FP), DX
	MOVQ s+40(FP), R8
	ABSMASK(Z31)
	TRACE_CONSTS
	VMOVUPD traceLanes_abs(R8), Z16
	VMOVUPD traceLanes_abs+64(R8), Z17
	VMOVUPD traceLanes_gradSq(R8), Z18
	VMOVUPD traceLanes_gradSq+64(R8), Z19
	XORQ CX, CX

tracesLoop:
	TRACE_STEP

	// Sums of |g| and g*g.
	WIDEN(Z1, Y1, Z8, Z9, Y9)
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	WIDEN(Z0, Y0, Z8, Z9, Y9)
	VMULPD Z8, Z8, Z8
	VMULPD Z9, Z9, Z9
	VADDPD Z8, Z18, Z18
	VADDPD Z9, Z19, Z19

	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tracesLoop

	VMOVUPD Z16, traceLanes_abs(R8)
	VMOVUPD Z17, traceLanes_abs+64(R8)
	VMOVUPD Z18, traceLanes_gradSq(R8)
	VMOVUPD Z19, traceLanes_gradSq+64(R8)
	VZEROUPPER
	RET

// func tracesFullAVX512(grad, a, m, v, r *float32, n int, s *traceLanes)
TEXT ·tracesFullAVX512(SB), NOSPLIT, $0-56
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ m+16(FP), R11
	MOVQ v+24(FP), R12
	MOVQ r+32(FP), R13
	MOVQ n+40(FP), DX
	MOVQ s+48(FP), R8
	ABSMASK(Z31)
	TRACE_CONSTS
	VBROADCASTSS npEps<>(SB), Z24
	VMOVUPD traceLanes_abs(R8), Z16
	VMOVUPD traceLanes_abs+64(R8), Z17
	VMOVUPD traceLanes_gradSq(R8), Z18
	VMOVUPD traceLanes_gradSq+64(R8), Z19
	VMOVUPD traceLanes_a(R8), Z20
	VMOVUPD traceLanes_a+64(R8), Z21
	VMOVUPD traceLanes_r(R8), Z22
	VMOVUPD traceLanes_r+64(R8), Z23
	XORQ CX, CX

tracesFullLoop:
	TRACE_STEP

	// r = |m| / (sqrt(v) + 1e-8)
	VSQRTPS Z6, Z10
	VADDPS  Z24, Z10, Z10
	VPANDD  Z31, Z4, Z11
	VDIVPS  Z10, Z11, Z11
	VMOVUPS Z11, (R13)(CX*4)

	// Sums of |g|, g*g, A and r.
	WIDEN(Z1, Y1, Z8, Z9, Y9)
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	WIDEN(Z0, Y0, Z8, Z9, Y9)
	VMULPD Z8, Z8, Z8
	VMULPD Z9, Z9, Z9
	VADDPD Z8, Z18, Z18
	VADDPD Z9, Z19, Z19
	WIDEN(Z2, Y2, Z8, Z9, Y9)
	VADDPD Z8, Z20, Z20
	VADDPD Z9, Z21, Z21
	WIDEN(Z11, Y11, Z8, Z9, Y9)
	VADDPD Z8, Z22, Z22
	VADDPD Z9, Z23, Z23

	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tracesFullLoop

	VMOVUPD Z16, traceLanes_abs(R8)
	VMOVUPD Z17, traceLanes_abs+64(R8)
	VMOVUPD Z18, traceLanes_gradSq(R8)
	VMOVUPD Z19, traceLanes_gradSq+64(R8)
	VMOVUPD Z20, traceLanes_a(R8)
	VMOVUPD Z21, traceLanes_a+64(R8)
	VMOVUPD Z22, traceLanes_r(R8)
	VMOVUPD Z23, traceLanes_r+64(R8)
	VZEROUPPER
	RET

// The alpha kernels keep |g|'s sign mask in Z31, rG, rA and rR (float64)
// in Z30, Z29 and Z28, the clamp bounds lo and hi (as bits) in Z27 and Z26,
// the weights wa, wg and wm in Z25, Z24 and Z23 and k in Z22; g is read at
// (SI), A at (R10) and r (in u) at (DI), at index CX.

// ALPHA_PARAMS loads those registers from the *alphaParams in R13.
#define ALPHA_PARAMS \
	ABSMASK(Z31); \
	VBROADCASTSD alphaParams_rG(R13), Z30; \
	VBROADCASTSD alphaParams_rA(R13), Z29; \
	VBROADCASTSD alphaParams_rR(R13), Z28; \
	VPBROADCASTD alphaParams_lo(R13), Z27; \
	VPBROADCASTD alphaParams_hi(R13), Z26; \
	VBROADCASTSS alphaParams_wa(R13), Z25; \
	VBROADCASTSS alphaParams_wg(R13), Z24; \
	VBROADCASTSS alphaParams_wm(R13), Z23; \
	VBROADCASTSS alphaParams_k(R13), Z22

// A_GO leaves g in Z0, G = n(|g|) in Z2 and a_go = clamp(G) in Z5; it
// clobbers Z1 and Z3.
#define A_GO \
	VMOVUPS (SI)(CX*4), Z0; \
	VPANDD  Z31, Z0, Z1; \
	QUO(Z1, Y1, Z30, Z2, Y2, Z3, Y3); \
	VPMAXSD Z27, Z2, Z5; \
	VPMINSD Z26, Z5, Z5

// A_FULL turns a_go in Z5 into alpha = a_go + k*(a_full - a_go), with
// a_full = clamp((wa*n(A) + wg*G) + wm*n(r)) and G in Z2; it clobbers Z3
// and Z6-Z9.
#define A_FULL \
	VMOVUPS (R10)(CX*4), Z6; \
	QUO(Z6, Y6, Z29, Z7, Y7, Z3, Y3); \
	VMOVUPS (DI)(CX*4), Z6; \
	QUO(Z6, Y6, Z28, Z8, Y8, Z3, Y3); \
	VMULPS  Z25, Z7, Z7; \
	VMULPS  Z24, Z2, Z9; \
	VADDPS  Z9, Z7, Z7; \
	VMULPS  Z23, Z8, Z8; \
	VADDPS  Z8, Z7, Z7; \
	VPMAXSD Z27, Z7, Z7; \
	VPMINSD Z26, Z7, Z7; \
	VSUBPS  Z5, Z7, Z7; \
	VMULPS  Z22, Z7, Z7; \
	VADDPS  Z7, Z5, Z5

// func alphaGradOnlyAVX512(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaGradOnlyAVX512(SB), NOSPLIT, $0-56
	MOVQ grad+0(FP), SI
	MOVQ u+8(FP), DI
	MOVQ n+16(FP), DX
	MOVQ ap+24(FP), R13
	MOVQ s+48(FP), R12
	ABSMASK(Z31)
	VBROADCASTSD alphaParams_rG(R13), Z30
	VPBROADCASTD alphaParams_lo(R13), Z27
	VPBROADCASTD alphaParams_hi(R13), Z26
	STATS_LOAD(shift+32(FP), nearLo+40(FP), nearHi+44(FP))
	XORQ CX, CX

alphaGradOnlyLoop:
	A_GO
	STATS
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  alphaGradOnlyLoop

	STATS_STORE
	VZEROUPPER
	RET

// func alphaFullAVX512(grad, a, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaFullAVX512(SB), NOSPLIT, $0-64
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ u+16(FP), DI
	MOVQ n+24(FP), DX
	MOVQ ap+32(FP), R13
	MOVQ s+56(FP), R12
	ALPHA_PARAMS
	STATS_LOAD(shift+40(FP), nearLo+48(FP), nearHi+52(FP))
	XORQ CX, CX

alphaFullLoop:
	A_GO
	A_FULL
	STATS
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  alphaFullLoop

	STATS_STORE
	VZEROUPPER
	RET

// func coupleDecayAVX512(u, w *float32, n int, wd float32, s *laneSums)
TEXT ·coupleDecayAVX512(SB), NOSPLIT, $0-40
	MOVQ u+0(FP), DI
	MOVQ w+8(FP), R10
	MOVQ n+16(FP), DX
	VBROADCASTSS wd+24(FP), Z30
	MOVQ s+32(FP), R8
	VMOVUPD (R8), Z16
	VMOVUPD 64(R8), Z17
	XORQ CX, CX

coupleDecayLoop:
	// u <- u + wd*w
	VMOVUPS (R10)(CX*4), Z1
	VMULPS  Z30, Z1, Z1
	VMOVUPS (DI)(CX*4), Z0
	VADDPS  Z1, Z0, Z0
	VMOVUPS Z0, (DI)(CX*4)
	WIDEN(Z0, Y0, Z8, Z9, Y9)
	VMULPD Z8, Z8, Z8
	VMULPD Z9, Z9, Z9
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  coupleDecayLoop

	VMOVUPD Z16, (R8)
	VMOVUPD Z17, 64(R8)
	VZEROUPPER
	RET

// func decayParamsAVX512(w *float32, n int, lrwd float32)
TEXT ·decayParamsAVX512(SB), NOSPLIT, $0-20
	MOVQ w+0(FP), DI
	MOVQ n+8(FP), DX
	VBROADCASTSS lrwd+16(FP), Z30
	XORQ CX, CX

decayParamsLoop:
	// w <- w - lrwd*w
	VMOVUPS (DI)(CX*4), Z0
	VMULPS  Z30, Z0, Z1
	VSUBPS  Z1, Z0, Z0
	VMOVUPS Z0, (DI)(CX*4)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  decayParamsLoop

	VZEROUPPER
	RET

// func applyUpdateAVX512(w, u *float32, n int, sc, gain, lr float32, s *laneSums)
TEXT ·applyUpdateAVX512(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ n+16(FP), DX
	VBROADCASTSS sc+24(FP), Z30
	VBROADCASTSS gain+28(FP), Z29
	VBROADCASTSS lr+32(FP), Z28
	MOVQ s+40(FP), R8
	VMOVUPD (R8), Z16
	VMOVUPD 64(R8), Z17
	XORQ CX, CX

applyUpdateLoop:
	// e = (u*sc)*gain; w <- w - lr*e
	VMOVUPS (SI)(CX*4), Z0
	VMULPS  Z30, Z0, Z0
	VMULPS  Z29, Z0, Z0
	WIDEN(Z0, Y0, Z8, Z9, Y9)
	VMULPD  Z8, Z8, Z8
	VMULPD  Z9, Z9, Z9
	VADDPD  Z8, Z16, Z16
	VADDPD  Z9, Z17, Z17
	VMULPS  Z28, Z0, Z1
	VMOVUPS (DI)(CX*4), Z2
	VSUBPS  Z1, Z2, Z2
	VMOVUPS Z2, (DI)(CX*4)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  applyUpdateLoop

	VMOVUPD Z16, (R8)
	VMOVUPD Z17, 64(R8)
	VZEROUPPER
	RET

// func tensorSumsAVX512(grad *float32, n int, ap *alphaParams, s *tensorLanes)
TEXT ·tensorSumsAVX512(SB), NOSPLIT, $0-32
	MOVQ grad+0(FP), SI
	MOVQ n+8(FP), DX
	MOVQ ap+16(FP), R13
	MOVQ s+24(FP), R8
	ABSMASK(Z31)
	VBROADCASTSD alphaParams_rG(R13), Z30
	VMOVUPD tensorLanes_gs(R8), Z16
	VMOVUPD tensorLanes_gs+64(R8), Z17
	XORQ CX, CX

tensorSumsLoop:
	VMOVUPS (SI)(CX*4), Z0
	VPANDD  Z31, Z0, Z1
	QUO(Z1, Y1, Z30, Z2, Y2, Z3, Y3) // G = n(|g|)
	WIDEN(Z2, Y2, Z8, Z9, Y9)
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tensorSumsLoop

	VMOVUPD Z16, tensorLanes_gs(R8)
	VMOVUPD Z17, tensorLanes_gs+64(R8)
	VZEROUPPER
	RET

// func tensorSumsFullAVX512(grad, a, u *float32, n int, ap *alphaParams, s *tensorLanes)
TEXT ·tensorSumsFullAVX512(SB), NOSPLIT, $0-48
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ u+16(FP), DI
	MOVQ n+24(FP), DX
	MOVQ ap+32(FP), R13
	MOVQ s+40(FP), R8
	ABSMASK(Z31)
	VBROADCASTSD alphaParams_rG(R13), Z30
	VBROADCASTSD alphaParams_rA(R13), Z29
	VBROADCASTSD alphaParams_rR(R13), Z28
	VBROADCASTSS alphaParams_wa(R13), Z25
	VBROADCASTSS alphaParams_wg(R13), Z24
	VBROADCASTSS alphaParams_wm(R13), Z23
	VMOVUPD tensorLanes_gs(R8), Z16
	VMOVUPD tensorLanes_gs+64(R8), Z17
	VMOVUPD tensorLanes_mix(R8), Z18
	VMOVUPD tensorLanes_mix+64(R8), Z19
	XORQ CX, CX

tensorSumsFullLoop:
	VMOVUPS (SI)(CX*4), Z0
	VPANDD  Z31, Z0, Z1
	QUO(Z1, Y1, Z30, Z2, Y2, Z3, Y3) // G = n(|g|)
	VMOVUPS (R10)(CX*4), Z6
	QUO(Z6, Y6, Z29, Z7, Y7, Z3, Y3) // n(A)
	VMOVUPS (DI)(CX*4), Z6
	QUO(Z6, Y6, Z28, Z5, Y5, Z3, Y3) // n(r)

	// (wa*n(A) + wg*G) + wm*n(r)
	VMULPS Z25, Z7, Z7
	VMULPS Z24, Z2, Z4
	VADDPS Z4, Z7, Z7
	VMULPS Z23, Z5, Z5
	VADDPS Z5, Z7, Z7

	WIDEN(Z2, Y2, Z8, Z9, Y9)
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	WIDEN(Z7, Y7, Z8, Z9, Y9)
	VADDPD Z8, Z18, Z18
	VADDPD Z9, Z19, Z19
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tensorSumsFullLoop

	VMOVUPD Z16, tensorLanes_gs(R8)
	VMOVUPD Z17, tensorLanes_gs+64(R8)
	VMOVUPD Z18, tensorLanes_mix(R8)
	VMOVUPD Z19, tensorLanes_mix+64(R8)
	VZEROUPPER
	RET

// func scaleAVX512(grad, u *float32, n int, alpha float32, s *laneSums)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-40
	MOVQ grad+0(FP), SI
	MOVQ u+8(FP), DI
	MOVQ n+16(FP), DX
	VBROADCASTSS alpha+24(FP), Z30
	MOVQ s+32(FP), R8
	VMOVUPD (R8), Z16
	VMOVUPD 64(R8), Z17
	XORQ CX, CX

scaleLoop:
	// u = alpha*g
	VMOVUPS (SI)(CX*4), Z0
	VMULPS  Z30, Z0, Z0
	VMOVUPS Z0, (DI)(CX*4)
	WIDEN(Z0, Y0, Z8, Z9, Y9)
	VMULPD Z8, Z8, Z8
	VMULPD Z9, Z9, Z9
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  scaleLoop

	VMOVUPD Z16, (R8)
	VMOVUPD Z17, 64(R8)
	VZEROUPPER
	RET

// func alphaElemsAVX512(grad, a, u, alpha, aGo *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, full bool, s *statLanes)
//
// alphaElemsStats's bulk: alphaFullAVX512 (full) or alphaGradOnlyAVX512
// that also stores every element's alpha and a_go.
TEXT ·alphaElemsAVX512(SB), NOSPLIT, $0-88
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ u+16(FP), DI
	MOVQ alpha+24(FP), R11
	MOVQ n+40(FP), DX
	MOVQ ap+48(FP), R13
	MOVQ s+80(FP), R12
	ALPHA_PARAMS
	MOVQ aGo+32(FP), R13
	STATS_LOAD(shift+56(FP), nearLo+64(FP), nearHi+68(FP))
	XORQ CX, CX
	CMPB full+72(FP), $0
	JEQ  alphaElemsGoLoop

alphaElemsFullLoop:
	A_GO
	VMOVUPS Z5, (R13)(CX*4)
	A_FULL
	VMOVUPS Z5, (R11)(CX*4)
	STATS
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  alphaElemsFullLoop
	JMP  alphaElemsDone

alphaElemsGoLoop:
	A_GO
	VMOVUPS Z5, (R13)(CX*4)
	VMOVUPS Z5, (R11)(CX*4)
	STATS
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  alphaElemsGoLoop

alphaElemsDone:
	STATS_STORE
	VZEROUPPER
	RET
