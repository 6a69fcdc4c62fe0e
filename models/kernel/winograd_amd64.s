//go:build !purego

#include "textflag.h"

// SPLIT sets ev to the even and od to the odd elements of the 16 values
// lo, hi (in that order).
#define SPLIT(lo, hi, ev, od) \
	VSHUFPS $0x88, hi, lo, ev; \
	VSHUFPS $0xdd, hi, lo, od; \
	VPERMPD $0xd8, ev, ev; \
	VPERMPD $0xd8, od, od

// func bandColumnsAVX2(band []float32, ld int, d0, d1, d2, d3 []float32, groups int)
//
// Per group of 16 image columns: b0 = d0-d2, b1 = d1+d2, b2 = d2-d1,
// b3 = d1-d3 (each one subtraction or addition, first operand first as in
// the Go loop), the even columns of b_i to band row 2i+1 and the odd ones
// to band row 2i, one further on. DI addresses band rows 0 (+DX: row 1, and
// so on) and R13 rows 4 to 7; R12 is three rows.
TEXT ·bandColumnsAVX2(SB), NOSPLIT, $0-136
	MOVQ band_base+0(FP), DI
	MOVQ ld+24(FP), DX
	SHLQ $2, DX
	MOVQ d0_base+32(FP), R8
	MOVQ d1_base+56(FP), R9
	MOVQ d2_base+80(FP), R10
	MOVQ d3_base+104(FP), R11
	MOVQ groups+128(FP), CX
	TESTQ CX, CX
	JZ   cdone
	LEAQ (DX)(DX*2), R12
	LEAQ (DI)(DX*4), R13

cloop:
	VMOVUPS (R8), Y0
	VMOVUPS 32(R8), Y1
	VMOVUPS (R9), Y2
	VMOVUPS 32(R9), Y3
	VMOVUPS (R10), Y4
	VMOVUPS 32(R10), Y5
	VMOVUPS (R11), Y6
	VMOVUPS 32(R11), Y7

	VSUBPS  Y4, Y0, Y8 // d0 - d2
	VSUBPS  Y5, Y1, Y9
	SPLIT(Y8, Y9, Y10, Y11)
	VMOVUPS Y10, (DI)(DX*1)
	VMOVUPS Y11, 4(DI)

	VADDPS  Y4, Y2, Y8 // d1 + d2
	VADDPS  Y5, Y3, Y9
	SPLIT(Y8, Y9, Y10, Y11)
	VMOVUPS Y10, (DI)(R12*1)
	VMOVUPS Y11, 4(DI)(DX*2)

	VSUBPS  Y2, Y4, Y8 // d2 - d1
	VSUBPS  Y3, Y5, Y9
	SPLIT(Y8, Y9, Y10, Y11)
	VMOVUPS Y10, (R13)(DX*1)
	VMOVUPS Y11, 4(R13)

	VSUBPS  Y6, Y2, Y8 // d1 - d3
	VSUBPS  Y7, Y3, Y9
	SPLIT(Y8, Y9, Y10, Y11)
	VMOVUPS Y10, (R13)(R12*1)
	VMOVUPS Y11, 4(R13)(DX*2)

	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $32, DI
	ADDQ $32, R13
	DECQ CX
	JNZ  cloop
	VZEROUPPER

cdone:
	RET

// func bandRowsAVX2(dst []float32, size int, band []float32, ld, m, groups int)
//
// Per group of 8 tiles and band row pair i (e = row 2i, o = row 2i+1, from
// tile m): dst rows 4i .. 4i+3 get e-e', o+e', e'-o and o-o', where e' and
// o' are the next tile's. DI and R13 address the band as in
// bandColumnsAVX2; SI, R8, R9 and R10 dst rows 0, 4, 8 and 12 (+BX a row,
// R11 three rows).
TEXT ·bandRowsAVX2(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), SI
	MOVQ size+24(FP), BX
	SHLQ $2, BX
	MOVQ band_base+32(FP), DI
	MOVQ ld+56(FP), DX
	SHLQ $2, DX
	MOVQ m+64(FP), AX
	LEAQ (DI)(AX*4), DI
	MOVQ groups+72(FP), CX
	TESTQ CX, CX
	JZ   rdone
	LEAQ (DX)(DX*2), R12
	LEAQ (DI)(DX*4), R13
	LEAQ (BX)(BX*2), R11
	LEAQ (SI)(BX*4), R8
	LEAQ (R8)(BX*4), R9
	LEAQ (R9)(BX*4), R10

// ROWS computes dst rows 4i .. 4i+3 at out from e, e', o and o' at ea,
// ea1, oa and oa1.
#define ROWS(ea, ea1, oa, oa1, out) \
	VMOVUPS ea, Y0; \
	VMOVUPS ea1, Y1; \
	VMOVUPS oa, Y2; \
	VMOVUPS oa1, Y3; \
	VSUBPS  Y1, Y0, Y4; \
	VADDPS  Y1, Y2, Y5; \
	VSUBPS  Y2, Y1, Y6; \
	VSUBPS  Y3, Y2, Y7; \
	VMOVUPS Y4, (out); \
	VMOVUPS Y5, (out)(BX*1); \
	VMOVUPS Y6, (out)(BX*2); \
	VMOVUPS Y7, (out)(R11*1)

rloop:
	ROWS((DI), 4(DI), (DI)(DX*1), 4(DI)(DX*1), SI)
	ROWS((DI)(DX*2), 4(DI)(DX*2), (DI)(R12*1), 4(DI)(R12*1), R8)
	ROWS((R13), 4(R13), (R13)(DX*1), 4(R13)(DX*1), R9)
	ROWS((R13)(DX*2), 4(R13)(DX*2), (R13)(R12*1), 4(R13)(R12*1), R10)
	ADDQ $32, DI
	ADDQ $32, R13
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  rloop
	VZEROUPPER

rdone:
	RET

// func outputRowsAVX2(row0, row1, p []float32, size, mode int, beta float32, groups int)
//
// Per group of 8 tiles: the columns' transforms t0k = (p0k+p1k)+p2k and
// t1k = (p1k-p2k)-p3k, then y00 = (t00+t01)+t02, y01 = (t01-t02)-t03 and
// the same from t1k for y10, y11, in the Go loop's order; the pairs
// (y00, y01) and (y10, y11) are interleaved into 16 values of row0 and
// row1. Mode 1 adds the old values (y + old), mode 2 fuses beta*old + y.
// SI, R8, R9 and R10 address products 0, 4, 8 and 12 (+BX one, R11 three).
TEXT ·outputRowsAVX2(SB), NOSPLIT, $0-104
	MOVQ row0_base+0(FP), DI
	MOVQ row1_base+24(FP), DX
	MOVQ p_base+48(FP), SI
	MOVQ size+72(FP), BX
	SHLQ $2, BX
	MOVQ mode+80(FP), AX
	MOVQ groups+96(FP), CX
	TESTQ CX, CX
	JZ   odone
	LEAQ (BX)(BX*2), R11
	LEAQ (SI)(BX*4), R8
	LEAQ (R8)(BX*4), R9
	LEAQ (R9)(BX*4), R10

oloop:
	VMOVUPS (SI), Y0
	VMOVUPS (R8), Y1
	VMOVUPS (R9), Y2
	VMOVUPS (R10), Y3
	VADDPS  Y1, Y0, Y8
	VADDPS  Y2, Y8, Y8
	VSUBPS  Y2, Y1, Y12
	VSUBPS  Y3, Y12, Y12
	VMOVUPS (SI)(BX*1), Y0
	VMOVUPS (R8)(BX*1), Y1
	VMOVUPS (R9)(BX*1), Y2
	VMOVUPS (R10)(BX*1), Y3
	VADDPS  Y1, Y0, Y9
	VADDPS  Y2, Y9, Y9
	VSUBPS  Y2, Y1, Y13
	VSUBPS  Y3, Y13, Y13
	VMOVUPS (SI)(BX*2), Y0
	VMOVUPS (R8)(BX*2), Y1
	VMOVUPS (R9)(BX*2), Y2
	VMOVUPS (R10)(BX*2), Y3
	VADDPS  Y1, Y0, Y10
	VADDPS  Y2, Y10, Y10
	VSUBPS  Y2, Y1, Y14
	VSUBPS  Y3, Y14, Y14
	VMOVUPS (SI)(R11*1), Y0
	VMOVUPS (R8)(R11*1), Y1
	VMOVUPS (R9)(R11*1), Y2
	VMOVUPS (R10)(R11*1), Y3
	VADDPS  Y1, Y0, Y11
	VADDPS  Y2, Y11, Y11
	VSUBPS  Y2, Y1, Y15
	VSUBPS  Y3, Y15, Y15

	// y00 = (t00+t01)+t02 and y01 = (t01-t02)-t03 in Y0, Y1; y10, y11
	// from t1k in Y2, Y3.
	VADDPS Y9, Y8, Y0
	VADDPS Y10, Y0, Y0
	VSUBPS Y10, Y9, Y1
	VSUBPS Y11, Y1, Y1
	VADDPS Y13, Y12, Y2
	VADDPS Y14, Y2, Y2
	VSUBPS Y14, Y13, Y3
	VSUBPS Y15, Y3, Y3

	// Interleave: Y4, Y5 = y00[0], y01[0], ..., y00[7], y01[7]; Y6, Y7
	// the same of y10, y11.
	VUNPCKLPS  Y1, Y0, Y8
	VUNPCKHPS  Y1, Y0, Y9
	VPERM2F128 $0x20, Y9, Y8, Y4
	VPERM2F128 $0x31, Y9, Y8, Y5
	VUNPCKLPS  Y3, Y2, Y8
	VUNPCKHPS  Y3, Y2, Y9
	VPERM2F128 $0x20, Y9, Y8, Y6
	VPERM2F128 $0x31, Y9, Y8, Y7

	CMPQ AX, $1
	JEQ  oadd
	JGT  ofma

ostore:
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  oloop
	VZEROUPPER

odone:
	RET

oadd: // y + old
	VADDPS (DI), Y4, Y4
	VADDPS 32(DI), Y5, Y5
	VADDPS (DX), Y6, Y6
	VADDPS 32(DX), Y7, Y7
	JMP  ostore

ofma: // beta*old + y, one rounding
	VBROADCASTSS beta+88(FP), Y8
	VFMADD231PS  (DI), Y8, Y4
	VFMADD231PS  32(DI), Y8, Y5
	VFMADD231PS  (DX), Y8, Y6
	VFMADD231PS  32(DX), Y8, Y7
	JMP  ostore
