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

// WIDENM converts the 16 float32 at (B)(I*4) to float64 straight from
// memory: elements 0-7 into LO, 8-15 into HI. On the Zen 4 we measure (see
// kernels_avx2_amd64.s) this takes neither a VEXTRACTF64X4 nor the
// costlier conversion from a register.
#define WIDENM(B, I, LO, HI) VCVTPS2PD (B)(I*4), LO; VCVTPS2PD 32(B)(I*4), HI

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

// The alpha kernels (alphaGradOnly's and alphaFull's loops and
// statsRawGo, for *R12, a statLanes) take each block (BLOCK_END, end in R9)
// in two loops, as the AVX2 kernels do. The first computes alpha and
// stores it (in u, over r, which it has read), with the running min in Z12
// and max in Z11 and the counts near the clamp ends in the 16 int32 lanes
// of Z10 and Z9 (a comparison's mask adds 1 to its lanes); nearLo is
// broadcast in Z20, nearHi in Z19, int32 -1 in Z6. The second reads alpha
// back, stores the raw update alpha*g in u and adds d = alpha - shift, d*d
// and (alpha*g)^2 into the lanes of sumD (Z18: lanes 0-7, Z17: 8-15),
// sumD2 (Z16, Z15) and rawSq (Z14, Z13), with shift in Z8 and float64 1 in
// Z7. Both convert to float64 from memory. d and its sums are never NaN but
// for the default NaN (inf - inf, when a large k makes alpha overflow),
// whichever operation returns it, so, as in the AVX2 kernels, the
// subtraction and the two additions are FMAs with a factor of 1.

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
	VPTERNLOGD $0xff, Z6, Z6, Z6; \
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

// RAW stores the raw update g*alpha of the 16 alphas at (B)(BX*4) (g at
// SI) at (DI)(BX*4), over them when B is DI, and adds d, d*d and the raw
// update's square into the lanes of the sums; it clobbers Z0-Z2. The
// square reads back the raw update just stored.
#define RAW(B) \
	WIDENM(B, BX, Z0, Z1); \
	VMOVUPS (SI)(BX*4), Z2; \
	VMULPS  (B)(BX*4), Z2, Z2; \
	VMOVUPS Z2, (DI)(BX*4); \
	VFMSUB132PD Z7, Z8, Z0; \
	VFMSUB132PD Z7, Z8, Z1; \
	VFMADD231PD Z7, Z0, Z18; \
	VFMADD231PD Z7, Z1, Z17; \
	VMULPD Z0, Z0, Z0; \
	VMULPD Z1, Z1, Z1; \
	VFMADD231PD Z7, Z0, Z16; \
	VFMADD231PD Z7, Z1, Z15; \
	WIDENM(DI, BX, Z0, Z1); \
	VMULPD Z0, Z0, Z0; \
	VMULPD Z1, Z1, Z1; \
	VADDPD Z0, Z14, Z14; \
	VADDPD Z1, Z13, Z13

// RAW_LOOP ends a block: the second loop over it, alpha at B, from BX to
// R9 (NAME its label), and the block's counts into *R12.
#define RAW_LOOP(B, NAME) \
NAME: \
	RAW(B); \
	ADDQ $16, BX; \
	CMPQ BX, R9; \
	JLT  NAME; \
	COUNT(Z10, Y10, X10, statLanes_nearLo(R12)); \
	COUNT(Z9, Y9, X9, statLanes_nearHi(R12))

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
	WIDENM(SI, CX, Z8, Z9); \
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
	WIDENM(R10, CX, Z8, Z9)
	VADDPD Z8, Z20, Z20
	VADDPD Z9, Z21, Z21
	WIDENM(R13, CX, Z8, Z9)
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

// The alpha kernels keep float64's sign mask in Z31, rG, rA and rR
// (float64) in Z30, Z29 and Z28, the clamp bounds lo and hi (as bits) in
// Z27 and Z26, the weights wa, wg and wm in Z25, Z24 and Z23, k in Z22 and
// float32 1 in Z21; g is read at (SI), A at (R10) and r (in u) at (DI), at
// index CX.

// GO_PARAMS loads the registers a_go needs from the *alphaParams in R13;
// it clobbers AX.
#define GO_PARAMS \
	ABSMASK64(Z31); \
	VBROADCASTSD alphaParams_rG(R13), Z30; \
	VPBROADCASTD alphaParams_lo(R13), Z27; \
	VPBROADCASTD alphaParams_hi(R13), Z26

// ALPHA_PARAMS loads all those registers from the *alphaParams in R13;
// it clobbers AX.
#define ALPHA_PARAMS \
	GO_PARAMS; \
	VBROADCASTSD alphaParams_rA(R13), Z29; \
	VBROADCASTSD alphaParams_rR(R13), Z28; \
	VBROADCASTSS alphaParams_wa(R13), Z25; \
	VBROADCASTSS alphaParams_wg(R13), Z24; \
	VBROADCASTSS alphaParams_wm(R13), Z23; \
	VBROADCASTSS alphaParams_k(R13), Z22; \
	MOVL $0x3f800000, AX; \
	VPBROADCASTD AX, Z21

// GQUO sets Z1 (ymm Y1) to G = n(|g|) of the 16 gradients at index CX at
// SI; it clobbers Z2. |g| is taken after the conversion (float64(|g|) is
// |float64(g)|, NaN included).
#define GQUO \
	WIDENM(SI, CX, Z1, Z2); \
	VPANDQ  Z31, Z1, Z1; \
	VPANDQ  Z31, Z2, Z2; \
	QUO16(Z30, Z1, Y1, Z2, Y2)

// A_GO leaves G = n(|g|) in Z1 and a_go = clamp(G) in Z5; it clobbers Z2.
#define A_GO \
	GQUO; \
	VPMAXSD Z27, Z1, Z5; \
	VPMINSD Z26, Z5, Z5

// MIX sets Z2 = (wa*n(A) + wg*G) + wm*n(r), the unclamped a_full, with
// G in Z1 (ymm Y1), from A at (R10) and r at (DI) at index CX, each
// product rounded; it clobbers Z3 and Z4. Its operands can be any NaN, so
// it keeps the additions, in the Go loop's order.
#define MIX \
	WIDENM(R10, CX, Z2, Z3); \
	QUO16(Z29, Z2, Y2, Z3, Y3); \
	WIDENM(DI, CX, Z3, Z4); \
	QUO16(Z28, Z3, Y3, Z4, Y4); \
	VMULPS  Z25, Z2, Z2; \
	VMULPS  Z24, Z1, Z4; \
	VADDPS  Z4, Z2, Z2; \
	VMULPS  Z23, Z3, Z3; \
	VADDPS  Z3, Z2, Z2

// A_FULL turns a_go in Z5 into alpha = a_go + k*(a_full - a_go), with
// a_full = clamp(MIX) and G in Z1; it clobbers Z2-Z4. The blend's
// subtraction and addition, of clamped values, are FMAs with a factor of
// 1 (Z21).
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
	MOVQ CX, BX

alphaGradOnlyLoop:
	A_GO
	ALPHA_STATS(DI)
	ADDQ $16, CX
	CMPQ CX, R9
	JLT  alphaGradOnlyLoop

	RAW_LOOP(DI, alphaGradOnlyRaw)
	CMPQ CX, DX
	JLT  alphaGradOnlyBlock
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

alphaFullBlock:
	BLOCK_END(R9)
	MOVQ CX, BX

alphaFullLoop:
	A_GO
	A_FULL
	ALPHA_STATS(DI)
	ADDQ $16, CX
	CMPQ CX, R9
	JLT  alphaFullLoop

	RAW_LOOP(DI, alphaFullRaw)
	CMPQ CX, DX
	JLT  alphaFullBlock
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
	GO_PARAMS
	VMOVUPD tensorLanes_gs(R8), Z16
	VMOVUPD tensorLanes_gs+64(R8), Z17
	XORQ CX, CX

tensorSumsLoop:
	GQUO
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
	GQUO
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
// that also stores every element's alpha and a_go, its second loops
// reading alpha from the alphas it stored.
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
	JEQ  alphaElemsGoBlock

alphaElemsFullBlock:
	BLOCK_END(R9)
	MOVQ CX, BX

alphaElemsFullLoop:
	A_GO
	VMOVUPS Z5, (R13)(CX*4)
	A_FULL
	ALPHA_STATS(R11)
	ADDQ $16, CX
	CMPQ CX, R9
	JLT  alphaElemsFullLoop

	RAW_LOOP(R11, alphaElemsFullRaw)
	CMPQ CX, DX
	JLT  alphaElemsFullBlock
	JMP  alphaElemsDone

alphaElemsGoBlock:
	BLOCK_END(R9)
	MOVQ CX, BX

alphaElemsGoLoop:
	A_GO
	VMOVUPS Z5, (R13)(CX*4)
	ALPHA_STATS(R11)
	ADDQ $16, CX
	CMPQ CX, R9
	JLT  alphaElemsGoLoop

	RAW_LOOP(R11, alphaElemsGoRaw)
	CMPQ CX, DX
	JLT  alphaElemsGoBlock

alphaElemsDone:
	STATS_STORE
	VZEROUPPER
	RET
