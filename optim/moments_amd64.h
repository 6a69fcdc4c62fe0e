// MOMENTS updates two exponential moving averages of the 16 gradients in
// Z0 at index CX, as Adam's moments and NeuroPlastic's m and v traces are
// kept: m <- d1*m + r1*g at (MB) into M and v <- d2*v + (r2*g)*g at (VB)
// into V, each product rounded before its sum (no fused multiply-add); T1
// and T2 are clobbered. Shared by kernels_amd64.s and basic_amd64.s.
#define MOMENTS(MB, VB, D1, R1, D2, R2, M, V, T1, T2) \
	VMOVUPS (MB)(CX*4), M; \
	VMULPS  D1, M, M; \
	VMULPS  R1, Z0, T1; \
	VADDPS  T1, M, M; \
	VMOVUPS M, (MB)(CX*4); \
	VMOVUPS (VB)(CX*4), V; \
	VMULPS  D2, V, V; \
	VMULPS  R2, Z0, T2; \
	VMULPS  Z0, T2, T2; \
	VADDPS  T2, V, V; \
	VMOVUPS V, (VB)(CX*4)
