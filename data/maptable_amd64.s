//go:build !purego

#include "textflag.h"

// mapTablePerm orders the 64 source bytes of an iteration so that the
// in-lane unpacks below leave the values in source order: byte 16L+4j+s
// of the permuted vector is source byte 16j+4L+s (L and j 0 to 3, s 0 to 3).
DATA mapTablePerm<>+0(SB)/8, $0x1312111003020100
DATA mapTablePerm<>+8(SB)/8, $0x3332313023222120
DATA mapTablePerm<>+16(SB)/8, $0x1716151407060504
DATA mapTablePerm<>+24(SB)/8, $0x3736353427262524
DATA mapTablePerm<>+32(SB)/8, $0x1b1a19180b0a0908
DATA mapTablePerm<>+40(SB)/8, $0x3b3a39382b2a2928
DATA mapTablePerm<>+48(SB)/8, $0x1f1e1d1c0f0e0d0c
DATA mapTablePerm<>+56(SB)/8, $0x3f3e3d3c2f2e2d2c
GLOBL mapTablePerm<>(SB), RODATA|NOPTR, $64

// func mapTableAVX512(d []float32, s []uint8, p *[4][256]byte)
//
// len(s) is a positive multiple of 64 and d is at least as long. p holds
// the table's values as four planes of bytes (plane k: byte k of each
// value's bits), loaded into Z16-Z31 (plane k in Z16+4k to Z19+4k). Each
// 64 source bytes are looked up in every plane, two 128-entry halves under
// complementary masks (bit 7 of the byte), and the four planes' bytes
// interleaved back into 64 values.
TEXT ·mapTableAVX512(SB), NOSPLIT, $0-56
	MOVQ d_base+0(FP), DI
	MOVQ s_base+24(FP), SI
	MOVQ s_len+32(FP), CX
	MOVQ p+48(FP), AX
	SHRQ $6, CX

	VMOVDQU64 mapTablePerm<>(SB), Z15
	VMOVDQU64 0(AX), Z16
	VMOVDQU64 64(AX), Z17
	VMOVDQU64 128(AX), Z18
	VMOVDQU64 192(AX), Z19
	VMOVDQU64 256(AX), Z20
	VMOVDQU64 320(AX), Z21
	VMOVDQU64 384(AX), Z22
	VMOVDQU64 448(AX), Z23
	VMOVDQU64 512(AX), Z24
	VMOVDQU64 576(AX), Z25
	VMOVDQU64 640(AX), Z26
	VMOVDQU64 704(AX), Z27
	VMOVDQU64 768(AX), Z28
	VMOVDQU64 832(AX), Z29
	VMOVDQU64 896(AX), Z30
	VMOVDQU64 960(AX), Z31

loop:
	VPERMB    (SI), Z15, Z0
	VPMOVB2M  Z0, K1
	KNOTQ     K1, K2
	VMOVDQA64 Z0, Z3
	VMOVDQA64 Z0, Z4
	VMOVDQA64 Z0, Z5
	VMOVDQA64 Z0, Z6
	VPERMI2B  Z17, Z16, K2, Z3
	VPERMI2B  Z19, Z18, K1, Z3
	VPERMI2B  Z21, Z20, K2, Z4
	VPERMI2B  Z23, Z22, K1, Z4
	VPERMI2B  Z25, Z24, K2, Z5
	VPERMI2B  Z27, Z26, K1, Z5
	VPERMI2B  Z29, Z28, K2, Z6
	VPERMI2B  Z31, Z30, K1, Z6

	// Bytes 0 and 1, 2 and 3 of each value into words, then the words
	// into values: per 128-bit lane L, Z11 holds the permuted bytes 0-3
	// of the lane, Z12 4-7, Z13 8-11 and Z14 12-15, which are source
	// bytes 4L to 4L+3 of each group of 16.
	VPUNPCKLBW Z4, Z3, Z7
	VPUNPCKHBW Z4, Z3, Z8
	VPUNPCKLBW Z6, Z5, Z9
	VPUNPCKHBW Z6, Z5, Z10
	VPUNPCKLWD Z9, Z7, Z11
	VPUNPCKHWD Z9, Z7, Z12
	VPUNPCKLWD Z10, Z8, Z13
	VPUNPCKHWD Z10, Z8, Z14
	VMOVDQU32  Z11, (DI)
	VMOVDQU32  Z12, 64(DI)
	VMOVDQU32  Z13, 128(DI)
	VMOVDQU32  Z14, 192(DI)
	ADDQ       $64, SI
	ADDQ       $256, DI
	DECQ       CX
	JNZ        loop
	VZEROUPPER
	RET
