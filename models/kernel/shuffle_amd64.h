// Macros shared by the package's assembly files.

// TRANSPOSE4 transposes four 4 x 4 blocks at once: in each 128-bit lane,
// rows r0..r3 (the same lane of Y0..Y3 style inputs) become columns, written
// to o0..o3 (which may be the inputs). t0..t3 are scratch.
#define TRANSPOSE4(r0, r1, r2, r3, t0, t1, t2, t3, o0, o1, o2, o3) \
	VUNPCKLPS r1, r0, t0; \
	VUNPCKHPS r1, r0, t1; \
	VUNPCKLPS r3, r2, t2; \
	VUNPCKHPS r3, r2, t3; \
	VSHUFPS   $0x44, t2, t0, o0; \
	VSHUFPS   $0xee, t2, t0, o1; \
	VSHUFPS   $0x44, t3, t1, o2; \
	VSHUFPS   $0xee, t3, t1, o3

// SPLIT8 sets ev to the even and od to the odd elements of the 16 values
// lo, hi (in that order).
#define SPLIT8(lo, hi, ev, od) \
	VSHUFPS $0x88, hi, lo, ev; \
	VSHUFPS $0xdd, hi, lo, od; \
	VPERMPD $0xd8, ev, ev; \
	VPERMPD $0xd8, od, od
