//go:build !purego

#include "textflag.h"

// Exp (exp.go) on 8 float64 lanes: Exp64's plain path, one instruction for
// each of its operations, with the same roundings. x*log2e is rounded
// before VRNDSCALEPD rounds it to the nearest integer k, ties to even
// (math.RoundToEven, as CVTSD2SL); the reductions by k*ln2U and k*ln2L are
// fused, -(k*c) + x being (-k)*c + x exactly (math.FMA(-k, c, x)); the
// multiply by 1/16, x*p and the three x*(x+2) are a rounded addition and
// a rounded product each; Horner's rule and the last x*(x+2) + 1 are
// FMAs. 2^k is built from its bits: k + (2^52 + 2^51 + 1023) is exact and
// holds k + 1023 in its low bits, which a shift by 52 moves into the
// exponent field, as Exp64's Float64frombits(uint64(e)<<52) does.
//
// A block is computed only when every k is from -1022 to 1023 (a NaN
// fails both comparisons): there x is finite, below Exp64's overflow
// bound, and 2^k is normal, so Exp64 takes its plain path.
//
// Constants: Z16-Z23 expCoef (Z23 is 1), Z24 log2e, Z25 ln2U, Z26 ln2L,
// Z27 1/16, Z28 2, Z29 -1022, Z30 1023, Z31 2^52 + 2^51 + 1023.

// func expAVX512(x []float64, c *[8]float64) int
TEXT ·expAVX512(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), DX
	MOVQ         c+24(FP), R11
	VBROADCASTSD 0(R11), Z16
	VBROADCASTSD 8(R11), Z17
	VBROADCASTSD 16(R11), Z18
	VBROADCASTSD 24(R11), Z19
	VBROADCASTSD 32(R11), Z20
	VBROADCASTSD 40(R11), Z21
	VBROADCASTSD 48(R11), Z22
	VBROADCASTSD 56(R11), Z23
	MOVQ         $0x3ff71547652b82fe, AX // log2e
	VPBROADCASTQ AX, Z24
	MOVQ         $0x3fe62e42fefa3000, AX // ln2U
	VPBROADCASTQ AX, Z25
	MOVQ         $0x3d53de6af278ece6, AX // ln2L
	VPBROADCASTQ AX, Z26
	MOVQ         $0x3fb0000000000000, AX // 1/16
	VPBROADCASTQ AX, Z27
	MOVQ         $0x4000000000000000, AX // 2
	VPBROADCASTQ AX, Z28
	MOVQ         $0xc08ff00000000000, AX // -1022
	VPBROADCASTQ AX, Z29
	MOVQ         $0x408ff80000000000, AX // 1023
	VPBROADCASTQ AX, Z30
	MOVQ         $0x43380000000003ff, AX // 2^52 + 2^51 + 1023
	VPBROADCASTQ AX, Z31
	XORQ         R8, R8 // the block's start

exploop:
	MOVQ DX, CX
	SUBQ R8, CX // values left
	JLE  expall
	MOVL $0xff, AX
	CMPQ CX, $8
	JGE  expmask
	MOVL $1, AX
	SHLL CX, AX
	DECL AX // the last block: its CX lanes

expmask:
	KMOVW       AX, K1
	VMOVUPD.Z   (SI)(R8*8), K1, Z0 // x, 0 in the lanes past the end
	VMULPD      Z24, Z0, Z1        // x*log2e
	VRNDSCALEPD $0, Z1, Z1         // k
	VCMPPD      $0x19, Z29, Z1, K2 // not k >= -1022
	VCMPPD      $0x16, Z30, Z1, K3 // not k <= 1023
	KORTESTW    K2, K3
	JNE         expstop
	VFNMADD231PD Z25, Z1, Z0 // x = -(k*ln2U) + x
	VFNMADD231PD Z26, Z1, Z0 // x = -(k*ln2L) + x
	VMULPD       Z27, Z0, Z0 // x*0.0625
	VMOVAPD      Z16, Z2     // p
	VFMADD213PD  Z17, Z0, Z2 // p = p*x + c
	VFMADD213PD  Z18, Z0, Z2
	VFMADD213PD  Z19, Z0, Z2
	VFMADD213PD  Z20, Z0, Z2
	VFMADD213PD  Z21, Z0, Z2
	VFMADD213PD  Z22, Z0, Z2
	VFMADD213PD  Z23, Z0, Z2
	VMULPD       Z2, Z0, Z0  // x*p
	VADDPD       Z28, Z0, Z3 // x+2
	VMULPD       Z3, Z0, Z0  // x*(x+2)
	VADDPD       Z28, Z0, Z3
	VMULPD       Z3, Z0, Z0
	VADDPD       Z28, Z0, Z3
	VMULPD       Z3, Z0, Z0
	VADDPD       Z28, Z0, Z3
	VFMADD213PD  Z23, Z3, Z0 // x = x*(x+2) + 1
	VADDPD       Z31, Z1, Z1 // k + 1023 in the low bits
	VPSLLQ       $52, Z1, Z1 // 2^k
	VMULPD       Z1, Z0, Z0
	VMOVUPD      Z0, K1, (SI)(R8*8)
	ADDQ         $8, R8
	JMP          exploop

expall:
	MOVQ DX, ret+32(FP)
	VZEROUPPER
	RET

expstop:
	MOVQ R8, ret+32(FP)
	VZEROUPPER
	RET
