//go:build !purego

#include "textflag.h"

// Dropout's draws (dropout.go) 16 at a time, in two vectors of 8 lanes of
// 64-bit PCG states: lane j of A (Z0 high halves, Z1 low) holds the state
// of draw 16i+j of iteration i, lane j of B (Z2, Z3) that of draw 16i+8+j.
// Both step by pcgStep applied 16 times, so the two chains of dependent
// multiplies are independent of each other and of the outputs.
//
// The map in use is in Z16 (multiplier's high halves), Z17 (low halves),
// Z18 (Z17 >> 32), Z19 and Z20 (increment's high and low halves); the other
// constants are Z21 (1), Z22 (2^32-1), Z23 (dxsmMul), Z24 (2^24-1), Z25 (t)
// in every 64-bit lane and Z26 (scale) in every 32-bit lane.

// LOADMAP loads the 8 maps of the jumps8 at off(BX) into Z16-Z20.
#define LOADMAP(off) \
	VMOVDQU64 off(BX), Z16        \
	VMOVDQU64 off+64(BX), Z17     \
	VPSRLQ    $32, Z17, Z18       \
	VMOVDQU64 off+128(BX), Z19    \
	VMOVDQU64 off+192(BX), Z20

// STEP applies the map in Z16-Z20 to the states h, l (lcg.apply): the low
// half is l*mulLo + incLo (low 64 bits) and its carry out k, the high half
// h*mulLo + l*mulHi + incHi + k plus the high 64 bits of l*mulLo, which
// come from the four 32 x 32 -> 64-bit products of the halves (a0, a1 of
// l, b0, b1 of mulLo): with t = a1*b0 + (a0*b0 >> 32) and w = a0*b1 +
// (t mod 2^32), none of which overflows, they are a1*b1 + (t >> 32) +
// (w >> 32). t0 to t3 are scratch.
#define STEP(h, l, k, t0, t1, t2, t3) \
	VPSRLQ   $32, l, t0        \
	VPMULUDQ Z17, l, t1        \
	VPMULUDQ Z17, t0, t2       \
	VPMULUDQ Z18, l, t3        \
	VPMULUDQ Z18, t0, t0       \
	VPSRLQ   $32, t1, t1       \
	VPADDQ   t1, t2, t2        \
	VPANDQ   Z22, t2, t1       \
	VPADDQ   t1, t3, t3        \
	VPSRLQ   $32, t2, t2       \
	VPSRLQ   $32, t3, t3       \
	VPADDQ   t2, t0, t0        \
	VPADDQ   t3, t0, t0        \
	VPMULLQ  Z17, h, t1        \
	VPMULLQ  Z16, l, t2        \
	VPADDQ   t2, t1, t1        \
	VPADDQ   t1, t0, t0        \
	VPMULLQ  Z17, l, l         \
	VPADDQ   Z20, l, l         \
	VPCMPUQ  $1, Z20, l, k     \
	VPADDQ   Z19, t0, h        \
	VPADDQ   Z21, h, k, h

// DRAW sets k to the lanes whose draw from the states h, l is kept: dxsm,
// then u = bits 32 to 55 of the draw, kept when u >= t. t0 and t1 are
// scratch.
#define DRAW(h, l, k, t0, t1) \
	VPSRLQ  $32, h, t0  \
	VPXORQ  h, t0, t0   \
	VPMULLQ Z23, t0, t0 \
	VPSRLQ  $48, t0, t1 \
	VPXORQ  t1, t0, t0  \
	VPORQ   Z21, l, t1  \
	VPMULLQ t1, t0, t0  \
	VPSRLQ  $32, t0, t0 \
	VPANDQ  Z24, t0, t0 \
	VPCMPUQ $5, Z25, t0, k

// func dropoutAVX512(y, mask, x []float32, state *[2]uint64, t uint32, scale float32, j *jumpTable)
//
// len(x) is a positive multiple of 16; y and mask are as long. j points
// to dropoutJumps.
TEXT ·dropoutAVX512(SB), NOSPLIT, $0-96
	MOVQ y_base+0(FP), DI
	MOVQ mask_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ state+72(FP), AX
	MOVQ j+88(FP), BX
	SHRQ $4, CX
	JZ   done

	MOVL         t+80(FP), R8
	VPBROADCASTQ R8, Z25
	VBROADCASTSS scale+84(FP), Z26
	MOVQ         $1, R8
	VPBROADCASTQ R8, Z21
	MOVL         $0xffffffff, R8
	VPBROADCASTQ R8, Z22
	MOVQ         $0xda942042e4dd58b5, R8
	VPBROADCASTQ R8, Z23
	MOVL         $0xffffff, R8
	VPBROADCASTQ R8, Z24

	// The states of the first 16 draws: the incoming state through
	// first[0] (lanes of A) and first[1] (lanes of B).
	VPBROADCASTQ 0(AX), Z0
	VPBROADCASTQ 8(AX), Z1
	VMOVDQA64    Z0, Z2
	VMOVDQA64    Z1, Z3
	LOADMAP(0)
	STEP(Z0, Z1, K1, Z4, Z5, Z6, Z7)
	LOADMAP(256)
	STEP(Z2, Z3, K2, Z10, Z11, Z12, Z13)
	LOADMAP(512)

loop:
	DRAW(Z0, Z1, K1, Z4, Z5)
	DRAW(Z2, Z3, K2, Z10, Z11)
	KUNPCKBW  K1, K2, K3   // K1 in the low 8 bits, K2 in the high 8
	VMOVAPS.Z Z26, K3, Z6  // the masks: scale where kept, +0 where dropped
	VMULPS    (SI), Z6, Z7 // mask * x: the mask's NaN where both are NaN
	VMOVUPS   Z6, (DX)
	VMOVUPS   Z7, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DX
	ADDQ      $64, DI
	DECQ      CX
	JZ        last
	STEP(Z0, Z1, K1, Z4, Z5, Z6, Z7)
	STEP(Z2, Z3, K2, Z10, Z11, Z12, Z13)
	JMP       loop

last:
	// The state after the last draw: lane 7 of B.
	VALIGNQ $7, Z2, Z2, Z4
	VALIGNQ $7, Z3, Z3, Z5
	VMOVQ   X4, 0(AX)
	VMOVQ   X5, 8(AX)
	VZEROUPPER

done:
	RET
