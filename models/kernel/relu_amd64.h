// The ReLU and its gradient on the lanes of a vector register, for the
// assembly of elementwise_amd64.s and norm_amd64.s.

// NEGZERO sets every lane of the 8-lane register y to -0 (the sign bit),
// RELU's s; x is y's low half, and AX is overwritten.
#define NEGZERO(x, y) \
	MOVL         $0x80000000, AX \
	MOVQ         AX, x           \
	VPBROADCASTD x, y

// RELU sets v to max(v, 0) as the Go compiler computes it: -min(-v, -0),
// with its min being MINPS(MINPS(a, b), a) OR MINPS(a, b), and VMINPS gives
// each lane what MINSS gives the scalar, so every bit pattern (NaNs and
// zeros included) maps as in Go. s holds -0 in every lane; t and u are
// scratch.
#define RELU(v, s, t, u) \
	VXORPS s, v, v \
	VMINPS s, v, t \
	VMINPS v, t, u \
	VORPS  t, u, u \
	VXORPS s, u, v

// RELUGRAD sets g to the values at (gp) where the ReLU output at (yp) is
// positive, else +0 (reluGrad); m holds -1 in every lane.
#define RELUGRAD(gp, yp, m, g) \
	VPADDD (yp), m, g \
	VPSRAD $31, g, g  \
	VPANDN (gp), g, g
