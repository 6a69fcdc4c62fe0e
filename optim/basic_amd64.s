//go:build !purego

#include "textflag.h"
#include "go_asm.h"
#include "moments_amd64.h"

// func adamAVX512(w, grad, mom, sq *float32, n int, k *adamScalars)
//
// adamGo's loop, 16 elements at a time, with the same float32 operations in
// the same order and none fused: VSQRTPS is sqrt32 (a float64 square root
// rounded to float32 is the correctly rounded float32 root), and the
// division by sqrt(1 - beta2^t) is quo's float64 product rounded to float32.
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ mom+16(FP), R8
	MOVQ sq+24(FP), R9
	MOVQ n+32(FP), DX
	MOVQ k+40(FP), R10
	VBROADCASTSD adamScalars_rbc2(R10), Z31
	VBROADCASTSS adamScalars_stepSize(R10), Z30
	VBROADCASTSS adamScalars_decay(R10), Z29
	VBROADCASTSS adamScalars_wd(R10), Z28
	VBROADCASTSS adamScalars_b1(R10), Z27
	VBROADCASTSS adamScalars_b2(R10), Z26
	VBROADCASTSS adamScalars_ob1(R10), Z25
	VBROADCASTSS adamScalars_ob2(R10), Z24
	VBROADCASTSS adamScalars_eps(R10), Z23
	MOVL adamScalars_decayMode(R10), R11
	XORQ CX, CX

adamLoop:
	VMOVUPS (SI)(CX*4), Z0 // g
	VMOVUPS (DI)(CX*4), Z1 // w
	CMPL R11, $const_adamDecoupled
	JEQ  adamDecoupledStep
	CMPL R11, $const_adamCoupled
	JNE  adamMoments
	// Adam: g <- g + wd*w
	VMULPS Z28, Z1, Z2
	VADDPS Z2, Z0, Z0
	JMP    adamMoments

adamDecoupledStep:
	// AdamW: w <- w*decay
	VMULPS Z29, Z1, Z1

adamMoments:
	MOMENTS(R8, R9, Z27, Z25, Z26, Z24, Z3, Z5, Z4, Z6)
	// d <- quo(sqrt(v), rbc2) + eps
	VSQRTPS       Z5, Z7
	VCVTPS2PD     Y7, Z8
	VEXTRACTF64X4 $1, Z7, Y9
	VCVTPS2PD     Y9, Z9
	VMULPD        Z31, Z8, Z8
	VMULPD        Z31, Z9, Z9
	VCVTPD2PS     Z8, Y8
	VCVTPD2PS     Z9, Y9
	VINSERTF64X4  $1, Y9, Z8, Z8
	VADDPS        Z23, Z8, Z8
	// w <- w - stepSize*(m/d)
	VDIVPS  Z8, Z3, Z3
	VMULPS  Z30, Z3, Z3
	VSUBPS  Z3, Z1, Z1
	VMOVUPS Z1, (DI)(CX*4)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  adamLoop

	VZEROUPPER
	RET

// func sgdAVX512(w, grad, buf *float32, n int, k *sgdScalars)
//
// sgdGo's loop, 16 elements at a time, with the same float32 operations in
// the same order and none fused.
TEXT ·sgdAVX512(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ buf+16(FP), R8
	MOVQ n+24(FP), DX
	MOVQ k+32(FP), R10
	VBROADCASTSS sgdScalars_lr(R10), Z31
	VBROADCASTSS sgdScalars_wd(R10), Z30
	VBROADCASTSS sgdScalars_mu(R10), Z29
	MOVL sgdScalars_momentumMode(R10), R11
	MOVL sgdScalars_withDecay(R10), R12
	XORQ CX, CX

sgdLoop:
	VMOVUPS (SI)(CX*4), Z0 // d = g
	VMOVUPS (DI)(CX*4), Z1 // w
	TESTL R12, R12
	JEQ   sgdMomentumStep
	// d <- d + wd*w
	VMULPS Z30, Z1, Z2
	VADDPS Z2, Z0, Z0

sgdMomentumStep:
	CMPL R11, $const_sgdPlain
	JEQ  sgdApply
	// b <- mu*b + d
	VMOVUPS (R8)(CX*4), Z3
	VMULPS  Z29, Z3, Z3
	VADDPS  Z0, Z3, Z3
	VMOVUPS Z3, (R8)(CX*4)
	CMPL R11, $const_sgdNesterov
	JEQ  sgdNesterovStep
	// d <- b
	VMOVAPS Z3, Z0
	JMP     sgdApply

sgdNesterovStep:
	// d <- d + mu*b
	VMULPS Z29, Z3, Z3
	VADDPS Z3, Z0, Z0

sgdApply:
	// w <- w - lr*d
	VMULPS  Z31, Z0, Z0
	VSUBPS  Z0, Z1, Z1
	VMOVUPS Z1, (DI)(CX*4)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  sgdLoop

	VZEROUPPER
	RET

// func adamwBaseAVX512(u, mref, grad, bm, bv *float32, n int, k *adamwBaseScalars)
//
// adamwBaseGo's loop, 16 elements at a time, with the same float32
// operations in the same order and none fused (VSQRTPS is sqrt32, see
// adamAVX512). m-hat is stored before the base, so mref may be u.
TEXT ·adamwBaseAVX512(SB), NOSPLIT, $0-56
	MOVQ u+0(FP), DI
	MOVQ mref+8(FP), BX
	MOVQ grad+16(FP), SI
	MOVQ bm+24(FP), R8
	MOVQ bv+32(FP), R9
	MOVQ n+40(FP), DX
	MOVQ k+48(FP), R10
	VBROADCASTSS adamwBaseScalars_d1(R10), Z31
	VBROADCASTSS adamwBaseScalars_r1(R10), Z30
	VBROADCASTSS adamwBaseScalars_d2(R10), Z29
	VBROADCASTSS adamwBaseScalars_r2(R10), Z28
	VBROADCASTSS adamwBaseScalars_bc1(R10), Z27
	VBROADCASTSS adamwBaseScalars_bc2(R10), Z26
	VBROADCASTSS adamwBaseScalars_eps(R10), Z25
	XORQ CX, CX

adamwBaseLoop:
	VMOVUPS (SI)(CX*4), Z0 // g
	MOMENTS(R8, R9, Z31, Z30, Z29, Z28, Z1, Z3, Z2, Z4)
	// mref <- m/bc1
	VDIVPS  Z27, Z1, Z1
	VMOVUPS Z1, (BX)(CX*4)
	// u <- mh/(sqrt(v/bc2) + eps)
	VDIVPS  Z26, Z3, Z3
	VSQRTPS Z3, Z3
	VADDPS  Z25, Z3, Z3
	VDIVPS  Z3, Z1, Z1
	VMOVUPS Z1, (DI)(CX*4)
	ADDQ $16, CX
	CMPQ CX, DX
	JLT  adamwBaseLoop

	VZEROUPPER
	RET
