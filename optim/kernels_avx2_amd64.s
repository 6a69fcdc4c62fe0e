//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "kernels_amd64.h"

// The AVX2 kernels do what the AVX-512 kernels of kernels_amd64.s do, with
// ymm registers: 16 elements per iteration in two halves of 8, the first
// half adding into lanes 0-7 of each float64 sum (two ymm of 4 lanes), the
// second into lanes 8-15. Every instruction of an AVX-512 kernel becomes
// one per half (or per quarter, on float64) with the same operation and
// operand order, so the two compute the same bits. No FMA: each product is
// rounded before its sum, as in the AVX-512 kernels and the Go loops.
//
// There are 16 ymm registers against 32 zmm, so the constants are memory
// operands (the file's constants, or pass 2's scalars in the frame), and
// the kernels with more sums than registers take them in two loops over
// each block of up to `block` elements: the first computes the elements
// and some sums, the second reads back what the first stored (from L1) for
// the other sums. Each lane still adds its elements in increasing order.
// A sum kept in memory across iterations instead would cost a store per
// iteration and a store-to-load forwarding delay in its chain.

// BLOCK_END sets R to the end of the block that starts at index CX:
// min(CX + 512, DX).
#define BLOCK_END(R) LEAQ 512(CX), R; CMPQ R, DX; CMOVQGT DX, R

// LOAD4 loads the 16 float64 lanes at OFF(R) into A (lanes 0-3), B (4-7),
// C (8-11) and D (12-15).
#define LOAD4(OFF, R, A, B, C, D) \
	VMOVUPD OFF(R), A; \
	VMOVUPD OFF+32(R), B; \
	VMOVUPD OFF+64(R), C; \
	VMOVUPD OFF+96(R), D

// STORE4 stores the lanes in A, B, C and D to OFF(R), as LOAD4 loads them.
#define STORE4(A, B, C, D, OFF, R) \
	VMOVUPD A, OFF(R); \
	VMOVUPD B, OFF+32(R); \
	VMOVUPD C, OFF+64(R); \
	VMOVUPD D, OFF+96(R)

// WIDEN8 converts the 8 float32 of Y (xmm X) to float64: elements 0-3
// into LO, 4-7 into HI (xmm HIX). LO must differ from Y; HI may be Y.
#define WIDEN8(Y, X, LO, HI, HIX) VCVTPS2PD X, LO; VEXTRACTF128 $1, Y, HIX; VCVTPS2PD HIX, HI

// QUO8 sets OUT (xmm OUTX) to quo(Y, R) of the 8 float32 of Y (xmm X):
// float32(float64(y)*r) with R the broadcast float64 r, a memory operand;
// T (xmm TX) is clobbered and may be Y. OUT must differ from Y.
#define QUO8(Y, X, R, OUT, OUTX, T, TX) \
	WIDEN8(Y, X, OUT, T, TX); \
	VMULPD R, OUT, OUT; \
	VMULPD R, T, T; \
	VCVTPD2PSY OUT, OUTX; \
	VCVTPD2PSY T, TX; \
	VINSERTF128 $1, TX, OUT, OUT

// ACC8 adds the 8 float32 of Y (xmm X), converted to float64, into the
// lanes of LO (elements 0-3) and HI (4-7); T1 and T2 (xmm T2X) are
// clobbered.
#define ACC8(Y, X, LO, HI, T1, T2, T2X) \
	WIDEN8(Y, X, T1, T2, T2X); \
	VADDPD T1, LO, LO; \
	VADDPD T2, HI, HI

// SQACC8 adds the squares, in float64, of the 8 float32 of Y (xmm X) into
// the lanes of LO and HI as ACC8 adds them.
#define SQACC8(Y, X, LO, HI, T1, T2, T2X) \
	WIDEN8(Y, X, T1, T2, T2X); \
	VMULPD T1, T1, T1; \
	VMULPD T2, T2, T2; \
	VADDPD T1, LO, LO; \
	VADDPD T2, HI, HI

// HREDUCE8 reduces the 8 float32 of Y (xmm X) with OP (VMINPS or VMAXPS)
// into X's lowest float32; X0 is clobbered.
#define HREDUCE8(OP, Y, X) \
	VEXTRACTF128 $1, Y, X0; \
	OP X0, X, X; \
	VPERMILPS $0x4e, X, X0; \
	OP X0, X, X; \
	VPERMILPS $0xb1, X, X0; \
	OP X0, X, X

// TRACE8 updates the 8 elements of the traces at byte offset OFF from
// index CX, from g at SI: A <- 0.95*A + 0.05*|g| (R10), m <- 0.9*m +
// 0.1*g (R11) and v <- 0.99*v + (0.01*g)*g (R12). It leaves g in Y0, |g|
// in Y1, the new A in Y2, m in Y4 and v in Y6, and clobbers Y3, Y5 and Y7.
#define TRACE8(OFF) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VANDPS  absMask<>(SB), Y0, Y1; \
	VMOVUPS OFF(R10)(CX*4), Y2; \
	VMULPS  traceDecay<>(SB), Y2, Y2; \
	VMULPS  traceRate<>(SB), Y1, Y3; \
	VADDPS  Y3, Y2, Y2; \
	VMOVUPS Y2, OFF(R10)(CX*4); \
	VMOVUPS OFF(R11)(CX*4), Y4; \
	VMULPS  memDecay<>(SB), Y4, Y4; \
	VMULPS  memRate<>(SB), Y0, Y5; \
	VADDPS  Y5, Y4, Y4; \
	VMOVUPS Y4, OFF(R11)(CX*4); \
	VMOVUPS OFF(R12)(CX*4), Y6; \
	VMULPS  sqDecay<>(SB), Y6, Y6; \
	VMULPS  sqRate<>(SB), Y0, Y7; \
	VMULPS  Y0, Y7, Y7; \
	VADDPS  Y7, Y6, Y6; \
	VMOVUPS Y6, OFF(R12)(CX*4)

// GRADSUMS8 adds |g| (Y1) into the lanes of ABSLO and ABSHI and g*g (g in
// Y0) into SQLO and SQHI; it clobbers Y3 and Y5.
#define GRADSUMS8(ABSLO, ABSHI, SQLO, SQHI) \
	ACC8(Y1, X1, ABSLO, ABSHI, Y3, Y5, X5); \
	SQACC8(Y0, X0, SQLO, SQHI, Y3, Y5, X5)

// func tracesAVX2(grad, a, m, v *float32, n int, s *traceLanes)
TEXT ·tracesAVX2(SB), NOSPLIT, $0-48
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ m+16(FP), R11
	MOVQ v+24(FP), R12
	MOVQ n+32(FP), DX
	MOVQ s+40(FP), R8
	LOAD4(traceLanes_abs, R8, Y8, Y9, Y10, Y11)
	LOAD4(traceLanes_gradSq, R8, Y12, Y13, Y14, Y15)
	XORQ CX, CX

tracesLoop:
	TRACE8(0)
	GRADSUMS8(Y8, Y9, Y12, Y13)
	TRACE8(32)
	GRADSUMS8(Y10, Y11, Y14, Y15)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tracesLoop

	STORE4(Y8, Y9, Y10, Y11, traceLanes_abs, R8)
	STORE4(Y12, Y13, Y14, Y15, traceLanes_gradSq, R8)
	VZEROUPPER
	RET

// TRACEFULL8 is TRACE8 followed by r = |m| / (sqrt(v) + 1e-8), stored at
// OFF from index CX at R13, and the sums of |g| and g*g into the lanes of
// ABSLO, ABSHI, SQLO and SQHI.
#define TRACEFULL8(OFF, ABSLO, ABSHI, SQLO, SQHI) \
	TRACE8(OFF); \
	VSQRTPS Y6, Y3; \
	VADDPS  npEps<>(SB), Y3, Y3; \
	VANDPS  absMask<>(SB), Y4, Y7; \
	VDIVPS  Y3, Y7, Y7; \
	VMOVUPS Y7, OFF(R13)(CX*4); \
	GRADSUMS8(ABSLO, ABSHI, SQLO, SQHI)

// ASUMS8 adds the 8 new A (at R10) and r (at R13) at OFF from index BX
// into the lanes of ALO, AHI and RLO, RHI; it clobbers Y0-Y3.
#define ASUMS8(OFF, ALO, AHI, RLO, RHI) \
	VMOVUPS OFF(R10)(BX*4), Y0; \
	ACC8(Y0, X0, ALO, AHI, Y2, Y3, X3); \
	VMOVUPS OFF(R13)(BX*4), Y1; \
	ACC8(Y1, X1, RLO, RHI, Y2, Y3, X3)

// func tracesFullAVX2(grad, a, m, v, r *float32, n int, s *traceLanes)
TEXT ·tracesFullAVX2(SB), NOSPLIT, $0-56
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ m+16(FP), R11
	MOVQ v+24(FP), R12
	MOVQ r+32(FP), R13
	MOVQ n+40(FP), DX
	MOVQ s+48(FP), R8
	XORQ CX, CX

tracesFullBlock:
	BLOCK_END(AX)
	MOVQ CX, BX
	LOAD4(traceLanes_abs, R8, Y8, Y9, Y10, Y11)
	LOAD4(traceLanes_gradSq, R8, Y12, Y13, Y14, Y15)

tracesFullLoop:
	TRACEFULL8(0, Y8, Y9, Y12, Y13)
	TRACEFULL8(32, Y10, Y11, Y14, Y15)
	ADDQ $16, CX
	CMPQ CX, AX
	JLT  tracesFullLoop

	STORE4(Y8, Y9, Y10, Y11, traceLanes_abs, R8)
	STORE4(Y12, Y13, Y14, Y15, traceLanes_gradSq, R8)
	LOAD4(traceLanes_a, R8, Y8, Y9, Y10, Y11)
	LOAD4(traceLanes_r, R8, Y12, Y13, Y14, Y15)

tracesFullSums:
	ASUMS8(0, Y8, Y9, Y12, Y13)
	ASUMS8(32, Y10, Y11, Y14, Y15)
	ADDQ $16, BX
	CMPQ BX, AX
	JLT  tracesFullSums

	STORE4(Y8, Y9, Y10, Y11, traceLanes_a, R8)
	STORE4(Y12, Y13, Y14, Y15, traceLanes_r, R8)
	CMPQ CX, DX
	JLT  tracesFullBlock
	VZEROUPPER
	RET

// The kernels of pass 2 keep its scalars in their frame from R11, each
// broadcast to a ymm: the reciprocals of the standardisations, the clamp
// (as float32 bits), a_full's weights and k from *alphaParams, then
// alpha's shift and the thresholds of the near counts. R11 is the first
// multiple of 32 in the frame (which has 32 bytes to spare), so that no
// operand straddles two cache lines, which costs a second access.
#define F_RG 0(R11)
#define F_RA 32(R11)
#define F_RR 64(R11)
#define F_LO 96(R11)
#define F_HI 128(R11)
#define F_WA 160(R11)
#define F_WG 192(R11)
#define F_WM 224(R11)
#define F_K 256(R11)
#define F_SHIFT 288(R11)
#define F_NEARLO 320(R11)
#define F_NEARHI 352(R11)

// PARAMS sets R11 (see F_RG) and broadcasts the fields of *R13, an
// alphaParams, into the frame; it clobbers Y0.
#define PARAMS \
	MOVQ SP, R11; \
	ADDQ $31, R11; \
	ANDQ $~31, R11; \
	VBROADCASTSD alphaParams_rG(R13), Y0; \
	VMOVUPD Y0, F_RG; \
	VBROADCASTSD alphaParams_rA(R13), Y0; \
	VMOVUPD Y0, F_RA; \
	VBROADCASTSD alphaParams_rR(R13), Y0; \
	VMOVUPD Y0, F_RR; \
	VBROADCASTSS alphaParams_lo(R13), Y0; \
	VMOVUPS Y0, F_LO; \
	VBROADCASTSS alphaParams_hi(R13), Y0; \
	VMOVUPS Y0, F_HI; \
	VBROADCASTSS alphaParams_wa(R13), Y0; \
	VMOVUPS Y0, F_WA; \
	VBROADCASTSS alphaParams_wg(R13), Y0; \
	VMOVUPS Y0, F_WG; \
	VBROADCASTSS alphaParams_wm(R13), Y0; \
	VMOVUPS Y0, F_WM; \
	VBROADCASTSS alphaParams_k(R13), Y0; \
	VMOVUPS Y0, F_K

// The statistics of the alpha kernels (statsRawGo), for *R12, a
// statLanes: the lanes of sumD in Y6-Y9 (lanes 0-3, 4-7, 8-11, 12-15) and
// of sumD2 in Y10-Y13 in each block's first loop, of rawSq in Y6-Y9 in its
// second, the running min in Y14 and max in Y15, the counts near the clamp
// ends in R8 and R9. The min and max keep 8 lanes, where the AVX-512
// kernels keep 16: alpha is never NaN or -0 (it is blended from two
// values clampBits keeps in [min_alpha, max_alpha]), so the extremes do
// not depend on the order in which they are taken.

// STATS_LOAD loads sumD2, the extremes and the counts from *R12 and puts
// the scalars at the argument offsets SHIFT, NEARLO and NEARHI into the
// frame; it clobbers Y0.
#define STATS_LOAD(SHIFT, NEARLO, NEARHI) \
	LOAD4(statLanes_sumD2, R12, Y10, Y11, Y12, Y13); \
	VBROADCASTSS statLanes_min(R12), Y14; \
	VBROADCASTSS statLanes_max(R12), Y15; \
	MOVQ statLanes_nearLo(R12), R8; \
	MOVQ statLanes_nearHi(R12), R9; \
	VBROADCASTSD SHIFT, Y0; \
	VMOVUPD Y0, F_SHIFT; \
	VBROADCASTSS NEARLO, Y0; \
	VMOVUPS Y0, F_NEARLO; \
	VBROADCASTSS NEARHI, Y0; \
	VMOVUPS Y0, F_NEARHI

// STATS8 stores the raw update alpha*g of the 8 alphas in Y3 and the
// gradients in Y0 at OFF from index CX at DI and adds alpha's statistics
// but rawSq: d and d*d into the lanes of DLO, DHI and D2LO, D2HI. It
// clobbers Y1, Y2, Y4 and AX.
#define STATS8(OFF, DLO, DHI, D2LO, D2HI) \
	VMULPS  Y3, Y0, Y1; \
	VMOVUPS Y1, OFF(DI)(CX*4); \
	VMINPS  Y3, Y14, Y14; \
	VMAXPS  Y3, Y15, Y15; \
	VCMPPS  $2, F_NEARLO, Y3, Y2; \
	VMOVMSKPS Y2, AX; \
	POPCNTL AX, AX; \
	ADDQ    AX, R8; \
	VCMPPS  $13, F_NEARHI, Y3, Y2; \
	VMOVMSKPS Y2, AX; \
	POPCNTL AX, AX; \
	ADDQ    AX, R9; \
	WIDEN8(Y3, X3, Y2, Y4, X4); \
	VSUBPD  F_SHIFT, Y2, Y2; \
	VSUBPD  F_SHIFT, Y4, Y4; \
	VADDPD  Y2, DLO, DLO; \
	VADDPD  Y4, DHI, DHI; \
	VMULPD  Y2, Y2, Y2; \
	VMULPD  Y4, Y4, Y4; \
	VADDPD  Y2, D2LO, D2LO; \
	VADDPD  Y4, D2HI, D2HI

// RAWSQ8 adds the squares of the 8 raw updates at OFF from index BX at DI
// into the lanes of LO and HI; it clobbers Y1, Y2 and Y4.
#define RAWSQ8(OFF, LO, HI) \
	VMOVUPS OFF(DI)(BX*4), Y1; \
	SQACC8(Y1, X1, LO, HI, Y2, Y4, X4)

// STATS_STORE stores sumD2, the extremes and the counts to *R12; it
// clobbers X0.
#define STATS_STORE \
	STORE4(Y10, Y11, Y12, Y13, statLanes_sumD2, R12); \
	HREDUCE8(VMINPS, Y14, X14); \
	VMOVSS X14, statLanes_min(R12); \
	HREDUCE8(VMAXPS, Y15, X15); \
	VMOVSS X15, statLanes_max(R12); \
	MOVQ R8, statLanes_nearLo(R12); \
	MOVQ R9, statLanes_nearHi(R12)

// GRADONLY8 computes alpha = a_go = clamp(n(|g|)) of the 8 elements at OFF
// from index CX at SI into Y3, g in Y0, and then STATS8.
#define GRADONLY8(OFF, DLO, DHI, D2LO, D2HI) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VANDPS  absMask<>(SB), Y0, Y1; \
	QUO8(Y1, X1, F_RG, Y2, X2, Y1, X1); \
	VPMAXSD F_LO, Y2, Y3; \
	VPMINSD F_HI, Y3, Y3; \
	STATS8(OFF, DLO, DHI, D2LO, D2HI)

// func alphaGradOnlyAVX2(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaGradOnlyAVX2(SB), NOSPLIT, $416-56
	MOVQ grad+0(FP), SI
	MOVQ u+8(FP), DI
	MOVQ n+16(FP), DX
	MOVQ ap+24(FP), R13
	MOVQ s+48(FP), R12
	PARAMS
	STATS_LOAD(shift+32(FP), nearLo+40(FP), nearHi+44(FP))
	XORQ CX, CX

alphaGradOnlyBlock:
	BLOCK_END(R13)
	MOVQ CX, BX
	LOAD4(statLanes_sumD, R12, Y6, Y7, Y8, Y9)

alphaGradOnlyLoop:
	GRADONLY8(0, Y6, Y7, Y10, Y11)
	GRADONLY8(32, Y8, Y9, Y12, Y13)
	ADDQ $16, CX
	CMPQ CX, R13
	JLT  alphaGradOnlyLoop

	STORE4(Y6, Y7, Y8, Y9, statLanes_sumD, R12)
	LOAD4(statLanes_rawSq, R12, Y6, Y7, Y8, Y9)

alphaGradOnlySums:
	RAWSQ8(0, Y6, Y7)
	RAWSQ8(32, Y8, Y9)
	ADDQ $16, BX
	CMPQ BX, R13
	JLT  alphaGradOnlySums

	STORE4(Y6, Y7, Y8, Y9, statLanes_rawSq, R12)
	CMPQ CX, DX
	JLT  alphaGradOnlyBlock
	STATS_STORE
	VZEROUPPER
	RET

// FULL8 computes alpha = a_go + k*(a_full - a_go) of the full rule for the
// 8 elements at OFF from index CX (g at SI, A at R10, r at DI) into Y3, g
// in Y0, and then STATS8, which overwrites r by the raw update.
#define FULL8(OFF, DLO, DHI, D2LO, D2HI) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VANDPS  absMask<>(SB), Y0, Y1; \
	QUO8(Y1, X1, F_RG, Y2, X2, Y1, X1); \
	VPMAXSD F_LO, Y2, Y3; \
	VPMINSD F_HI, Y3, Y3; \
	VMOVUPS OFF(R10)(CX*4), Y1; \
	QUO8(Y1, X1, F_RA, Y4, X4, Y1, X1); \
	VMOVUPS OFF(DI)(CX*4), Y1; \
	QUO8(Y1, X1, F_RR, Y5, X5, Y1, X1); \
	VMULPS  F_WA, Y4, Y4; \
	VMULPS  F_WG, Y2, Y1; \
	VADDPS  Y1, Y4, Y4; \
	VMULPS  F_WM, Y5, Y5; \
	VADDPS  Y5, Y4, Y4; \
	VPMAXSD F_LO, Y4, Y4; \
	VPMINSD F_HI, Y4, Y4; \
	VSUBPS  Y3, Y4, Y4; \
	VMULPS  F_K, Y4, Y4; \
	VADDPS  Y4, Y3, Y3; \
	STATS8(OFF, DLO, DHI, D2LO, D2HI)

// func alphaFullAVX2(grad, a, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaFullAVX2(SB), NOSPLIT, $416-64
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ u+16(FP), DI
	MOVQ n+24(FP), DX
	MOVQ ap+32(FP), R13
	MOVQ s+56(FP), R12
	PARAMS
	STATS_LOAD(shift+40(FP), nearLo+48(FP), nearHi+52(FP))
	XORQ CX, CX

alphaFullBlock:
	BLOCK_END(R13)
	MOVQ CX, BX
	LOAD4(statLanes_sumD, R12, Y6, Y7, Y8, Y9)

alphaFullLoop:
	FULL8(0, Y6, Y7, Y10, Y11)
	FULL8(32, Y8, Y9, Y12, Y13)
	ADDQ $16, CX
	CMPQ CX, R13
	JLT  alphaFullLoop

	STORE4(Y6, Y7, Y8, Y9, statLanes_sumD, R12)
	LOAD4(statLanes_rawSq, R12, Y6, Y7, Y8, Y9)

alphaFullSums:
	RAWSQ8(0, Y6, Y7)
	RAWSQ8(32, Y8, Y9)
	ADDQ $16, BX
	CMPQ BX, R13
	JLT  alphaFullSums

	STORE4(Y6, Y7, Y8, Y9, statLanes_rawSq, R12)
	CMPQ CX, DX
	JLT  alphaFullBlock
	STATS_STORE
	VZEROUPPER
	RET

// TENSOR8 adds G = n(|g|) of the 8 elements at OFF from index CX at SI
// into the lanes of LO and HI, R the broadcast rG.
#define TENSOR8(OFF, R, LO, HI) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VANDPS  absMask<>(SB), Y0, Y1; \
	QUO8(Y1, X1, R, Y2, X2, Y1, X1); \
	ACC8(Y2, X2, LO, HI, Y3, Y4, X4)

// func tensorSumsAVX2(grad *float32, n int, ap *alphaParams, s *tensorLanes)
TEXT ·tensorSumsAVX2(SB), NOSPLIT, $0-32
	MOVQ grad+0(FP), SI
	MOVQ n+8(FP), DX
	MOVQ ap+16(FP), R13
	MOVQ s+24(FP), R8
	VBROADCASTSD alphaParams_rG(R13), Y15
	LOAD4(tensorLanes_gs, R8, Y8, Y9, Y10, Y11)
	XORQ CX, CX

tensorSumsLoop:
	TENSOR8(0, Y15, Y8, Y9)
	TENSOR8(32, Y15, Y10, Y11)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tensorSumsLoop

	STORE4(Y8, Y9, Y10, Y11, tensorLanes_gs, R8)
	VZEROUPPER
	RET

// TENSORFULL8 adds G = n(|g|) and the unclamped a_full = (wa*n(A) + wg*G)
// + wm*n(r) of the 8 elements at OFF from index CX (g at SI, A at R10, r at
// DI) into the lanes of GSLO, GSHI and MIXLO, MIXHI.
#define TENSORFULL8(OFF, GSLO, GSHI, MIXLO, MIXHI) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VANDPS  absMask<>(SB), Y0, Y1; \
	QUO8(Y1, X1, F_RG, Y2, X2, Y1, X1); \
	VMOVUPS OFF(R10)(CX*4), Y1; \
	QUO8(Y1, X1, F_RA, Y3, X3, Y1, X1); \
	VMOVUPS OFF(DI)(CX*4), Y1; \
	QUO8(Y1, X1, F_RR, Y5, X5, Y1, X1); \
	VMULPS  F_WA, Y3, Y3; \
	VMULPS  F_WG, Y2, Y4; \
	VADDPS  Y4, Y3, Y3; \
	VMULPS  F_WM, Y5, Y5; \
	VADDPS  Y5, Y3, Y3; \
	ACC8(Y2, X2, GSLO, GSHI, Y4, Y5, X5); \
	ACC8(Y3, X3, MIXLO, MIXHI, Y4, Y5, X5)

// func tensorSumsFullAVX2(grad, a, u *float32, n int, ap *alphaParams, s *tensorLanes)
TEXT ·tensorSumsFullAVX2(SB), NOSPLIT, $416-48
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ u+16(FP), DI
	MOVQ n+24(FP), DX
	MOVQ ap+32(FP), R13
	MOVQ s+40(FP), R8
	PARAMS
	LOAD4(tensorLanes_gs, R8, Y8, Y9, Y10, Y11)
	LOAD4(tensorLanes_mix, R8, Y12, Y13, Y14, Y15)
	XORQ CX, CX

tensorSumsFullLoop:
	TENSORFULL8(0, Y8, Y9, Y12, Y13)
	TENSORFULL8(32, Y10, Y11, Y14, Y15)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tensorSumsFullLoop

	STORE4(Y8, Y9, Y10, Y11, tensorLanes_gs, R8)
	STORE4(Y12, Y13, Y14, Y15, tensorLanes_mix, R8)
	VZEROUPPER
	RET

// SCALE8 stores u = alpha*g (alpha in Y15) of the 8 elements at OFF from
// index CX (g at SI, u at DI) and adds u*u into the lanes of LO and HI.
#define SCALE8(OFF, LO, HI) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VMULPS  Y15, Y0, Y0; \
	VMOVUPS Y0, OFF(DI)(CX*4); \
	SQACC8(Y0, X0, LO, HI, Y1, Y2, X2)

// func scaleAVX2(grad, u *float32, n int, alpha float32, s *laneSums)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-40
	MOVQ grad+0(FP), SI
	MOVQ u+8(FP), DI
	MOVQ n+16(FP), DX
	VBROADCASTSS alpha+24(FP), Y15
	MOVQ s+32(FP), R8
	LOAD4(0, R8, Y8, Y9, Y10, Y11)
	XORQ CX, CX

scaleLoop:
	SCALE8(0, Y8, Y9)
	SCALE8(32, Y10, Y11)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  scaleLoop

	STORE4(Y8, Y9, Y10, Y11, 0, R8)
	VZEROUPPER
	RET

// COUPLE8 sets u <- u + wd*w (wd in Y15) for the 8 elements at OFF from
// index CX (u at DI, w at R10) and adds the new u*u into the lanes of LO
// and HI.
#define COUPLE8(OFF, LO, HI) \
	VMOVUPS OFF(R10)(CX*4), Y1; \
	VMULPS  Y15, Y1, Y1; \
	VMOVUPS OFF(DI)(CX*4), Y0; \
	VADDPS  Y1, Y0, Y0; \
	VMOVUPS Y0, OFF(DI)(CX*4); \
	SQACC8(Y0, X0, LO, HI, Y1, Y2, X2)

// func coupleDecayAVX2(u, w *float32, n int, wd float32, s *laneSums)
TEXT ·coupleDecayAVX2(SB), NOSPLIT, $0-40
	MOVQ u+0(FP), DI
	MOVQ w+8(FP), R10
	MOVQ n+16(FP), DX
	VBROADCASTSS wd+24(FP), Y15
	MOVQ s+32(FP), R8
	LOAD4(0, R8, Y8, Y9, Y10, Y11)
	XORQ CX, CX

coupleDecayLoop:
	COUPLE8(0, Y8, Y9)
	COUPLE8(32, Y10, Y11)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  coupleDecayLoop

	STORE4(Y8, Y9, Y10, Y11, 0, R8)
	VZEROUPPER
	RET

// DECAY8 sets w <- w - lrwd*w (lrwd in Y15) for the 8 elements at OFF
// from index CX at DI.
#define DECAY8(OFF) \
	VMOVUPS OFF(DI)(CX*4), Y0; \
	VMULPS  Y15, Y0, Y1; \
	VSUBPS  Y1, Y0, Y0; \
	VMOVUPS Y0, OFF(DI)(CX*4)

// func decayParamsAVX2(w *float32, n int, lrwd float32)
TEXT ·decayParamsAVX2(SB), NOSPLIT, $0-20
	MOVQ w+0(FP), DI
	MOVQ n+8(FP), DX
	VBROADCASTSS lrwd+16(FP), Y15
	XORQ CX, CX

decayParamsLoop:
	DECAY8(0)
	DECAY8(32)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  decayParamsLoop

	VZEROUPPER
	RET

// APPLY8 computes e = (u*sc)*gain (sc in Y15, gain in Y14) of the 8
// elements at OFF from index CX (u at SI, w at DI), adds e*e into the
// lanes of LO and HI and sets w <- w - lr*e (lr in Y13).
#define APPLY8(OFF, LO, HI) \
	VMOVUPS OFF(SI)(CX*4), Y0; \
	VMULPS  Y15, Y0, Y0; \
	VMULPS  Y14, Y0, Y0; \
	SQACC8(Y0, X0, LO, HI, Y1, Y2, X2); \
	VMULPS  Y13, Y0, Y1; \
	VMOVUPS OFF(DI)(CX*4), Y2; \
	VSUBPS  Y1, Y2, Y2; \
	VMOVUPS Y2, OFF(DI)(CX*4)

// func applyUpdateAVX2(w, u *float32, n int, sc, gain, lr float32, s *laneSums)
TEXT ·applyUpdateAVX2(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ n+16(FP), DX
	VBROADCASTSS sc+24(FP), Y15
	VBROADCASTSS gain+28(FP), Y14
	VBROADCASTSS lr+32(FP), Y13
	MOVQ s+40(FP), R8
	LOAD4(0, R8, Y8, Y9, Y10, Y11)
	XORQ CX, CX

applyUpdateLoop:
	APPLY8(0, Y8, Y9)
	APPLY8(32, Y10, Y11)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  applyUpdateLoop

	STORE4(Y8, Y9, Y10, Y11, 0, R8)
	VZEROUPPER
	RET
