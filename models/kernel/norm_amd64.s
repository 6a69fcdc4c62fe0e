//go:build !purego

#include "textflag.h"
#include "relu_amd64.h"

// The loops of norm.go on 4 float64 or 8 float32 lanes. The length
// (of v, g or src) is a multiple of 4 for the sums and of 8 for the
// others, possibly zero, and the other slices are as long (y may be nil).
// Every operation is the one the Go loop does on each element, with its
// operands in the order the Go compiler puts them in the twin loops (which
// decides the NaN kept when both are NaNs; the comments name the first),
// and no fused multiply-add where Go rounds a product on its own.

// func sum64AVX2(v []float32) [4]float64
TEXT ·sum64AVX2(SB), NOSPLIT, $0-56
	MOVQ    v_base+0(FP), SI
	MOVQ    v_len+8(FP), CX
	LEAQ    ret+24(FP), DI
	VXORPD  Y0, Y0, Y0
	SHRQ    $2, CX
	JZ      sumdone

sumloop:
	VCVTPS2PD (SI), Y1
	VADDPD    Y1, Y0, Y0
	ADDQ      $16, SI
	DECQ      CX
	JNZ       sumloop

sumdone:
	VMOVUPD Y0, (DI)
	VZEROUPPER
	RET

// func sum32AVX2(v []float32) [8]float32
TEXT ·sum32AVX2(SB), NOSPLIT, $0-56
	MOVQ   v_base+0(FP), SI
	MOVQ   v_len+8(FP), CX
	LEAQ   ret+24(FP), DI
	VXORPS Y0, Y0, Y0
	SHRQ   $3, CX
	JZ     sum32done

sum32loop:
	VADDPS (SI), Y0, Y0 // the accumulator first
	ADDQ   $32, SI
	DECQ   CX
	JNZ    sum32loop

sum32done:
	VMOVUPS Y0, (DI)
	VZEROUPPER
	RET

// func sumSquares64AVX2(v []float32, mean float64) [4]float64
TEXT ·sumSquares64AVX2(SB), NOSPLIT, $0-64
	MOVQ         v_base+0(FP), SI
	MOVQ         v_len+8(FP), CX
	LEAQ         ret+32(FP), DI
	VXORPD       Y0, Y0, Y0
	VBROADCASTSD mean+24(FP), Y2
	SHRQ         $2, CX
	JZ           sqdone

sqloop:
	VCVTPS2PD (SI), Y1
	VSUBPD    Y2, Y1, Y1 // d = x - mean
	VMULPD    Y1, Y1, Y1
	VADDPD    Y1, Y0, Y0
	ADDQ      $16, SI
	DECQ      CX
	JNZ       sqloop

sqdone:
	VMOVUPD Y0, (DI)
	VZEROUPPER
	RET

// func sumProducts64AVX2(g, y, x []float32, mean float64) [8]float64
TEXT ·sumProducts64AVX2(SB), NOSPLIT, $0-144
	MOVQ         g_base+0(FP), SI
	MOVQ         g_len+8(FP), CX
	MOVQ         y_base+24(FP), BX
	MOVQ         x_base+48(FP), DX
	LEAQ         ret+80(FP), DI
	VXORPD       Y0, Y0, Y0 // the sums of g
	VXORPD       Y1, Y1, Y1 // the sums of (x-mean)*g
	VBROADCASTSD mean+72(FP), Y5
	SHRQ         $2, CX
	JZ           proddone
	TESTQ        BX, BX
	JZ           prodloop
	VPCMPEQD     X6, X6, X6 // -1 in every lane

prodreluloop:
	RELUGRAD(SI, BX, X6, X2)
	VCVTPS2PD X2, Y2
	VCVTPS2PD (DX), Y3
	VSUBPD    Y5, Y3, Y3 // x - mean
	VADDPD    Y2, Y0, Y0
	VMULPD    Y2, Y3, Y3 // (x - mean) * g
	VADDPD    Y3, Y1, Y1
	ADDQ      $16, SI
	ADDQ      $16, BX
	ADDQ      $16, DX
	DECQ      CX
	JNZ       prodreluloop
	JMP       proddone

prodloop:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD (DX), Y3
	VSUBPD    Y5, Y3, Y3
	VADDPD    Y2, Y0, Y0
	VMULPD    Y2, Y3, Y3
	VADDPD    Y3, Y1, Y1
	ADDQ      $16, SI
	ADDQ      $16, DX
	DECQ      CX
	JNZ       prodloop

proddone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VZEROUPPER
	RET

// func normalizeAVX2(dst, src []float32, mean, scale, beta float32, relu bool)
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-61
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	JZ   normdone
	VBROADCASTSS mean+48(FP), Y12
	VBROADCASTSS scale+52(FP), Y13
	VBROADCASTSS beta+56(FP), Y14
	CMPB         relu+60(FP), $0
	JEQ          normloop
	NEGZERO(X15, Y15)

normreluloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y12, Y0, Y0 // v - mean
	VMULPS  Y13, Y0, Y0 // * scale
	VADDPS  Y14, Y0, Y0 // + beta
	RELU(Y0, Y15, Y1, Y2)
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     normreluloop
	VZEROUPPER
	RET

normloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y12, Y0, Y0
	VMULPS  Y13, Y0, Y0
	VADDPS  Y14, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     normloop
	VZEROUPPER

normdone:
	RET

// func normalizeAddReLUAVX2(dst, src, res []float32, mean, scale, beta float32)
TEXT ·normalizeAddReLUAVX2(SB), NOSPLIT, $0-84
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	MOVQ res_base+48(FP), BX
	SHRQ $3, CX
	JZ   nardone
	VBROADCASTSS mean+72(FP), Y12
	VBROADCASTSS scale+76(FP), Y13
	VBROADCASTSS beta+80(FP), Y14
	NEGZERO(X15, Y15)

narloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y12, Y0, Y0  // v - mean
	VMULPS  Y13, Y0, Y0  // * scale
	VADDPS  Y14, Y0, Y0  // + beta
	VADDPS  (BX), Y0, Y0 // + res
	RELU(Y0, Y15, Y1, Y2)
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     narloop
	VZEROUPPER

nardone:
	RET

// func normalizeGradAVX2(dx, g, y, x []float32, k, a, b, mean float32)
TEXT ·normalizeGradAVX2(SB), NOSPLIT, $0-112
	MOVQ dx_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ g_len+32(FP), CX
	MOVQ y_base+48(FP), BX
	MOVQ x_base+72(FP), DX
	SHRQ $3, CX
	JZ   ngdone
	VBROADCASTSS k+96(FP), Y10
	VBROADCASTSS a+100(FP), Y11
	VBROADCASTSS b+104(FP), Y12
	VBROADCASTSS mean+108(FP), Y13
	TESTQ        BX, BX
	JZ           ngloop
	VPCMPEQD     Y15, Y15, Y15 // -1 in every lane

ngreluloop:
	RELUGRAD(SI, BX, Y15, Y0)
	VMULPS  Y10, Y0, Y0 // g * k
	VMOVUPS (DX), Y1
	VSUBPS  Y13, Y1, Y1 // x - mean
	VMULPS  Y11, Y1, Y1 // (x - mean) * a
	VADDPS  Y1, Y0, Y0
	VADDPS  Y12, Y0, Y0 // + b
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     ngreluloop
	VZEROUPPER
	RET

ngloop:
	VMOVUPS (SI), Y0
	VMULPS  Y10, Y0, Y0
	VMOVUPS (DX), Y1
	VSUBPS  Y13, Y1, Y1
	VMULPS  Y11, Y1, Y1
	VADDPS  Y1, Y0, Y0
	VADDPS  Y12, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     ngloop
	VZEROUPPER

ngdone:
	RET
