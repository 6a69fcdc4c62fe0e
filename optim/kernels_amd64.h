// A macro and constants shared by the AVX-512 and AVX2 kernels of the
// NeuroPlastic passes. Each constant is a 32-byte vector of 8 equal
// float32 (one ymm register, usable as a memory operand); the AVX-512
// kernels broadcast its first element. DATA symbols with <> are local to
// the file that includes this.

// BLOCK_END sets R to the end of the block of up to 512 elements that
// starts at index CX: min(CX + 512, DX). The kernels that take a block in
// two loops read back in the second, from L1, what the first stored.
#define BLOCK_END(R) LEAQ 512(CX), R; CMPQ R, DX; CMOVQGT DX, R

// CONST8 defines NAME<> as 8 copies of the 32-bit pattern BITS.
#define CONST8(NAME, BITS) \
	DATA NAME<>+0(SB)/4, BITS; \
	DATA NAME<>+4(SB)/4, BITS; \
	DATA NAME<>+8(SB)/4, BITS; \
	DATA NAME<>+12(SB)/4, BITS; \
	DATA NAME<>+16(SB)/4, BITS; \
	DATA NAME<>+20(SB)/4, BITS; \
	DATA NAME<>+24(SB)/4, BITS; \
	DATA NAME<>+28(SB)/4, BITS; \
	GLOBL NAME<>(SB), RODATA|NOPTR, $32

// The float32 constants of the traces (traceDecay ... npEps in
// neuroplastic_formula.go), as the Go code rounds them, and the mask that
// clears a float32's sign bit.
CONST8(traceDecay, $0x3f733333) // 0.95
CONST8(traceRate, $0x3d4ccccd)  // 0.05
CONST8(memDecay, $0x3f666666)   // 0.9
CONST8(memRate, $0x3dcccccd)    // 0.1
CONST8(sqDecay, $0x3f7d70a4)    // 0.99
CONST8(sqRate, $0x3c23d70a)     // 0.01
CONST8(npEps, $0x322bcc77)      // 1e-8
CONST8(absMask, $0x7fffffff)
