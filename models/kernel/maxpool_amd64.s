//go:build !purego

#include "textflag.h"
#include "shuffle_amd64.h"

// lanes2 is 0, 2, ..., 14: the offset in x of each lane's window.
DATA lanes2<>+0(SB)/4, $0
DATA lanes2<>+4(SB)/4, $2
DATA lanes2<>+8(SB)/4, $4
DATA lanes2<>+12(SB)/4, $6
DATA lanes2<>+16(SB)/4, $8
DATA lanes2<>+20(SB)/4, $10
DATA lanes2<>+24(SB)/4, $12
DATA lanes2<>+28(SB)/4, $14
GLOBL lanes2<>(SB), RODATA|NOPTR, $32

// func maxPool2x2AVX2(y []float32, am []int32, x []float32, w int, idx0 int32, keep uint32)
//
// Per group of 8 windows (16 values of each row, split into the pairs'
// first and second values): top = b > a, bottom = d > c and down =
// r1's choice > r0's choice as masks (ordered comparisons: false for
// NaNs), the value chosen by blends, and its offset top, or w + bottom
// when down, from the masks as integers (0 - mask). The ReLU mask is
// !(v <= 0) | keep, the comparison unordered so that NaNs pass.
TEXT ·maxPool2x2AVX2(SB), NOSPLIT, $0-88
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	MOVQ         am_base+24(FP), SI
	MOVQ         x_base+48(FP), R8
	MOVQ         w+72(FP), AX
	LEAQ         (R8)(AX*4), R9 // the second row
	SHRQ         $3, CX
	JZ           pooldone
	MOVQ         AX, X14
	VPBROADCASTD X14, Y14
	MOVL         idx0+80(FP), AX
	MOVQ         AX, X15
	VPBROADCASTD X15, Y15
	VPADDD       lanes2<>(SB), Y15, Y15 // idx0 + 2*lane
	MOVL         keep+84(FP), AX
	MOVQ         AX, X13
	VPBROADCASTD X13, Y13
	VPCMPEQD     Y12, Y12, Y12 // all ones
	MOVL         $16, AX
	MOVQ         AX, X11
	VPBROADCASTD X11, Y11

poolloop:
	VMOVUPS   (R8), Y0
	VMOVUPS   32(R8), Y1
	SPLIT8(Y0, Y1, Y2, Y3) // a, b: the first and second of each pair of r0
	VMOVUPS   (R9), Y0
	VMOVUPS   32(R9), Y1
	SPLIT8(Y0, Y1, Y4, Y5) // c, d: those of r1
	VCMPPS    $0x1e, Y2, Y3, Y6 // top: b > a
	VBLENDVPS Y6, Y3, Y2, Y2    // r0's choice
	VCMPPS    $0x1e, Y4, Y5, Y7 // bottom: d > c
	VBLENDVPS Y7, Y5, Y4, Y4    // r1's choice
	VCMPPS    $0x1e, Y2, Y4, Y8 // down: r1's > r0's
	VBLENDVPS Y8, Y4, Y2, Y2    // v
	VPXOR     Y0, Y0, Y0
	VPSUBD    Y6, Y0, Y3        // top as 0 or 1
	VPSUBD    Y7, Y0, Y5        // bottom as 0 or 1
	VPADDD    Y14, Y5, Y5       // w + bottom
	VBLENDVPS Y8, Y5, Y3, Y3    // the offset in the window
	VPADDD    Y15, Y3, Y3       // the index
	VCMPPS    $0x16, Y0, Y2, Y1 // !(v <= 0)
	VPOR      Y13, Y1, Y1       // m
	VANDPS    Y1, Y2, Y2
	VPXOR     Y12, Y1, Y1       // ^m
	VPOR      Y1, Y3, Y3
	VMOVUPS   Y2, (DI)
	VMOVDQU   Y3, (SI)
	VPADDD    Y11, Y15, Y15
	ADDQ      $64, R8
	ADDQ      $64, R9
	ADDQ      $32, DI
	ADDQ      $32, SI
	DECQ      CX
	JNZ       poolloop
	VZEROUPPER

pooldone:
	RET
