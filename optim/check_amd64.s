//go:build !purego

#include "textflag.h"

// func nonFiniteAVX2(x *float32, n int) bool
//
// checkGrads' test on 32 elements at a time: (bits & 0x7f800000) + 0x00800000
// carries into bit 31 exactly for NaN and +-Inf; the results are OR-ed in
// four accumulators and bit 31 of any lane decides.
TEXT ·nonFiniteAVX2(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), DX
	MOVL $0x7f800000, AX
	MOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x00800000, AX
	MOVD AX, X14
	VPBROADCASTD X14, Y14
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	XORQ CX, CX

nonFiniteLoop:
	VPAND   (SI)(CX*4), Y15, Y4
	VPAND   32(SI)(CX*4), Y15, Y5
	VPAND   64(SI)(CX*4), Y15, Y6
	VPAND   96(SI)(CX*4), Y15, Y7
	VPADDD  Y14, Y4, Y4
	VPADDD  Y14, Y5, Y5
	VPADDD  Y14, Y6, Y6
	VPADDD  Y14, Y7, Y7
	VPOR    Y4, Y0, Y0
	VPOR    Y5, Y1, Y1
	VPOR    Y6, Y2, Y2
	VPOR    Y7, Y3, Y3
	ADDQ $32, CX
	CMPQ CX, DX
	JLT  nonFiniteLoop

	VPOR      Y1, Y0, Y0
	VPOR      Y3, Y2, Y2
	VPOR      Y2, Y0, Y0
	VMOVMSKPS Y0, AX
	TESTL     AX, AX
	SETNE     ret+16(FP)
	VZEROUPPER
	RET
