//go:build !purego

#include "textflag.h"

// The micro-kernels compute one mr x nr tile of C = alpha*A*B + beta*C from
// packed operands: a holds kc steps of mr values (one column of the A strip
// per step), b holds kc steps of nr values (one row of the B strip per step).
// The tile lives in registers for the whole k loop; each step broadcasts the
// mr values of a and issues one FMA per row and vector of b, so every element
// of C sees its k terms added in increasing k order. On the way out the tile
// is scaled by alpha and, unless beta is +0 or -0, beta*C is added with one
// FMA per vector (beta == 0 never reads C, so NaNs in C do not propagate).

// ROW16 is one k step of one row of the AVX-512 kernel: broadcast a[off] and
// accumulate it times the two vectors of b into acc0 and acc1.
#define ROW16(off, acc0, acc1) \
	VBROADCASTSS off(AX), Z30; \
	VFMADD231PS  Z28, Z30, acc0; \
	VFMADD231PS  Z29, Z30, acc1

// STEP16 is one k step of the 8 x 32 AVX-512 kernel, reading a at aoff and b
// at boff bytes past AX and BX.
#define STEP16(aoff, boff) \
	VMOVUPS boff(BX), Z28; \
	VMOVUPS boff+64(BX), Z29; \
	ROW16(aoff+0, Z0, Z1); \
	ROW16(aoff+4, Z2, Z3); \
	ROW16(aoff+8, Z4, Z5); \
	ROW16(aoff+12, Z6, Z7); \
	ROW16(aoff+16, Z8, Z9); \
	ROW16(aoff+20, Z10, Z11); \
	ROW16(aoff+24, Z12, Z13); \
	ROW16(aoff+28, Z14, Z15)

// BETA16 adds beta (in Z31) times one row of C at DI to acc0, acc1, stores
// the row and advances DI by ldc (in DX).
#define BETA16(acc0, acc1) \
	VFMADD231PS (DI), Z31, acc0; \
	VFMADD231PS 64(DI), Z31, acc1; \
	VMOVUPS     acc0, (DI); \
	VMOVUPS     acc1, 64(DI); \
	ADDQ        DX, DI

// STORE16 stores one row of the tile at DI and advances DI by ldc.
#define STORE16(acc0, acc1) \
	VMOVUPS acc0, (DI); \
	VMOVUPS acc1, 64(DI); \
	ADDQ    DX, DI

// LOADARGS loads kc into CX and R9 (= kc/4), the packed strips into AX and
// BX, the tile's address into DI and its row stride in bytes into DX.
#define LOADARGS \
	MOVQ kc+0(FP), CX; \
	MOVQ a_base+8(FP), AX; \
	MOVQ b_base+32(FP), BX; \
	MOVQ c_base+56(FP), DI; \
	MOVQ ldc+80(FP), DX; \
	SHLQ $2, DX; \
	MOVQ CX, R9; \
	SHRQ $2, R9

// func kernelAVX512(kc int, a, b, c []float32, ldc int, alpha, beta float32)
TEXT ·kernelAVX512(SB), NOSPLIT, $0-96
	LOADARGS
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	TESTQ  R9, R9
	JZ     avx512tail

avx512loop4:
	STEP16(0, 0)
	STEP16(32, 128)
	STEP16(64, 256)
	STEP16(96, 384)
	ADDQ $128, AX
	ADDQ $512, BX
	DECQ R9
	JNZ  avx512loop4

avx512tail:
	ANDQ $3, CX
	JZ   avx512store

avx512loop1:
	STEP16(0, 0)
	ADDQ $32, AX
	ADDQ $128, BX
	DECQ CX
	JNZ  avx512loop1

avx512store:
	VBROADCASTSS alpha+88(FP), Z30
	VMULPS       Z30, Z0, Z0
	VMULPS       Z30, Z1, Z1
	VMULPS       Z30, Z2, Z2
	VMULPS       Z30, Z3, Z3
	VMULPS       Z30, Z4, Z4
	VMULPS       Z30, Z5, Z5
	VMULPS       Z30, Z6, Z6
	VMULPS       Z30, Z7, Z7
	VMULPS       Z30, Z8, Z8
	VMULPS       Z30, Z9, Z9
	VMULPS       Z30, Z10, Z10
	VMULPS       Z30, Z11, Z11
	VMULPS       Z30, Z12, Z12
	VMULPS       Z30, Z13, Z13
	VMULPS       Z30, Z14, Z14
	VMULPS       Z30, Z15, Z15
	MOVL         beta+92(FP), R8
	ANDL         $0x7fffffff, R8
	JZ           avx512overwrite
	VBROADCASTSS beta+92(FP), Z31
	BETA16(Z0, Z1)
	BETA16(Z2, Z3)
	BETA16(Z4, Z5)
	BETA16(Z6, Z7)
	BETA16(Z8, Z9)
	BETA16(Z10, Z11)
	BETA16(Z12, Z13)
	BETA16(Z14, Z15)
	VZEROUPPER
	RET

avx512overwrite:
	STORE16(Z0, Z1)
	STORE16(Z2, Z3)
	STORE16(Z4, Z5)
	STORE16(Z6, Z7)
	STORE16(Z8, Z9)
	STORE16(Z10, Z11)
	STORE16(Z12, Z13)
	STORE16(Z14, Z15)
	VZEROUPPER
	RET

// ROW8 is one k step of one row of the AVX2 kernel.
#define ROW8(off, acc0, acc1) \
	VBROADCASTSS off(AX), Y14; \
	VFMADD231PS  Y12, Y14, acc0; \
	VFMADD231PS  Y13, Y14, acc1

// STEP8 is one k step of the 6 x 16 AVX2 kernel.
#define STEP8(aoff, boff) \
	VMOVUPS boff(BX), Y12; \
	VMOVUPS boff+32(BX), Y13; \
	ROW8(aoff+0, Y0, Y1); \
	ROW8(aoff+4, Y2, Y3); \
	ROW8(aoff+8, Y4, Y5); \
	ROW8(aoff+12, Y6, Y7); \
	ROW8(aoff+16, Y8, Y9); \
	ROW8(aoff+20, Y10, Y11)

// BETA8 adds beta (in Y14) times one row of C at DI, stores it and advances.
#define BETA8(acc0, acc1) \
	VFMADD231PS (DI), Y14, acc0; \
	VFMADD231PS 32(DI), Y14, acc1; \
	VMOVUPS     acc0, (DI); \
	VMOVUPS     acc1, 32(DI); \
	ADDQ        DX, DI

// STORE8 stores one row of the tile at DI and advances.
#define STORE8(acc0, acc1) \
	VMOVUPS acc0, (DI); \
	VMOVUPS acc1, 32(DI); \
	ADDQ    DX, DI

// func kernelAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32)
TEXT ·kernelAVX2(SB), NOSPLIT, $0-96
	LOADARGS
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ  R9, R9
	JZ     avx2tail

avx2loop4:
	STEP8(0, 0)
	STEP8(24, 64)
	STEP8(48, 128)
	STEP8(72, 192)
	ADDQ $96, AX
	ADDQ $256, BX
	DECQ R9
	JNZ  avx2loop4

avx2tail:
	ANDQ $3, CX
	JZ   avx2store

avx2loop1:
	STEP8(0, 0)
	ADDQ $24, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  avx2loop1

avx2store:
	VBROADCASTSS alpha+88(FP), Y15
	VMULPS       Y15, Y0, Y0
	VMULPS       Y15, Y1, Y1
	VMULPS       Y15, Y2, Y2
	VMULPS       Y15, Y3, Y3
	VMULPS       Y15, Y4, Y4
	VMULPS       Y15, Y5, Y5
	VMULPS       Y15, Y6, Y6
	VMULPS       Y15, Y7, Y7
	VMULPS       Y15, Y8, Y8
	VMULPS       Y15, Y9, Y9
	VMULPS       Y15, Y10, Y10
	VMULPS       Y15, Y11, Y11
	MOVL         beta+92(FP), R8
	ANDL         $0x7fffffff, R8
	JZ           avx2overwrite
	VBROADCASTSS beta+92(FP), Y14
	BETA8(Y0, Y1)
	BETA8(Y2, Y3)
	BETA8(Y4, Y5)
	BETA8(Y6, Y7)
	BETA8(Y8, Y9)
	BETA8(Y10, Y11)
	VZEROUPPER
	RET

avx2overwrite:
	STORE8(Y0, Y1)
	STORE8(Y2, Y3)
	STORE8(Y4, Y5)
	STORE8(Y6, Y7)
	STORE8(Y8, Y9)
	STORE8(Y10, Y11)
	VZEROUPPER
	RET
