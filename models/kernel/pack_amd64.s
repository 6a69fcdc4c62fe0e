//go:build !purego

#include "textflag.h"
#include "shuffle_amd64.h"

// func transpose8AVX2(dst []float32, w int, src []float32, ld, n int)
//
// dst[t*w+j] = src[j*ld+t] for j < 8 and t < n (a multiple of 8), by 8 x 8
// blocks: the low lanes of Y0..Y3 hold 4 steps of columns 0..3 and their
// high lanes the same steps of columns 4..7, so one in-lane 4 x 4 transpose
// yields four whole destination rows; Y4..Y7 do the next 4 steps.
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ w+24(FP), DX
	SHLQ $2, DX
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), BX
	SHLQ $2, BX
	MOVQ n+64(FP), CX
	SHRQ $3, CX
	JZ   done
	LEAQ (BX)(BX*2), R8  // 3 source rows
	LEAQ (SI)(BX*4), R9  // column 4
	LEAQ (DX)(DX*2), R10 // 3 destination rows
	LEAQ (DI)(DX*4), R11 // destination row 4

loop:
	VMOVUPS     (SI), X0
	VMOVUPS     (SI)(BX*1), X1
	VMOVUPS     (SI)(BX*2), X2
	VMOVUPS     (SI)(R8*1), X3
	VINSERTF128 $1, (R9), Y0, Y0
	VINSERTF128 $1, (R9)(BX*1), Y1, Y1
	VINSERTF128 $1, (R9)(BX*2), Y2, Y2
	VINSERTF128 $1, (R9)(R8*1), Y3, Y3
	VMOVUPS     16(SI), X4
	VMOVUPS     16(SI)(BX*1), X5
	VMOVUPS     16(SI)(BX*2), X6
	VMOVUPS     16(SI)(R8*1), X7
	VINSERTF128 $1, 16(R9), Y4, Y4
	VINSERTF128 $1, 16(R9)(BX*1), Y5, Y5
	VINSERTF128 $1, 16(R9)(BX*2), Y6, Y6
	VINSERTF128 $1, 16(R9)(R8*1), Y7, Y7
	TRANSPOSE4(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	VMOVUPS     Y12, (DI)
	VMOVUPS     Y13, (DI)(DX*1)
	VMOVUPS     Y14, (DI)(DX*2)
	VMOVUPS     Y15, (DI)(R10*1)
	TRANSPOSE4(Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	VMOVUPS     Y12, (R11)
	VMOVUPS     Y13, (R11)(DX*1)
	VMOVUPS     Y14, (R11)(DX*2)
	VMOVUPS     Y15, (R11)(R10*1)
	ADDQ        $32, SI
	ADDQ        $32, R9
	LEAQ        (DI)(DX*8), DI
	LEAQ        (R11)(DX*8), R11
	DECQ        CX
	JNZ         loop
	VZEROUPPER

done:
	RET

// func copyRowsAVX2(dst []float32, w int, src []float32, ld, cols, n int)
//
// Copies n rows of cols values (a positive multiple of 8) from src, rows ld
// apart, to dst, rows w apart, 8 values per move.
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ w+24(FP), DX
	SHLQ $2, DX
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), BX
	SHLQ $2, BX
	MOVQ cols+64(FP), R8
	SHLQ $2, R8
	MOVQ n+72(FP), CX
	TESTQ CX, CX
	JZ   copydone

copyrow:
	XORQ AX, AX

copyblock:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, R8
	JLT     copyblock
	ADDQ    BX, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     copyrow
	VZEROUPPER

copydone:
	RET
