//go:build !purego

#include "textflag.h"
#include "shuffle_amd64.h"

// The Winograd transforms of winograd.go on 8 tiles (16 image columns) at
// a time in ymm registers, and on one last group of 4 tiles (8 columns) in
// xmm registers when asked (tail = 1), for images as narrow as 8. Every
// value is one addition or subtraction with the operands in the Go loop's
// order, so the results are the Go loop's bits.

// BANDCOLS computes the band entries of a group of image columns whose
// four rows' values are in (d0lo, d0hi) .. (d3lo, d3hi): b0 = d0-d2,
// b1 = d1+d2, b2 = d2-d1 and b3 = d1-d3, each split by SPLIT into its even
// columns (to band row 2i+1) and odd ones (to band row 2i, one further
// on). DI addresses band row 0 (+DX a row, R12 three rows), R13 row 4.
#define BANDCOLS(d0lo, d0hi, d1lo, d1hi, d2lo, d2hi, d3lo, d3hi, b, c, ev, od, SPLIT) \
	VSUBPS  d2lo, d0lo, b; \
	VSUBPS  d2hi, d0hi, c; \
	SPLIT(b, c, ev, od); \
	VMOVUPS ev, (DI)(DX*1); \
	VMOVUPS od, 4(DI); \
	VADDPS  d2lo, d1lo, b; \
	VADDPS  d2hi, d1hi, c; \
	SPLIT(b, c, ev, od); \
	VMOVUPS ev, (DI)(R12*1); \
	VMOVUPS od, 4(DI)(DX*2); \
	VSUBPS  d1lo, d2lo, b; \
	VSUBPS  d1hi, d2hi, c; \
	SPLIT(b, c, ev, od); \
	VMOVUPS ev, (R13)(DX*1); \
	VMOVUPS od, 4(R13); \
	VSUBPS  d3lo, d1lo, b; \
	VSUBPS  d3hi, d1hi, c; \
	SPLIT(b, c, ev, od); \
	VMOVUPS ev, (R13)(R12*1); \
	VMOVUPS od, 4(R13)(DX*2)

// SPLIT4 sets ev to the even and od to the odd elements of the 8 values
// lo, hi (in that order) in xmm registers, as SPLIT8 (shuffle_amd64.h)
// does for 16 in ymm registers.
#define SPLIT4(lo, hi, ev, od) \
	VSHUFPS $0x88, hi, lo, ev; \
	VSHUFPS $0xdd, hi, lo, od

// func bandColumnsAVX2(band []float32, ld int, d0, d1, d2, d3 []float32, groups, tail int)
//
// The band entries of the first 16*groups + 8*tail image columns.
TEXT ·bandColumnsAVX2(SB), NOSPLIT, $0-144
	MOVQ  band_base+0(FP), DI
	MOVQ  ld+24(FP), DX
	SHLQ  $2, DX
	MOVQ  d0_base+32(FP), R8
	MOVQ  d1_base+56(FP), R9
	MOVQ  d2_base+80(FP), R10
	MOVQ  d3_base+104(FP), R11
	MOVQ  groups+128(FP), CX
	LEAQ  (DX)(DX*2), R12
	LEAQ  (DI)(DX*4), R13
	TESTQ CX, CX
	JZ    ctail

cloop:
	VMOVUPS (R8), Y0
	VMOVUPS 32(R8), Y1
	VMOVUPS (R9), Y2
	VMOVUPS 32(R9), Y3
	VMOVUPS (R10), Y4
	VMOVUPS 32(R10), Y5
	VMOVUPS (R11), Y6
	VMOVUPS 32(R11), Y7
	BANDCOLS(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, SPLIT8)
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R10
	ADDQ    $64, R11
	ADDQ    $32, DI
	ADDQ    $32, R13
	DECQ    CX
	JNZ     cloop

ctail:
	CMPQ    tail+136(FP), $0
	JEQ     cdone
	VMOVUPS (R8), X0
	VMOVUPS 16(R8), X1
	VMOVUPS (R9), X2
	VMOVUPS 16(R9), X3
	VMOVUPS (R10), X4
	VMOVUPS 16(R10), X5
	VMOVUPS (R11), X6
	VMOVUPS 16(R11), X7
	BANDCOLS(X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, SPLIT4)

cdone:
	VZEROUPPER
	RET

// BANDROWS writes dst rows 4i .. 4i+3 at out (+BX a row, R11 three rows)
// from e, e', o and o' (band rows 2i and 2i+1 from the group's first tile,
// and from the next) at ea, ea1, oa and oa1: e-e', o+e', e'-o and o-o'.
#define BANDROWS(ea, ea1, oa, oa1, out, e, e1, o, o1, r0, r1, r2, r3) \
	VMOVUPS ea, e; \
	VMOVUPS ea1, e1; \
	VMOVUPS oa, o; \
	VMOVUPS oa1, o1; \
	VSUBPS  e1, e, r0; \
	VADDPS  e1, o, r1; \
	VSUBPS  o, e1, r2; \
	VSUBPS  o1, o, r3; \
	VMOVUPS r0, (out); \
	VMOVUPS r1, (out)(BX*1); \
	VMOVUPS r2, (out)(BX*2); \
	VMOVUPS r3, (out)(R11*1)

// ALLROWS is BANDROWS for the four pairs of band rows (DI addresses band
// row 0, +DX a row, R12 three rows, R13 row 4) to dst rows 0, 4, 8 and 12
// (SI, R8, R9, R10).
#define ALLROWS(e, e1, o, o1, r0, r1, r2, r3) \
	BANDROWS((DI), 4(DI), (DI)(DX*1), 4(DI)(DX*1), SI, e, e1, o, o1, r0, r1, r2, r3); \
	BANDROWS((DI)(DX*2), 4(DI)(DX*2), (DI)(R12*1), 4(DI)(R12*1), R8, e, e1, o, o1, r0, r1, r2, r3); \
	BANDROWS((R13), 4(R13), (R13)(DX*1), 4(R13)(DX*1), R9, e, e1, o, o1, r0, r1, r2, r3); \
	BANDROWS((R13)(DX*2), 4(R13)(DX*2), (R13)(R12*1), 4(R13)(R12*1), R10, e, e1, o, o1, r0, r1, r2, r3)

// func bandRowsAVX2(dst []float32, size int, band []float32, ld, m, groups, tail int)
//
// The input transforms of the band's tiles m .. m+8*groups+4*tail-1.
TEXT ·bandRowsAVX2(SB), NOSPLIT, $0-88
	MOVQ  dst_base+0(FP), SI
	MOVQ  size+24(FP), BX
	SHLQ  $2, BX
	MOVQ  band_base+32(FP), DI
	MOVQ  ld+56(FP), DX
	SHLQ  $2, DX
	MOVQ  m+64(FP), AX
	LEAQ  (DI)(AX*4), DI
	MOVQ  groups+72(FP), CX
	LEAQ  (DX)(DX*2), R12
	LEAQ  (DI)(DX*4), R13
	LEAQ  (BX)(BX*2), R11
	LEAQ  (SI)(BX*4), R8
	LEAQ  (R8)(BX*4), R9
	LEAQ  (R9)(BX*4), R10
	TESTQ CX, CX
	JZ    rtail

rloop:
	ALLROWS(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ $32, DI
	ADDQ $32, R13
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  rloop

rtail:
	CMPQ tail+80(FP), $0
	JEQ  rdone
	ALLROWS(X0, X1, X2, X3, X4, X5, X6, X7)

rdone:
	VZEROUPPER
	RET

// OUTCOL sets t0 = (p0+p1)+p2 and t1 = (p1-p2)-p3 for the products p0 .. p3
// at a0 .. a3 (a column of the tiles' 4 x 4 products), p0 .. p3 scratch.
#define OUTCOL(a0, a1, a2, a3, p0, p1, p2, p3, t0, t1) \
	VMOVUPS a0, p0; \
	VMOVUPS a1, p1; \
	VMOVUPS a2, p2; \
	VMOVUPS a3, p3; \
	VADDPS  p1, p0, t0; \
	VADDPS  p2, t0, t0; \
	VSUBPS  p2, p1, t1; \
	VSUBPS  p3, t1, t1

// OUTROW sets y0 = (t0+t1)+t2 and y1 = (t1-t2)-t3, a row of the tiles'
// 2 x 2 outputs.
#define OUTROW(t0, t1, t2, t3, y0, y1) \
	VADDPS t1, t0, y0; \
	VADDPS t2, y0, y0; \
	VSUBPS t2, t1, y1; \
	VSUBPS t3, y1, y1

// OUTPUTS computes the tiles' outputs y00, y01, y10, y11 into y0 .. y3 from
// the products at SI, R8, R9 and R10 (products 0, 4, 8 and 12; +BX one
// product, R11 three), with p0 .. p3 as scratch and t0 .. t7 for the
// columns' transforms.
#define OUTPUTS(p0, p1, p2, p3, t0, t1, t2, t3, t4, t5, t6, t7, y0, y1, y2, y3) \
	OUTCOL((SI), (R8), (R9), (R10), p0, p1, p2, p3, t0, t4); \
	OUTCOL((SI)(BX*1), (R8)(BX*1), (R9)(BX*1), (R10)(BX*1), p0, p1, p2, p3, t1, t5); \
	OUTCOL((SI)(BX*2), (R8)(BX*2), (R9)(BX*2), (R10)(BX*2), p0, p1, p2, p3, t2, t6); \
	OUTCOL((SI)(R11*1), (R8)(R11*1), (R9)(R11*1), (R10)(R11*1), p0, p1, p2, p3, t3, t7); \
	OUTROW(t0, t1, t2, t3, y0, y1); \
	OUTROW(t4, t5, t6, t7, y2, y3)

// OLDADD adds the old values at (DI), off(DI), (DX) and off(DX) to v0 ..
// v3 (v + old, mode 1); OLDFMA fuses them with beta in b (beta*old + v,
// mode 2); NEWSTORE writes v0 .. v3 there.
#define OLDADD(v0, v1, v2, v3, off) \
	VADDPS (DI), v0, v0; \
	VADDPS off(DI), v1, v1; \
	VADDPS (DX), v2, v2; \
	VADDPS off(DX), v3, v3

#define OLDFMA(v0, v1, v2, v3, off, b) \
	VFMADD231PS (DI), b, v0; \
	VFMADD231PS off(DI), b, v1; \
	VFMADD231PS (DX), b, v2; \
	VFMADD231PS off(DX), b, v3

#define NEWSTORE(v0, v1, v2, v3, off) \
	VMOVUPS v0, (DI); \
	VMOVUPS v1, off(DI); \
	VMOVUPS v2, (DX); \
	VMOVUPS v3, off(DX)

// func outputRowsAVX2(row0, row1, p []float32, size, mode int, beta float32, groups, tail int)
//
// The outputs of the first 8*groups + 4*tail tiles: y00 and y01 of each
// tile interleaved into row0, y10 and y11 into row1.
TEXT ·outputRowsAVX2(SB), NOSPLIT, $0-112
	MOVQ         row0_base+0(FP), DI
	MOVQ         row1_base+24(FP), DX
	MOVQ         p_base+48(FP), SI
	MOVQ         size+72(FP), BX
	SHLQ         $2, BX
	MOVQ         mode+80(FP), AX
	VBROADCASTSS beta+88(FP), Y15
	MOVQ         groups+96(FP), CX
	LEAQ         (BX)(BX*2), R11
	LEAQ         (SI)(BX*4), R8
	LEAQ         (R8)(BX*4), R9
	LEAQ         (R9)(BX*4), R10
	TESTQ        CX, CX
	JZ           otail

oloop:
	OUTPUTS(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y3)
	// Interleave (y00, y01) and (y10, y11) into 16 values each.
	VUNPCKLPS  Y13, Y12, Y0
	VUNPCKHPS  Y13, Y12, Y1
	VPERM2F128 $0x20, Y1, Y0, Y4
	VPERM2F128 $0x31, Y1, Y0, Y5
	VUNPCKLPS  Y3, Y14, Y0
	VUNPCKHPS  Y3, Y14, Y1
	VPERM2F128 $0x20, Y1, Y0, Y6
	VPERM2F128 $0x31, Y1, Y0, Y7
	CMPQ       AX, $1
	JEQ        oadd
	JGT        ofma

ostore:
	NEWSTORE(Y4, Y5, Y6, Y7, 32)
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	ADDQ       $64, DI
	ADDQ       $64, DX
	DECQ       CX
	JNZ        oloop
	JMP        otail

oadd:
	OLDADD(Y4, Y5, Y6, Y7, 32)
	JMP ostore

ofma:
	OLDFMA(Y4, Y5, Y6, Y7, 32, Y15)
	JMP ostore

otail:
	CMPQ      tail+104(FP), $0
	JEQ       odone
	OUTPUTS(X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X3)
	VUNPCKLPS X13, X12, X4
	VUNPCKHPS X13, X12, X5
	VUNPCKLPS X3, X14, X6
	VUNPCKHPS X3, X14, X7
	CMPQ      AX, $1
	JLT       tstore
	JEQ       tadd
	OLDFMA(X4, X5, X6, X7, 16, X15)
	JMP       tstore

tadd:
	OLDADD(X4, X5, X6, X7, 16)

tstore:
	NEWSTORE(X4, X5, X6, X7, 16)

odone:
	VZEROUPPER
	RET

// GRADROW writes p, p+q, p-q and -q to the dst row at out and the next
// three (+BX a row, R11 three rows); Y15 (X15) holds the sign bits, t is
// scratch.
#define GRADROW(p, q, out, sign, t) \
	VMOVUPS p, (out); \
	VADDPS  q, p, t; \
	VMOVUPS t, (out)(BX*1); \
	VSUBPS  q, p, t; \
	VMOVUPS t, (out)(BX*2); \
	VXORPS  sign, q, t; \
	VMOVUPS t, (out)(R11*1)

// GRADTILES computes A y A^T of the tiles whose values y00, y01 (row 0)
// and y10, y11 (row 1) are in the registers of those names: the columns'
// transform (y0, y0+y1, y0-y1, -y1 of each column), then the rows' of each
// of its rows p, q into dst rows 0, 4, 8 and 12 (SI, R8, R9, R10).
#define GRADTILES(y00, y01, y10, y11, sign, p, q, t) \
	GRADROW(y00, y01, SI, sign, t); \
	VADDPS y10, y00, p; \
	VADDPS y11, y01, q; \
	GRADROW(p, q, R8, sign, t); \
	VSUBPS y10, y00, p; \
	VSUBPS y11, y01, q; \
	GRADROW(p, q, R9, sign, t); \
	VXORPS sign, y10, p; \
	VXORPS sign, y11, q; \
	GRADROW(p, q, R10, sign, t)

// func gradRowsAVX2(dst []float32, size int, row0, row1 []float32, groups, tail int)
//
// The output-gradient transforms of the first 8*groups + 4*tail whole
// tiles whose two rows start row0 and row1, tile j's values at columns 2j
// and 2j+1.
TEXT ·gradRowsAVX2(SB), NOSPLIT, $0-96
	MOVQ         dst_base+0(FP), SI
	MOVQ         size+24(FP), BX
	SHLQ         $2, BX
	MOVQ         row0_base+32(FP), DI
	MOVQ         row1_base+56(FP), DX
	MOVQ         groups+80(FP), CX
	LEAQ         (BX)(BX*2), R11
	LEAQ         (SI)(BX*4), R8
	LEAQ         (R8)(BX*4), R9
	LEAQ         (R9)(BX*4), R10
	MOVL         $0x80000000, AX
	MOVQ         AX, X15
	VPBROADCASTD X15, Y15
	TESTQ        CX, CX
	JZ           gtail

gloop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS (DX), Y2
	VMOVUPS 32(DX), Y3
	SPLIT8(Y0, Y1, Y4, Y5)
	SPLIT8(Y2, Y3, Y6, Y7)
	GRADTILES(Y4, Y5, Y6, Y7, Y15, Y8, Y9, Y10)
	ADDQ    $64, DI
	ADDQ    $64, DX
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R10
	DECQ    CX
	JNZ     gloop

gtail:
	CMPQ    tail+88(FP), $0
	JEQ     gdone
	VMOVUPS (DI), X0
	VMOVUPS 16(DI), X1
	VMOVUPS (DX), X2
	VMOVUPS 16(DX), X3
	SPLIT4(X0, X1, X4, X5)
	SPLIT4(X2, X3, X6, X7)
	GRADTILES(X4, X5, X6, X7, X15, X8, X9, X10)

gdone:
	VZEROUPPER
	RET

// GTROW sets the row of G^T u whose columns come from the operands at
// offset 0, BX, 2*BX and R11 of the bases, into t0 .. t3, with ROW the
// row's expression from the column's u rows (see filterGradTile).
#define GTROW(ROW, t0, t1, t2, t3) \
	ROW((SI), (R8), (R9), (R10), t0); \
	ROW((SI)(BX*1), (R8)(BX*1), (R9)(BX*1), (R10)(BX*1), t1); \
	ROW((SI)(BX*2), (R8)(BX*2), (R9)(BX*2), (R10)(BX*2), t2); \
	ROW((SI)(R11*1), (R8)(R11*1), (R9)(R11*1), (R10)(R11*1), t3)

// GTROW0 .. GTROW2 compute row 0 (u0 + h), 1 ((u1-u2)/2) and 2 (h + u3)
// of G^T u for one column, h = (u1+u2)/2, every halving rounded on its own
// (Y15 holds 0.5); Y0 is scratch.
#define GTROW0(u0, u1, u2, u3, t) \
	VMOVUPS u1, Y0; \
	VADDPS  u2, Y0, Y0; \
	VMULPS  Y15, Y0, Y0; \
	VMOVUPS u0, t; \
	VADDPS  Y0, t, t

#define GTROW1(u0, u1, u2, u3, t) \
	VMOVUPS u1, t; \
	VSUBPS  u2, t, t; \
	VMULPS  Y15, t, t

#define GTROW2(u0, u1, u2, u3, t) \
	VMOVUPS u1, Y0; \
	VADDPS  u2, Y0, Y0; \
	VMULPS  Y15, Y0, Y0; \
	VADDPS  u3, Y0, t

// GTG sets g0, g1, g2 to the row t0 .. t3 of G^T u times G: t0 + h,
// (t1-t2)/2 and h + t3 with h = (t1+t2)/2 (in Y5).
#define GTG(t0, t1, t2, t3, g0, g1, g2) \
	VADDPS t2, t1, Y5; \
	VMULPS Y15, Y5, Y5; \
	VADDPS Y5, t0, g0; \
	VSUBPS t2, t1, g1; \
	VMULPS Y15, g1, g1; \
	VADDPS t3, Y5, g2

// func sumsRowAVX2(dst, m []float32, size, groups int)
//
// filterGradTile for 8*groups channels in a row of the 16 sums: lane l of
// a group takes channel c+l, whose 16 values are m[c+l], m[c+l+size], ...,
// m[c+l+15*size], and writes its 9 values to dst[9*(c+l)] .. dst[9*(c+l)+8]
// (the first 8 by an 8 x 8 transpose, the last one by one).
TEXT ·sumsRowAVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         m_base+24(FP), SI
	MOVQ         size+48(FP), BX
	SHLQ         $2, BX
	MOVQ         groups+56(FP), CX
	LEAQ         (BX)(BX*2), R11
	LEAQ         (SI)(BX*4), R8
	LEAQ         (R8)(BX*4), R9
	LEAQ         (R9)(BX*4), R10
	MOVL         $0x3f000000, AX
	MOVQ         AX, X15
	VPBROADCASTD X15, Y15
	TESTQ        CX, CX
	JZ           sdone

sloop:
	GTROW(GTROW0, Y1, Y2, Y3, Y4)
	GTG(Y1, Y2, Y3, Y4, Y6, Y7, Y8)
	GTROW(GTROW1, Y1, Y2, Y3, Y4)
	GTG(Y1, Y2, Y3, Y4, Y9, Y10, Y11)
	GTROW(GTROW2, Y1, Y2, Y3, Y4)
	GTG(Y1, Y2, Y3, Y4, Y12, Y13, Y14)

	// Y6 .. Y13 hold taps 0 .. 7 of the 8 channels, Y14 tap 8: transpose
	// the first eight into a row of 8 taps per channel.
	TRANSPOSE4(Y6, Y7, Y8, Y9, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9)
	TRANSPOSE4(Y10, Y11, Y12, Y13, Y0, Y1, Y2, Y3, Y10, Y11, Y12, Y13)
	VPERM2F128 $0x20, Y10, Y6, Y0
	VPERM2F128 $0x31, Y10, Y6, Y1
	VMOVUPS    Y0, (DI)
	VMOVUPS    Y1, 144(DI)
	VPERM2F128 $0x20, Y11, Y7, Y0
	VPERM2F128 $0x31, Y11, Y7, Y1
	VMOVUPS    Y0, 36(DI)
	VMOVUPS    Y1, 180(DI)
	VPERM2F128 $0x20, Y12, Y8, Y0
	VPERM2F128 $0x31, Y12, Y8, Y1
	VMOVUPS    Y0, 72(DI)
	VMOVUPS    Y1, 216(DI)
	VPERM2F128 $0x20, Y13, Y9, Y0
	VPERM2F128 $0x31, Y13, Y9, Y1
	VMOVUPS    Y0, 108(DI)
	VMOVUPS    Y1, 252(DI)
	VEXTRACTPS $0, X14, 32(DI)
	VEXTRACTPS $1, X14, 68(DI)
	VEXTRACTPS $2, X14, 104(DI)
	VEXTRACTPS $3, X14, 140(DI)
	VEXTRACTF128 $1, Y14, X14
	VEXTRACTPS $0, X14, 176(DI)
	VEXTRACTPS $1, X14, 212(DI)
	VEXTRACTPS $2, X14, 248(DI)
	VEXTRACTPS $3, X14, 284(DI)

	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $288, DI
	DECQ CX
	JNZ  sloop

sdone:
	VZEROUPPER
	RET
