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

// ABSMASK64 sets every float64 of Z to the mask that clears the sign bit.
#define ABSMASK64(Z) MOVQ $0x7fffffffffffffff, AX; VPBROADCASTQ AX, Z

// WIDENM converts the 16 float32 at OFF(B)(I*4) to float64 straight from
// memory: elements 0-7 into LO, 8-15 into HI. On the Zen 4 we measure (see
// kernels_avx2_amd64.s) this takes neither a VEXTRACTF64X4 nor the
// costlier conversion from a register.
#define WIDENM(OFF, B, I, LO, HI) VCVTPS2PD OFF(B)(I*4), LO; VCVTPS2PD 32+OFF(B)(I*4), HI

// QUO16 sets LO (ymm LOY) to quo(x, R) of the 16 float64 x in LO (elements
// 0-7) and HI (ymm HIY, 8-15), widened from float32: float32(x*r) with R
// the broadcast float64 r; HI is clobbered.
#define QUO16(R, LO, LOY, HI, HIY) \
	VMULPD R, LO, LO; \
	VMULPD R, HI, HI; \
	VCVTPD2PS LO, LOY; \
	VCVTPD2PS HI, HIY; \
	VINSERTF64X4 $1, HIY, LO, LO

// HREDUCE reduces the 16 lanes of Z (ymm Y, xmm X) with OP (VMINPS or
// VMAXPS on float32, VPADDD on int32) into X's lowest lane; X0 is
// clobbered.
#define HREDUCE(OP, Z, Y, X) \
	VEXTRACTF64X4 $1, Z, Y0; \
	OP Y0, Y, Y; \
	VEXTRACTF128 $1, Y, X0; \
	OP X0, X, X; \
	VPERMILPS $0x4e, X, X0; \
	OP X0, X, X; \
	VPERMILPS $0xb1, X, X0; \
	OP X0, X, X

// LAG is how many elements (LAGB bytes of float32) the alpha kernels'
// loop takes the raw updates and sums behind alpha (see below).
#define LAG 512
#define LAGB 2048

// The alpha kernels (alphaGradOnly's and alphaFull's loops and
// statsRawGo, for *R12, a statLanes) take alpha and its statistics in one
// loop over index CX that does two things, independent of each other, so
// that the divisions of the first (see the quotients below) overlap with
// the second's work. First, alpha of the 16 elements at CX: it stores
// alpha (in u, over r, which it has read) and takes its running min in
// Z12 and max in Z11 and the counts near the clamp ends in the 16 int32
// lanes of Z10 and Z9 (a comparison's mask adds 1 to its lanes); nearLo is
// broadcast in Z20, nearHi in Z19, int32 -1 in Z6. Second, LAG elements
// behind, it reads alpha back, stores the raw update alpha*g in u and adds
// d = alpha - shift, d*d and (alpha*g)^2 into the lanes of sumD (Z18:
// lanes 0-7, Z17: 8-15), sumD2 (Z16, Z15) and rawSq (Z14, Z13), with shift
// in Z8 and float64 1 in Z7, converting to float64 from memory; a last
// loop takes the LAG elements left (all, if fewer). The counts go into
// *R12 at the end of each block of 512 elements (BLOCK_END, end in R9),
// long before an int32 lane could overflow. d and its sums are never NaN
// but for the default NaN (inf - inf, when a large k makes alpha
// overflow), whichever operation returns it, so, as in the AVX2 kernels,
// the subtraction and the two additions are FMAs with a factor of 1.

// STATS_LOAD loads the sums and extremes from *R12, the scalars from the
// argument offsets SHIFT, NEARLO and NEARHI and the constants, and zeroes
// the counts; it clobbers AX.
#define STATS_LOAD(SHIFT, NEARLO, NEARHI) \
	VMOVUPD statLanes_sumD(R12), Z18; \
	VMOVUPD statLanes_sumD+64(R12), Z17; \
	VMOVUPD statLanes_sumD2(R12), Z16; \
	VMOVUPD statLanes_sumD2+64(R12), Z15; \
	VMOVUPD statLanes_rawSq(R12), Z14; \
	VMOVUPD statLanes_rawSq+64(R12), Z13; \
	VBROADCASTSS statLanes_min(R12), Z12; \
	VBROADCASTSS statLanes_max(R12), Z11; \
	VBROADCASTSD SHIFT, Z8; \
	VBROADCASTSS NEARLO, Z20; \
	VBROADCASTSS NEARHI, Z19; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z9, Z9, Z9; \
	MOVQ $0x3ff0000000000000, AX; \
	VPBROADCASTQ AX, Z7

// ALPHA_STATS stores the 16 alphas in Z5 at (B)(CX*4) and takes their
// extremes and near counts; it clobbers K1 and K2.
#define ALPHA_STATS(B) \
	VMOVUPS Z5, (B)(CX*4); \
	VMINPS  Z5, Z12, Z12; \
	VMAXPS  Z5, Z11, Z11; \
	VCMPPS  $2, Z20, Z5, K1; \
	VCMPPS  $2, Z5, Z19, K2; \
	VPSUBD  Z6, Z10, K1, Z10; \
	VPSUBD  Z6, Z9, K2, Z9

// COUNT adds the 16 int32 lanes of Z (ymm Y, xmm X) to the int at M and
// zeroes Z; it clobbers Y0 and AX. HREDUCE's shuffles move the int32 lanes
// as they move float32 ones.
#define COUNT(Z, Y, X, M) \
	HREDUCE(VPADDD, Z, Y, X); \
	VMOVD   X, AX; \
	ADDQ    AX, M; \
	VPXORD  Z, Z, Z

// RAW stores the raw update g*alpha of the 16 alphas LAG elements before
// index CX at B (g at SI) at DI, over them when B is DI, and adds d, d*d
// and the raw update's square into the lanes of the sums; it clobbers
// Z0-Z2. The square reads back the raw update just stored.
#define RAW(B) \
	WIDENM(-LAGB, B, CX, Z0, Z1); \
	VMOVUPS -LAGB(SI)(CX*4), Z2; \
	VMULPS  -LAGB(B)(CX*4), Z2, Z2; \
	VMOVUPS Z2, -LAGB(DI)(CX*4); \
	VFMSUB132PD Z7, Z8, Z0; \
	VFMSUB132PD Z7, Z8, Z1; \
	VFMADD231PD Z7, Z0, Z18; \
	VFMADD231PD Z7, Z1, Z17; \
	VMULPD Z0, Z0, Z0; \
	VMULPD Z1, Z1, Z1; \
	VFMADD231PD Z7, Z0, Z16; \
	VFMADD231PD Z7, Z1, Z15; \
	WIDENM(-LAGB, DI, CX, Z0, Z1); \
	VMULPD Z0, Z0, Z0; \
	VMULPD Z1, Z1, Z1; \
	VADDPD Z0, Z14, Z14; \
	VADDPD Z1, Z13, Z13

// STEP ends an iteration of an alpha kernel's loop LOOP, which took the
// alphas at CX, storing them at B: the raw updates LAG elements back, if
// CX has come that far, then on to the next 16 elements in the block,
// else the block's counts into *R12 and on to BLOCK, the next block, if
// any, else the raw updates of the last LAG elements in the loop TAIL;
// SKIP is a label of its own.
#define STEP(B, LOOP, SKIP, BLOCK, TAIL) \
	CMPQ CX, $LAG; \
	JLT  SKIP; \
	RAW(B); \
SKIP: \
	ADDQ $16, CX; \
	CMPQ CX, R9; \
	JLT  LOOP; \
	COUNT(Z10, Y10, X10, statLanes_nearLo(R12)); \
	COUNT(Z9, Y9, X9, statLanes_nearHi(R12)); \
	CMPQ CX, DX; \
	JLT  BLOCK; \
	MOVQ    $LAG, AX; \
	CMPQ    CX, AX; \
	CMOVQLT AX, CX; \
	ADDQ    AX, DX; \
TAIL: \
	RAW(B); \
	ADDQ $16, CX; \
	CMPQ CX, DX; \
	JLT  TAIL

// STATS_STORE stores the sums and the extremes to *R12.
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
	VMOVSS X11, statLanes_max(R12)

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

// GRADSUMS adds |g| and g*g of the 16 gradients at index CX at SI into
// the lanes of Z16, Z17 and Z18, Z19, from one conversion from memory
// (float64(|g|) is |float64(g)|, NaN included) with float64's sign mask in
// Z15; it clobbers Z8-Z11.
#define GRADSUMS \
	WIDENM(0, SI, CX, Z8, Z9); \
	VPANDQ Z15, Z8, Z10; \
	VPANDQ Z15, Z9, Z11; \
	VADDPD Z10, Z16, Z16; \
	VADDPD Z11, Z17, Z17; \
	VMULPD Z8, Z8, Z8; \
	VMULPD Z9, Z9, Z9; \
	VADDPD Z8, Z18, Z18; \
	VADDPD Z9, Z19, Z19

// func tracesAVX512(grad, a, m, v *float32, n int, s *traceLanes)
TEXT ·tracesAVX512(SB), NOSPLIT, $0-48
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ m+16(FP), R11
	MOVQ v+24(FP), R12
	MOVQ n+32(FP), DX
	MOVQ s+40(FP), R8
	ABSMASK(Z31)
	ABSMASK64(Z15)
	TRACE_CONSTS
	VMOVUPD traceLanes_abs(R8), Z16
	VMOVUPD traceLanes_abs+64(R8), Z17
	VMOVUPD traceLanes_gradSq(R8), Z18
	VMOVUPD traceLanes_gradSq+64(R8), Z19
	XORQ CX, CX

tracesLoop:
	TRACE_STEP
	GRADSUMS
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
	ABSMASK64(Z15)
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

	// Sums of |g|, g*g, A and r, the last two read back as just stored.
	GRADSUMS
	WIDENM(0, R10, CX, Z8, Z9)
	VADDPD Z8, Z20, Z20
	VADDPD Z9, Z21, Z21
	WIDENM(0, R13, CX, Z8, Z9)
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

// The alpha kernels keep float32's sign mask in Z31, the denominators dG,
// dA and dR of n(|g|), n(A) and n(r) (float32) in Z30, Z29 and Z28, the
// clamp bounds lo and hi (as bits) in Z27 and Z26, the weights wa, wg and
// wm in Z25, Z24 and Z23, k in Z22, float32 1 in Z21 and int32 -1 in Z6;
// g is read at (SI), A at (R10) and r (in u) at (DI), at index CX, and the
// *alphaParams is in R13.
//
// They take each n(x) = quo(x, 1/d) as the float32 division x/d
// (VDIVPS), which rounds to the same value whenever x/d is a normal
// float32 (see quo); the infinities, zeros and NaN of x*(1/d) and x/d are
// the same too (x's NaN if x is one, else d's). On Zen 5 the divider takes
// a division of 16 float32 every 2.4 cycles beside the four pipes, where
// quo takes two conversions each way (each holding one of the two pipes
// that also add for 1.5 cycles), two multiplications and an insert on the
// pipes the rest of the pass needs. Where x/d is zero or subnormal while x
// is not, the two may round differently; that needs 0 < |x| <=
// alphaParams.tiny (see quoBound), which the kernels test on the bits of
// |x| - 1 (a zero's wrap around to the largest), and there they compute
// the 16 quotients again with quo's operations, out of the loop, so every
// quotient has the loops' bits.

// GO_PARAMS loads the registers a_go needs from the *alphaParams in R13;
// it clobbers AX.
#define GO_PARAMS \
	ABSMASK(Z31); \
	VBROADCASTSS alphaParams_dG(R13), Z30; \
	VPBROADCASTD alphaParams_lo(R13), Z27; \
	VPBROADCASTD alphaParams_hi(R13), Z26; \
	VPTERNLOGD $0xff, Z6, Z6, Z6

// ALPHA_PARAMS loads all those registers from the *alphaParams in R13;
// it clobbers AX.
#define ALPHA_PARAMS \
	GO_PARAMS; \
	VBROADCASTSS alphaParams_dA(R13), Z29; \
	VBROADCASTSS alphaParams_dR(R13), Z28; \
	VBROADCASTSS alphaParams_wa(R13), Z25; \
	VBROADCASTSS alphaParams_wg(R13), Z24; \
	VBROADCASTSS alphaParams_wm(R13), Z23; \
	VBROADCASTSS alphaParams_k(R13), Z22; \
	MOVL $0x3f800000, AX; \
	VPBROADCASTD AX, Z21

// GDIV sets Z1 to G = n(|g|) = |g|/dG of the 16 gradients at index CX at
// SI and Z0 to the bits of |g| - 1.
#define GDIV \
	VPANDD (SI)(CX*4), Z31, Z0; \
	VDIVPS Z30, Z0, Z1; \
	VPADDD Z6, Z0, Z0

// TINY jumps to FIX, which returns to BACK, if an element of U, the bits
// of |x| - 1 of the 16 elements' x (their least over n(x)'s x), is below
// alphaParams.tiny: if a quotient needs quo's operations.
#define TINY(U, FIX, BACK) \
	VPCMPUD.BCST $1, alphaParams_tiny(R13), U, K1; \
	KORTESTW     K1, K1; \
	JNZ          FIX; \
BACK:

// QUO_FIX sets Q (ymm QY) to quo(x, r) of the 16 float32 x in X (ymm XY)
// with r the float64 at RM, as quo computes it; R and T (ymm TY) are
// clobbered.
#define QUO_FIX(X, XY, RM, R, Q, QY, T, TY) \
	VBROADCASTSD RM, R; \
	WIDEN(X, XY, Q, T, TY); \
	QUO16(R, Q, QY, T, TY)

// G_QUO sets Z1 to G = n(|g|), with quo's operations if TINY says so at
// G_FIX(BACK) (FIX).
#define G_QUO(FIX, BACK) \
	GDIV; \
	TINY(Z0, FIX, BACK)

// G_FIX sets Z1 to G with quo's operations and returns to BACK; it
// clobbers Z0, Z2 and Z3.
#define G_FIX(BACK) \
	VPANDD (SI)(CX*4), Z31, Z0; \
	QUO_FIX(Z0, Y0, alphaParams_rG(R13), Z3, Z1, Y1, Z2, Y2); \
	JMP BACK

// LEAST sets U to the least of U and the bits of |x| - 1 of the 16
// float32 x in X, which it clobbers.
#define LEAST(X, U) \
	VPANDD  Z31, X, X; \
	VPADDD  Z6, X, X; \
	VPMINUD X, U, U

// FULL_QUO sets Z1 to G, Z2 to n(A) and Z3 to n(r), with quo's operations
// if TINY says so at FULL_FIX(BACK) (FIX); it clobbers Z0, Z4 and Z5.
#define FULL_QUO(FIX, BACK) \
	GDIV; \
	VMOVUPS (R10)(CX*4), Z4; \
	VDIVPS  Z29, Z4, Z2; \
	VMOVUPS (DI)(CX*4), Z5; \
	VDIVPS  Z28, Z5, Z3; \
	LEAST(Z4, Z0); \
	LEAST(Z5, Z0); \
	TINY(Z0, FIX, BACK)

// FULL_FIX sets Z1, Z2 and Z3 as FULL_QUO with quo's operations and
// returns to BACK; it clobbers Z0, Z4 and Z5.
#define FULL_FIX(BACK) \
	VPANDD  (SI)(CX*4), Z31, Z0; \
	QUO_FIX(Z0, Y0, alphaParams_rG(R13), Z3, Z1, Y1, Z2, Y2); \
	VMOVUPS (R10)(CX*4), Z0; \
	QUO_FIX(Z0, Y0, alphaParams_rA(R13), Z3, Z2, Y2, Z4, Y4); \
	VMOVUPS (DI)(CX*4), Z0; \
	QUO_FIX(Z0, Y0, alphaParams_rR(R13), Z4, Z3, Y3, Z5, Y5); \
	JMP BACK

// A_GO sets Z5 to a_go = clamp(G) of G in Z1.
#define A_GO \
	VPMAXSD Z27, Z1, Z5; \
	VPMINSD Z26, Z5, Z5

// MIX sets Z2 = (wa*n(A) + wg*G) + wm*n(r), the unclamped a_full, of
// G, n(A) and n(r) in Z1, Z2 and Z3, each product rounded; it clobbers Z3
// and Z4. Its operands can be any NaN, so it keeps the additions, in the
// Go loop's order.
#define MIX \
	VMULPS  Z25, Z2, Z2; \
	VMULPS  Z24, Z1, Z4; \
	VADDPS  Z4, Z2, Z2; \
	VMULPS  Z23, Z3, Z3; \
	VADDPS  Z3, Z2, Z2

// A_FULL turns a_go in Z5 into alpha = a_go + k*(a_full - a_go), with
// a_full = clamp(MIX); it clobbers Z2-Z4. The blend's subtraction and
// addition, of clamped values, are FMAs with a factor of 1 (Z21).
#define A_FULL \
	MIX; \
	VPMAXSD Z27, Z2, Z2; \
	VPMINSD Z26, Z2, Z2; \
	VFMSUB132PS Z21, Z5, Z2; \
	VMULPS  Z22, Z2, Z2; \
	VFMADD231PS Z21, Z2, Z5

// func alphaGradOnlyAVX512(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)
TEXT ·alphaGradOnlyAVX512(SB), NOSPLIT, $0-56
	MOVQ grad+0(FP), SI
	MOVQ u+8(FP), DI
	MOVQ n+16(FP), DX
	MOVQ ap+24(FP), R13
	MOVQ s+48(FP), R12
	GO_PARAMS
	STATS_LOAD(shift+32(FP), nearLo+40(FP), nearHi+44(FP))
	XORQ CX, CX

alphaGradOnlyBlock:
	BLOCK_END(R9)

alphaGradOnlyLoop:
	G_QUO(alphaGradOnlyFix, alphaGradOnlyQuo)
	A_GO
	ALPHA_STATS(DI)
	STEP(DI, alphaGradOnlyLoop, alphaGradOnlySkip, alphaGradOnlyBlock, alphaGradOnlyTail)
	STATS_STORE
	VZEROUPPER
	RET

alphaGradOnlyFix:
	G_FIX(alphaGradOnlyQuo)

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

alphaFullBlock:
	BLOCK_END(R9)

alphaFullLoop:
	FULL_QUO(alphaFullFix, alphaFullQuo)
	A_GO
	A_FULL
	ALPHA_STATS(DI)
	STEP(DI, alphaFullLoop, alphaFullSkip, alphaFullBlock, alphaFullTail)
	STATS_STORE
	VZEROUPPER
	RET

alphaFullFix:
	FULL_FIX(alphaFullQuo)

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
	GO_PARAMS
	VMOVUPD tensorLanes_gs(R8), Z16
	VMOVUPD tensorLanes_gs+64(R8), Z17
	XORQ CX, CX

tensorSumsLoop:
	G_QUO(tensorSumsFix, tensorSumsQuo)
	WIDEN(Z1, Y1, Z8, Z9, Y9)
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  tensorSumsLoop

	VMOVUPD Z16, tensorLanes_gs(R8)
	VMOVUPD Z17, tensorLanes_gs+64(R8)
	VZEROUPPER
	RET

tensorSumsFix:
	G_FIX(tensorSumsQuo)

// func tensorSumsFullAVX512(grad, a, u *float32, n int, ap *alphaParams, s *tensorLanes)
TEXT ·tensorSumsFullAVX512(SB), NOSPLIT, $0-48
	MOVQ grad+0(FP), SI
	MOVQ a+8(FP), R10
	MOVQ u+16(FP), DI
	MOVQ n+24(FP), DX
	MOVQ ap+32(FP), R13
	MOVQ s+40(FP), R8
	ALPHA_PARAMS
	VMOVUPD tensorLanes_gs(R8), Z16
	VMOVUPD tensorLanes_gs+64(R8), Z17
	VMOVUPD tensorLanes_mix(R8), Z18
	VMOVUPD tensorLanes_mix+64(R8), Z19
	XORQ CX, CX

tensorSumsFullLoop:
	FULL_QUO(tensorSumsFullFix, tensorSumsFullQuo)
	MIX
	WIDEN(Z1, Y1, Z8, Z9, Y9)
	VADDPD Z8, Z16, Z16
	VADDPD Z9, Z17, Z17
	WIDEN(Z2, Y2, Z8, Z9, Y9)
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

tensorSumsFullFix:
	FULL_FIX(tensorSumsFullQuo)

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
	MOVQ aGo+32(FP), R8
	MOVQ n+40(FP), DX
	MOVQ ap+48(FP), R13
	MOVQ s+80(FP), R12
	ALPHA_PARAMS
	STATS_LOAD(shift+56(FP), nearLo+64(FP), nearHi+68(FP))
	XORQ CX, CX
	CMPB full+72(FP), $0
	JEQ  alphaElemsGoBlock

alphaElemsFullBlock:
	BLOCK_END(R9)

alphaElemsFullLoop:
	FULL_QUO(alphaElemsFullFix, alphaElemsFullQuo)
	A_GO
	VMOVUPS Z5, (R8)(CX*4)
	A_FULL
	ALPHA_STATS(R11)
	STEP(R11, alphaElemsFullLoop, alphaElemsFullSkip, alphaElemsFullBlock, alphaElemsFullTail)
	JMP  alphaElemsDone

alphaElemsGoBlock:
	BLOCK_END(R9)

alphaElemsGoLoop:
	G_QUO(alphaElemsGoFix, alphaElemsGoQuo)
	A_GO
	VMOVUPS Z5, (R8)(CX*4)
	ALPHA_STATS(R11)
	STEP(R11, alphaElemsGoLoop, alphaElemsGoSkip, alphaElemsGoBlock, alphaElemsGoTail)

alphaElemsDone:
	STATS_STORE
	VZEROUPPER
	RET

alphaElemsFullFix:
	FULL_FIX(alphaElemsFullQuo)

alphaElemsGoFix:
	G_FIX(alphaElemsGoQuo)
