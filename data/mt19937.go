package data

import "math/bits"

// This file reimplements, bit for bit, the parts of CPython's random module
// that random.Random(seed).shuffle uses: the MT19937 generator
// (Modules/_randommodule.c), its seeding from an integer by init_by_array,
// getrandbits, and Lib/random.py's _randbelow and shuffle.

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// pyRandom is the state of one Python random.Random instance.
type pyRandom struct {
	mt  [mtN]uint32
	mti int
}

// newPyRandom returns the generator random.Random(seed) builds: the key is
// |seed| split into 32-bit words, least significant first ([0] for 0).
func newPyRandom(seed int64) *pyRandom {
	u := uint64(seed)
	if seed < 0 {
		u = -u // two's complement negation gives |seed| also for math.MinInt64
	}
	key := []uint32{uint32(u)}
	if hi := uint32(u >> 32); hi != 0 {
		key = append(key, hi)
	}
	r := &pyRandom{}
	r.initByArray(key)
	return r
}

// initGenrand is init_genrand: the state from one 32-bit seed.
func (r *pyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < mtN; i++ {
		// mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >> 30)) + i
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	r.mti = mtN
}

// initByArray is init_by_array: the state from a key of 32-bit words.
func (r *pyRandom) initByArray(key []uint32) {
	r.initGenrand(19650218)
	i, j := 1, 0
	k := max(mtN, len(key))
	for ; k > 0; k-- {
		// mt[i] = (mt[i] ^ ((mt[i-1] ^ (mt[i-1] >> 30)) * 1664525)) + key[j] + j
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= mtN {
			r.mt[0] = r.mt[mtN-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = mtN - 1; k > 0; k-- {
		// mt[i] = (mt[i] ^ ((mt[i-1] ^ (mt[i-1] >> 30)) * 1566083941)) - i
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= mtN {
			r.mt[0] = r.mt[mtN-1]
			i = 1
		}
	}
	r.mt[0] = 0x80000000 // MSB is 1, assuring a non-zero initial array
}

// uint32 is genrand_uint32: the next tempered 32-bit output.
func (r *pyRandom) uint32() uint32 {
	if r.mti >= mtN {
		for kk := 0; kk < mtN; kk++ {
			// y = upper bit of mt[kk] | lower 31 bits of mt[kk+1], indices mod N
			y := r.mt[kk]&mtUpperMask | r.mt[(kk+1)%mtN]&mtLowerMask
			v := r.mt[(kk+mtM)%mtN] ^ y>>1
			if y&1 != 0 {
				v ^= mtMatrixA
			}
			r.mt[kk] = v
		}
		r.mti = 0
	}
	y := r.mt[r.mti]
	r.mti++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// getrandbits returns k random bits (1 <= k <= 64) as Python's
// getrandbits(k) does: whole 32-bit words, least significant word first, the
// last word shifted right to keep its top bits.
func (r *pyRandom) getrandbits(k int) uint64 {
	if k <= 32 {
		return uint64(r.uint32() >> (32 - k))
	}
	lo := uint64(r.uint32())
	return lo | uint64(r.uint32()>>(64-k))<<32
}

// randbelow is Random._randbelow_with_getrandbits: uniform in [0, n) by
// rejection sampling on getrandbits(n.bit_length()). n must be positive.
func (r *pyRandom) randbelow(n int) int {
	k := bits.Len64(uint64(n))
	v := r.getrandbits(k)
	for v >= uint64(n) {
		v = r.getrandbits(k)
	}
	return int(v)
}

// shuffle permutes x in place exactly as random.shuffle(x) does.
func (r *pyRandom) shuffle(x []int) {
	for i := len(x) - 1; i > 0; i-- {
		j := r.randbelow(i + 1)
		x[i], x[j] = x[j], x[i]
	}
}
