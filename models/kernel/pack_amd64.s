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

// func transpose8W8AVX512(dst []float32, src []float32, ld, n int)
//
// dst[8*t+j] = src[j*ld+t] for j < 8 and t < n (a multiple of 8), by 8 x 8
// blocks: Z0..Z3 hold 8 steps of columns 0..3 in their low halves and of
// columns 4..7 in their high halves, so the in-lane 4 x 4 transpose leaves
// in output k the halves of rows k and k+4 (steps k, k+4 of columns 0..3 in
// lanes 0, 1, of columns 4..7 in lanes 2, 3). A lane shuffle of outputs k
// and k+1 gives rows k and k+1, one 64-byte store since w = 8; the other
// gives rows k+4 and k+5.
TEXT ·transpose8W8AVX512(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ ld+48(FP), BX
	SHLQ $2, BX
	MOVQ n+56(FP), CX
	SHRQ $3, CX
	JZ   done8w8
	LEAQ (BX)(BX*2), R8 // 3 source rows
	LEAQ (SI)(BX*4), R9 // column 4

loop8w8:
	VMOVUPS      (SI), Y0
	VINSERTF64X4 $1, (R9), Z0, Z0
	VMOVUPS      (SI)(BX*1), Y1
	VINSERTF64X4 $1, (R9)(BX*1), Z1, Z1
	VMOVUPS      (SI)(BX*2), Y2
	VINSERTF64X4 $1, (R9)(BX*2), Z2, Z2
	VMOVUPS      (SI)(R8*1), Y3
	VINSERTF64X4 $1, (R9)(R8*1), Z3, Z3
	TRANSPOSE4(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z0, Z1, Z2, Z3)
	VSHUFF32X4   $0x88, Z1, Z0, Z4
	VSHUFF32X4   $0x88, Z3, Z2, Z5
	VSHUFF32X4   $0xdd, Z1, Z0, Z6
	VSHUFF32X4   $0xdd, Z3, Z2, Z7
	VMOVUPS      Z4, (DI)
	VMOVUPS      Z5, 64(DI)
	VMOVUPS      Z6, 128(DI)
	VMOVUPS      Z7, 192(DI)
	ADDQ         $32, SI
	ADDQ         $32, R9
	ADDQ         $256, DI
	DECQ         CX
	JNZ          loop8w8
	VZEROUPPER

done8w8:
	RET

// func transpose16AVX512(dst []float32, w int, src []float32, ld, n int)
//
// dst[t*w+j] = src[j*ld+t] for j < 16 and t < n (a multiple of 8), by
// 16 x 8 blocks: columns 0..7 are transposed as in transpose8W8AVX512 (into
// Z0..Z3) and columns 8..15 likewise (into Z4..Z7); a lane shuffle of
// outputs k of both gives the whole 64-byte destination row k, the other
// row k+4.
TEXT ·transpose16AVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ w+24(FP), DX
	SHLQ $2, DX
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), BX
	SHLQ $2, BX
	MOVQ n+64(FP), CX
	SHRQ $3, CX
	JZ   done16
	LEAQ (BX)(BX*2), R8   // 3 source rows
	LEAQ (SI)(BX*4), R9   // column 4
	LEAQ (R9)(BX*4), R12  // column 8
	LEAQ (R12)(BX*4), R13 // column 12
	LEAQ (DX)(DX*2), R10  // 3 destination rows
	LEAQ (DI)(DX*4), R11  // destination row 4

loop16:
	VMOVUPS      (SI), Y0
	VINSERTF64X4 $1, (R9), Z0, Z0
	VMOVUPS      (SI)(BX*1), Y1
	VINSERTF64X4 $1, (R9)(BX*1), Z1, Z1
	VMOVUPS      (SI)(BX*2), Y2
	VINSERTF64X4 $1, (R9)(BX*2), Z2, Z2
	VMOVUPS      (SI)(R8*1), Y3
	VINSERTF64X4 $1, (R9)(R8*1), Z3, Z3
	VMOVUPS      (R12), Y4
	VINSERTF64X4 $1, (R13), Z4, Z4
	VMOVUPS      (R12)(BX*1), Y5
	VINSERTF64X4 $1, (R13)(BX*1), Z5, Z5
	VMOVUPS      (R12)(BX*2), Y6
	VINSERTF64X4 $1, (R13)(BX*2), Z6, Z6
	VMOVUPS      (R12)(R8*1), Y7
	VINSERTF64X4 $1, (R13)(R8*1), Z7, Z7
	TRANSPOSE4(Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11, Z0, Z1, Z2, Z3)
	TRANSPOSE4(Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z4, Z5, Z6, Z7)
	VSHUFF32X4   $0x88, Z4, Z0, Z8
	VSHUFF32X4   $0x88, Z5, Z1, Z9
	VSHUFF32X4   $0x88, Z6, Z2, Z10
	VSHUFF32X4   $0x88, Z7, Z3, Z11
	VSHUFF32X4   $0xdd, Z4, Z0, Z12
	VSHUFF32X4   $0xdd, Z5, Z1, Z13
	VSHUFF32X4   $0xdd, Z6, Z2, Z14
	VSHUFF32X4   $0xdd, Z7, Z3, Z15
	VMOVUPS      Z8, (DI)
	VMOVUPS      Z9, (DI)(DX*1)
	VMOVUPS      Z10, (DI)(DX*2)
	VMOVUPS      Z11, (DI)(R10*1)
	VMOVUPS      Z12, (R11)
	VMOVUPS      Z13, (R11)(DX*1)
	VMOVUPS      Z14, (R11)(DX*2)
	VMOVUPS      Z15, (R11)(R10*1)
	ADDQ         $32, SI
	ADDQ         $32, R9
	ADDQ         $32, R12
	ADDQ         $32, R13
	LEAQ         (DI)(DX*8), DI
	LEAQ         (R11)(DX*8), R11
	DECQ         CX
	JNZ          loop16
	VZEROUPPER

done16:
	RET
