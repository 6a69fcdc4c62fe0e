//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "kernels_amd64.h"

// The AVX2 kernels do what the AVX-512 kernels of kernels_amd64.s do, with
// ymm registers: 16 elements per iteration in two halves of 8, the first
// half adding into lanes 0-7 of each float64 sum (two ymm of 4 lanes), the
// second into lanes 8-15. Each element goes through the same rounded
// operations as in an AVX-512 kernel, with the same operand order wherever
// a NaN can meet a NaN, so the two compute the same bits. No product is
// fused into a sum: each is rounded before it, as in the AVX-512 kernels
// and the Go loops (the FMAs below multiply by exactly 1, see WIDENM).
//
// There are 16 ymm registers against 32 zmm, so most constants are memory
// operands (the file's constants, or pass 2's scalars in the frame), and
// the kernels with more sums than registers take them in two loops over
// each block of up to 512 elements: the first computes the elements and
// some sums, the second reads back what the first stored (from L1) for
// the other sums. Each lane still adds its elements in increasing order.
// A sum kept in memory across iterations instead would cost a store per
// iteration and a store-to-load forwarding delay in its chain.

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

// CONST4D defines NAME<> as 4 copies of the 64-bit pattern BITS.
#define CONST4D(NAME, BITS) \
	DATA NAME<>+0(SB)/8, BITS; \
	DATA NAME<>+8(SB)/8, BITS; \
	DATA NAME<>+16(SB)/8, BITS; \
	DATA NAME<>+24(SB)/8, BITS; \
	GLOBL NAME<>(SB), RODATA|NOPTR, $32

// The mask that clears a float64's sign bit, and 1 in float64 and float32.
CONST4D(absMask64, $0x7fffffffffffffff)
CONST4D(one64, $0x3ff0000000000000)
CONST8(one32, $0x3f800000)

// The float32 to float64 conversions read their operands from memory
// (VCVTPS2PD from a 16-byte operand): on the Zen 4 we measure, a
// conversion from a register costs about a third more and needs a
// VEXTRACTF128 for the upper 4 elements, and conversions, additions,
// comparisons, the extremes and the lane moves share two pipes, which
// bound the alpha kernels. |g| is taken after the conversion
// (float64(|g|) is |float64(g)|, NaN included). The additions of alpha's
// blend and statistics run on the two multiply pipes instead, as FMAs with
// a factor of exactly 1: 1*x is exact, so x*1 + y rounds once, to x + y,
// as VADDPS or VADDPD do. The two could differ only in which NaN they
// return when both operands are NaN; these operands are never NaN but for
// the default NaN of an invalid operation (alpha is blended from clamped
// values), so either choice gives the same bits.

// WIDENM converts the 8 float32 at OFF(B)(I*4) to float64: elements 0-3
// into LO, 4-7 into HI.
#define WIDENM(OFF, B, I, LO, HI) \
	VCVTPS2PD OFF(B)(I*4), LO; \
	VCVTPS2PD OFF+16(B)(I*4), HI

// QUO8 sets LO (xmm LOX) to quo(x, R) of the 8 float64 x in LO (elements
// 0-3) and HI (xmm HIX, 4-7), widened from float32: float32(x*r) with R
// the broadcast float64 r; HI is clobbered.
#define QUO8(R, LO, LOX, HI, HIX) \
	VMULPD R, LO, LO; \
	VMULPD R, HI, HI; \
	VCVTPD2PSY LO, LOX; \
	VCVTPD2PSY HI, HIX; \
	VINSERTF128 $1, HIX, LO, LO

// ABSQUO8 sets LO (xmm LOX) to quo(|g|, R) of the 8 gradients at OFF from
// index CX at SI; HI (xmm HIX) is clobbered.
#define ABSQUO8(OFF, R, LO, LOX, HI, HIX) \
	WIDENM(OFF, SI, CX, LO, HI); \
	VANDPD absMask64<>(SB), LO, LO; \
	VANDPD absMask64<>(SB), HI, HI; \
	QUO8(R, LO, LOX, HI, HIX)

// ACCM adds the 8 float32 at OFF(B)(I*4), converted to float64, into the
// lanes of LO (elements 0-3) and HI (4-7); T1 and T2 are clobbered.
#define ACCM(OFF, B, I, LO, HI, T1, T2) \
	WIDENM(OFF, B, I, T1, T2); \
	VADDPD T1, LO, LO; \
	VADDPD T2, HI, HI

// SQACCM adds the squares, in float64, of the 8 float32 at OFF(B)(I*4)
// into the lanes of LO and HI as ACCM adds them.
#define SQACCM(OFF, B, I, LO, HI, T1, T2) \
	WIDENM(OFF, B, I, T1, T2); \
	VMULPD T1, T1, T1; \
	VMULPD T2, T2, T2; \
	VADDPD T1, LO, LO; \
	VADDPD T2, HI, HI

// WIDEN8 converts the 8 float32 of Y (xmm X), a result in a register, to
// float64: elements 0-3 into LO, 4-7 into HI (xmm HIX). LO must differ
// from Y; HI may be Y.
#define WIDEN8(Y, X, LO, HI, HIX) VCVTPS2PD X, LO; VEXTRACTF128 $1, Y, HIX; VCVTPS2PD HIX, HI

// ACC8 is ACCM for the 8 float32 of Y (xmm X); T2 (xmm T2X) is clobbered.
#define ACC8(Y, X, LO, HI, T1, T2, T2X) \
	WIDEN8(Y, X, T1, T2, T2X); \
	VADDPD T1, LO, LO; \
	VADDPD T2, HI, HI

// SQACC8 is SQACCM for the 8 float32 of Y (xmm X).
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

// GRADSUMS8 adds |g| and g*g of the 8 gradients at OFF from index CX at
// SI into the lanes of ABSLO, ABSHI and SQLO, SQHI, from one conversion;
// it clobbers Y1, Y3 and Y5.
#define GRADSUMS8(OFF, ABSLO, ABSHI, SQLO, SQHI) \
	WIDENM(OFF, SI, CX, Y3, Y5); \
	VANDPD  absMask64<>(SB), Y3, Y1; \
	VADDPD  Y1, ABSLO, ABSLO; \
	VANDPD  absMask64<>(SB), Y5, Y1; \
	VADDPD  Y1, ABSHI, ABSHI; \
	VMULPD  Y3, Y3, Y3; \
	VMULPD  Y5, Y5, Y5; \
	VADDPD  Y3, SQLO, SQLO; \
	VADDPD  Y5, SQHI, SQHI

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
	GRADSUMS8(0, Y8, Y9, Y12, Y13)
	TRACE8(32)
	GRADSUMS8(32, Y10, Y11, Y14, Y15)
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
	GRADSUMS8(OFF, ABSLO, ABSHI, SQLO, SQHI)

// ASUMS8 adds the 8 new A (at R10) and r (at R13) at OFF from index BX
// into the lanes of ALO, AHI and RLO, RHI; it clobbers Y0-Y3.
#define ASUMS8(OFF, ALO, AHI, RLO, RHI) \
	ACCM(OFF, R10, BX, ALO, AHI, Y0, Y1); \
	ACCM(OFF, R13, BX, RLO, RHI, Y2, Y3)

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
// alpha's shift, the thresholds of the near counts and the running
// extremes between blocks. R11 is the first multiple of 32 in the frame
// (which has 32 bytes to spare), so that no operand straddles two cache
// lines, which costs a second access.
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
#define F_MIN 384(R11)
#define F_MAX 416(R11)

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

// The alpha kernels (alphaGradOnly's and alphaFull's loops and
// statsRawGo, for *R12, a statLanes) take each block in two loops. The
// first computes alpha and stores it in u (over r, which it has read),
// with the running min in Y14 and max in Y15 and the counts near the clamp
// ends in the 8 int32 lanes of Y12 and Y13; it keeps rG, rA, rR, the clamp
// bounds and float32 1 in Y6-Y11. The second reads alpha back, stores the
// raw update alpha*g in its place and adds d = alpha - shift, d*d and
// (alpha*g)^2 into the lanes of sumD (Y4-Y7: lanes 0-3, 4-7, 8-11,
// 12-15), sumD2 (Y8-Y11) and rawSq (Y12-Y15), with the shift in Y3. The
// min and max keep 8 lanes, where the AVX-512 kernels keep 16: alpha is
// never NaN or -0 (it is blended from two values clampBits keeps in
// [min_alpha, max_alpha]), so the extremes do not depend on the order in
// which they are taken; d and its sums are never NaN but for the default
// NaN (inf - inf, when a large k makes alpha*g overflow), whichever
// operation returns it, so they are added by FMAs with a factor of 1.

// STATS_LOAD puts the extremes of *R12 and the scalars at the argument
// offsets SHIFT, NEARLO and NEARHI into the frame and loads the counts
// into R8 and R9; it clobbers Y0.
#define STATS_LOAD(SHIFT, NEARLO, NEARHI) \
	VBROADCASTSS statLanes_min(R12), Y0; \
	VMOVUPS Y0, F_MIN; \
	VBROADCASTSS statLanes_max(R12), Y0; \
	VMOVUPS Y0, F_MAX; \
	MOVQ statLanes_nearLo(R12), R8; \
	MOVQ statLanes_nearHi(R12), R9; \
	VBROADCASTSD SHIFT, Y0; \
	VMOVUPD Y0, F_SHIFT; \
	VBROADCASTSS NEARLO, Y0; \
	VMOVUPS Y0, F_NEARLO; \
	VBROADCASTSS NEARHI, Y0; \
	VMOVUPS Y0, F_NEARHI

// ALPHA_START starts a block's first loop: the scalars into Y6-Y11, the
// extremes into Y14 and Y15, zero counts.
#define ALPHA_START \
	VMOVUPD F_RG, Y6; \
	VMOVUPD F_RA, Y7; \
	VMOVUPD F_RR, Y8; \
	VMOVUPS F_LO, Y9; \
	VMOVUPS F_HI, Y10; \
	VMOVUPS one32<>(SB), Y11; \
	VMOVUPS F_MIN, Y14; \
	VMOVUPS F_MAX, Y15; \
	VPXOR   Y12, Y12, Y12; \
	VPXOR   Y13, Y13, Y13

// COUNT adds the 8 int32 lanes of Y (xmm X) to R; it clobbers Y, X0 and AX.
#define COUNT(Y, X, R) \
	VEXTRACTI128 $1, Y, X0; \
	VPADDD  X0, X, X; \
	VPSHUFD $0x4e, X, X0; \
	VPADDD  X0, X, X; \
	VPSHUFD $0xb1, X, X0; \
	VPADDD  X0, X, X; \
	VMOVD   X, AX; \
	ADDQ    AX, R

// ALPHA_END ends a block's first loop: the extremes back into the frame,
// the counts into R8 and R9.
#define ALPHA_END \
	VMOVUPS Y14, F_MIN; \
	VMOVUPS Y15, F_MAX; \
	COUNT(Y12, X12, R8); \
	COUNT(Y13, X13, R9)

// ALPHA_STATS8 stores the 8 alphas in Y3 at OFF from index CX at DI and
// takes their extremes and near counts (a comparison's true lane is -1);
// it clobbers Y2.
#define ALPHA_STATS8(OFF) \
	VMOVUPS Y3, OFF(DI)(CX*4); \
	VMINPS  Y3, Y14, Y14; \
	VMAXPS  Y3, Y15, Y15; \
	VCMPPS  $2, F_NEARLO, Y3, Y2; \
	VPSUBD  Y2, Y12, Y12; \
	VCMPPS  $13, F_NEARHI, Y3, Y2; \
	VPSUBD  Y2, Y13, Y13

// RAW8 replaces the 8 alphas at OFF from index BX at DI by the raw update
// g*alpha (g at SI) and adds d = alpha - shift, d*d and the raw update's
// square into the lanes of DLO, DHI, D2LO, D2HI and RLO, RHI. It clobbers
// Y0-Y2; the square reads back the raw update just stored.
#define RAW8(OFF, DLO, DHI, D2LO, D2HI, RLO, RHI) \
	WIDENM(OFF, DI, BX, Y0, Y1); \
	VMOVUPS OFF(SI)(BX*4), Y2; \
	VMULPS  OFF(DI)(BX*4), Y2, Y2; \
	VMOVUPS Y2, OFF(DI)(BX*4); \
	VFMSUB132PD one64<>(SB), Y3, Y0; \
	VFMSUB132PD one64<>(SB), Y3, Y1; \
	VFMADD231PD one64<>(SB), Y0, DLO; \
	VFMADD231PD one64<>(SB), Y1, DHI; \
	VMULPD  Y0, Y0, Y0; \
	VMULPD  Y1, Y1, Y1; \
	VFMADD231PD one64<>(SB), Y0, D2LO; \
	VFMADD231PD one64<>(SB), Y1, D2HI; \
	SQACCM(OFF, DI, BX, RLO, RHI, Y0, Y1)

// RAW_LOOP is the second loop over the block from BX to R13 (NAME its
// label); BX ends at R13.
#define RAW_LOOP(NAME) \
	VMOVUPD F_SHIFT, Y3; \
	LOAD4(statLanes_sumD, R12, Y4, Y5, Y6, Y7); \
	LOAD4(statLanes_sumD2, R12, Y8, Y9, Y10, Y11); \
	LOAD4(statLanes_rawSq, R12, Y12, Y13, Y14, Y15); \
NAME: \
	RAW8(0, Y4, Y5, Y8, Y9, Y12, Y13); \
	RAW8(32, Y6, Y7, Y10, Y11, Y14, Y15); \
	ADDQ $16, BX; \
	CMPQ BX, R13; \
	JLT  NAME; \
	STORE4(Y4, Y5, Y6, Y7, statLanes_sumD, R12); \
	STORE4(Y8, Y9, Y10, Y11, statLanes_sumD2, R12); \
	STORE4(Y12, Y13, Y14, Y15, statLanes_rawSq, R12)

// STATS_STORE stores the extremes and the counts to *R12; it clobbers
// Y0, Y14 and Y15.
#define STATS_STORE \
	VMOVUPS F_MIN, Y14; \
	HREDUCE8(VMINPS, Y14, X14); \
	VMOVSS X14, statLanes_min(R12); \
	VMOVUPS F_MAX, Y15; \
	HREDUCE8(VMAXPS, Y15, X15); \
	VMOVSS X15, statLanes_max(R12); \
	MOVQ R8, statLanes_nearLo(R12); \
	MOVQ R9, statLanes_nearHi(R12)

// GRADONLY8 computes alpha = a_go = clamp(n(|g|)) of the 8 elements at OFF
// from index CX at SI into Y3, and then ALPHA_STATS8.
#define GRADONLY8(OFF) \
	ABSQUO8(OFF, Y6, Y1, X1, Y2, X2); \
	VPMAXSD Y9, Y1, Y3; \
	VPMINSD Y10, Y3, Y3; \
	ALPHA_STATS8(OFF)

// func alphaGradOnlyAVX2(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaGradOnlyAVX2(SB), NOSPLIT, $480-56
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
	ALPHA_START

alphaGradOnlyLoop:
	GRADONLY8(0)
	GRADONLY8(32)
	ADDQ $16, CX
	CMPQ CX, R13
	JLT  alphaGradOnlyLoop

	ALPHA_END
	RAW_LOOP(alphaGradOnlySums)
	CMPQ CX, DX
	JLT  alphaGradOnlyBlock
	STATS_STORE
	VZEROUPPER
	RET

// MIX8 sets A = (wa*A + wg*G) + wm*R, the unclamped a_full of 8 quotients
// n(A), n(|g|) and n(r), each product rounded; T receives wg*G (it may be
// G) and R is overwritten.
#define MIX8(A, G, R, T) \
	VMULPS F_WA, A, A; \
	VMULPS F_WG, G, T; \
	VADDPS T, A, A; \
	VMULPS F_WM, R, R; \
	VADDPS R, A, A

// FULL8 computes alpha = a_go + k*(a_full - a_go) of the full rule for the
// 8 elements at OFF from index CX (g at SI, A at R10, r at DI) into Y3,
// and then ALPHA_STATS8, which overwrites r by alpha. The blend's
// subtraction and addition are FMAs with a factor of 1 (Y11).
#define FULL8(OFF) \
	ABSQUO8(OFF, Y6, Y1, X1, Y2, X2); \
	VPMAXSD Y9, Y1, Y3; \
	VPMINSD Y10, Y3, Y3; \
	WIDENM(OFF, R10, CX, Y2, Y4); \
	QUO8(Y7, Y2, X2, Y4, X4); \
	WIDENM(OFF, DI, CX, Y4, Y5); \
	QUO8(Y8, Y4, X4, Y5, X5); \
	MIX8(Y2, Y1, Y4, Y1); \
	VPMAXSD Y9, Y2, Y2; \
	VPMINSD Y10, Y2, Y2; \
	VFMSUB132PS Y11, Y3, Y2; \
	VMULPS  F_K, Y2, Y2; \
	VFMADD231PS Y11, Y2, Y3; \
	ALPHA_STATS8(OFF)

// func alphaFullAVX2(grad, a, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaFullAVX2(SB), NOSPLIT, $480-64
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
	ALPHA_START

alphaFullLoop:
	FULL8(0)
	FULL8(32)
	ADDQ $16, CX
	CMPQ CX, R13
	JLT  alphaFullLoop

	ALPHA_END
	RAW_LOOP(alphaFullSums)
	CMPQ CX, DX
	JLT  alphaFullBlock
	STATS_STORE
	VZEROUPPER
	RET

// TENSOR8 adds G = n(|g|) of the 8 elements at OFF from index CX at SI
// into the lanes of LO and HI, R the broadcast rG.
#define TENSOR8(OFF, R, LO, HI) \
	ABSQUO8(OFF, R, Y2, X2, Y1, X1); \
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
	ABSQUO8(OFF, F_RG, Y2, X2, Y1, X1); \
	WIDENM(OFF, R10, CX, Y3, Y1); \
	QUO8(F_RA, Y3, X3, Y1, X1); \
	WIDENM(OFF, DI, CX, Y5, Y1); \
	QUO8(F_RR, Y5, X5, Y1, X1); \
	MIX8(Y3, Y2, Y5, Y4); \
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
