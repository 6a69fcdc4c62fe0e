//go:build !purego

#include "textflag.h"
#include "relu_amd64.h"

// The elementwise loops of elementwise.go on 8 values at a time. The length
// (of src, g or a) is a positive multiple of 8 or zero and the other slices
// are as long.

// func reluAVX2(dst, src []float32)
//
// max(v, 0) as the Go compiler computes it (RELU, relu_amd64.h).
TEXT ·reluAVX2(SB), NOSPLIT, $0-48
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	SHRQ         $3, CX
	JZ           reludone
	NEGZERO(X15, Y15)

reluloop:
	VMOVUPS (SI), Y0
	RELU(Y0, Y15, Y1, Y2)
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     reluloop
	VZEROUPPER

reludone:
	RET

// func reluGradAVX2(dst, g, y []float32)
//
// g with its bits cleared where int32(bits(y)-1) >> 31 is all ones.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-72
	MOVQ     dst_base+0(FP), DI
	MOVQ     g_base+24(FP), SI
	MOVQ     g_len+32(FP), CX
	MOVQ     y_base+48(FP), BX
	SHRQ     $3, CX
	JZ       graddone
	VPCMPEQD Y15, Y15, Y15 // -1 in every lane

gradloop:
	RELUGRAD(SI, BX, Y15, Y0)
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     gradloop
	VZEROUPPER

graddone:
	RET

// func addAVX2(dst, a, b, y []float32)
//
// With y not nil, b passes through RELUGRAD (relu_amd64.h) first.
TEXT ·addAVX2(SB), NOSPLIT, $0-96
	MOVQ     dst_base+0(FP), DI
	MOVQ     a_base+24(FP), SI
	MOVQ     a_len+32(FP), CX
	MOVQ     b_base+48(FP), BX
	MOVQ     y_base+72(FP), DX
	SHRQ     $3, CX
	JZ       adddone
	TESTQ    DX, DX
	JZ       addloop
	VPCMPEQD Y15, Y15, Y15 // -1 in every lane

addmaskloop:
	RELUGRAD(BX, DX, Y15, Y0)
	VADDPS  (SI), Y0, Y0 // reluGrad(b, y) + a
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     addmaskloop
	VZEROUPPER
	RET

addloop:
	VMOVUPS (SI), Y0
	VADDPS  (BX), Y0, Y0 // a + b
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     addloop
	VZEROUPPER

adddone:
	RET

// func mulAVX2(dst, a, b, y []float32)
//
// With y not nil, the product passes through ReLUGrad's mask (RELUGRAD in
// relu_amd64.h, on a register).
TEXT ·mulAVX2(SB), NOSPLIT, $0-96
	MOVQ     dst_base+0(FP), DI
	MOVQ     a_base+24(FP), SI
	MOVQ     a_len+32(FP), CX
	MOVQ     b_base+48(FP), BX
	MOVQ     y_base+72(FP), DX
	SHRQ     $3, CX
	JZ       muldone
	TESTQ    DX, DX
	JZ       mulloop
	VPCMPEQD Y15, Y15, Y15 // -1 in every lane

mulmaskloop:
	VMOVUPS (SI), Y0
	VMULPS  (BX), Y0, Y0 // a * b
	VPADDD  (DX), Y15, Y1
	VPSRAD  $31, Y1, Y1
	VPANDN  Y0, Y1, Y0   // reluGrad(a * b, y)
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     mulmaskloop
	VZEROUPPER
	RET

mulloop:
	VMOVUPS (SI), Y0
	VMULPS  (BX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     mulloop
	VZEROUPPER

muldone:
	RET

// func finiteAVX2(x []float32) bool
//
// ORs together, over all values, the lanes where the exponent field (bits
// 23 to 30) is all ones, the NaNs and Infs, and reports whether none was.
TEXT ·finiteAVX2(SB), NOSPLIT, $0-25
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVB         $1, ret+24(FP)
	SHRQ         $3, CX
	JZ           finitedone
	MOVL         $0x7f800000, AX
	MOVQ         AX, X15
	VPBROADCASTD X15, Y15 // the exponent field
	VPXOR        Y2, Y2, Y2

finiteloop:
	VPAND    (SI), Y15, Y0
	VPCMPEQD Y15, Y0, Y0
	VPOR     Y0, Y2, Y2
	ADDQ     $32, SI
	DECQ     CX
	JNZ      finiteloop
	VPTEST   Y2, Y2
	SETEQ    ret+24(FP)
	VZEROUPPER

finitedone:
	RET

// func finiteAVX512(x []float32) bool
//
// The largest magnitude over all values (their bits with the sign cleared,
// as unsigned integers) is at least the exponent field's all ones exactly
// when a value is NaN or Inf. 64 values a loop, into four accumulators so
// that each maximum waits for its own only, then the last groups of 8
// into a fifth.
TEXT ·finiteAVX512(SB), NOSPLIT, $0-25
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), DX
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z15 // clears the sign
	VPXORD       Z0, Z0, Z0
	VPXORD       Z1, Z1, Z1
	VPXORD       Z2, Z2, Z2
	VPXORD       Z3, Z3, Z3
	VPXORD       Z4, Z4, Z4
	MOVQ         DX, CX
	SHRQ         $6, CX
	JZ           finite512tail

finite512loop:
	VPANDD  (SI), Z15, Z5
	VPANDD  64(SI), Z15, Z6
	VPANDD  128(SI), Z15, Z7
	VPANDD  192(SI), Z15, Z8
	VPMAXUD Z5, Z0, Z0
	VPMAXUD Z6, Z1, Z1
	VPMAXUD Z7, Z2, Z2
	VPMAXUD Z8, Z3, Z3
	ADDQ    $256, SI
	DECQ    CX
	JNZ     finite512loop

finite512tail:
	ANDQ $63, DX
	SHRQ $3, DX
	JZ   finite512done

finite512loop8:
	VPANDD  (SI), Y15, Y5
	VPMAXUD Y5, Y4, Y4
	ADDQ    $32, SI
	DECQ    DX
	JNZ     finite512loop8

finite512done:
	VPMAXUD      Z1, Z0, Z0
	VPMAXUD      Z3, Z2, Z2
	VPMAXUD      Z4, Z0, Z0
	VPMAXUD      Z2, Z0, Z0
	MOVL         $0x7f800000, AX
	VPBROADCASTD AX, Z15 // the exponent field
	VPCMPUD      $5, Z15, Z0, K1
	KORTESTW     K1, K1
	SETEQ        ret+24(FP)
	VZEROUPPER
	RET
