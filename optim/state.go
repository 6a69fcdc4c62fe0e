package optim

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/neuroplastic/neuroplastic/internal/floatbytes"
	"github.com/neuroplastic/neuroplastic/models/param"
)

// stateMagic opens every optimizer checkpoint; bump its version when the
// layout changes.
const stateMagic = "neuroplastic/optim v1"

// The checkpoint layout, all integers and floats little-endian:
//
//	string magic, string algorithm, u64 tensor count,
//	per tensor: string name, u64 element count,
//	the algorithm's scalars (u64 or f64, fixed per algorithm),
//	u64 state length, that many f32 (all per-element state, flat).
//
// A string is a u64 byte length followed by the bytes.

// stateWriter appends a checkpoint encoding to b.
type stateWriter struct{ b []byte }

// newStateWriter starts a checkpoint of algorithm algo over params,
// appended to b, with room for stateLen float32 of state.
func newStateWriter(b []byte, algo string, params []*param.Param, stateLen int) *stateWriter {
	w := &stateWriter{b: slices.Grow(b, 256+4*stateLen)}
	w.str(stateMagic)
	w.str(algo)
	w.u64(uint64(len(params)))
	for _, p := range params {
		w.str(p.Name)
		w.u64(uint64(len(p.Data)))
	}
	return w
}

func (w *stateWriter) u64(v uint64)  { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *stateWriter) f64(v float64) { w.u64(math.Float64bits(v)) }
func (w *stateWriter) str(s string)  { w.u64(uint64(len(s))); w.b = append(w.b, s...) }

// f32s appends a length-prefixed float32 slice.
func (w *stateWriter) f32s(s []float32) {
	w.u64(uint64(len(s)))
	w.b = floatbytes.Append(w.b, s)
}

// stateReader decodes a checkpoint; the first error sticks and later reads
// return zeros, so a decoder checks err once at the end.
type stateReader struct {
	b    []byte
	algo string
	err  error
}

// newStateReader checks the header of data against the algorithm and the
// parameters the optimizer is bound to.
func newStateReader(data []byte, algo string, params []*param.Param) (*stateReader, error) {
	r := &stateReader{b: data, algo: algo}
	if r.str() != stateMagic || r.err != nil {
		return nil, fmt.Errorf("optim: %s: checkpoint: not an optimizer checkpoint of this version", algo)
	}
	if got := r.str(); got != algo {
		return nil, fmt.Errorf("optim: %s: checkpoint: is for %q", algo, got)
	}
	if n := r.u64(); n != uint64(len(params)) {
		return nil, fmt.Errorf("optim: %s: checkpoint: %d tensors, want %d", algo, n, len(params))
	}
	for i, p := range params {
		name, n := r.str(), r.u64()
		if r.err != nil {
			return nil, r.err
		}
		if name != p.Name || n != uint64(len(p.Data)) {
			return nil, fmt.Errorf("optim: %s: checkpoint: tensor %d is %q with %d values, want %q with %d",
				algo, i, name, n, p.Name, len(p.Data))
		}
	}
	return r, nil
}

// take returns the next n bytes, or nil after setting err.
func (r *stateReader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("optim: %s: checkpoint: truncated", r.algo)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *stateReader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *stateReader) f64() float64 { return math.Float64frombits(r.u64()) }
func (r *stateReader) str() string  { return string(r.take(r.u64())) }

// f32s reads a length-prefixed float32 slice into a new slice that must have
// exactly want elements.
func (r *stateReader) f32s(want int) []float32 {
	n := r.u64()
	if r.err == nil && n != uint64(want) {
		r.err = fmt.Errorf("optim: %s: checkpoint: %d state values, want %d", r.algo, n, want)
	}
	b := r.take(4 * n)
	if b == nil {
		return nil
	}
	out := make([]float32, n)
	floatbytes.Decode(out, b)
	return out
}

// close returns the first error, or an error if bytes are left over.
func (r *stateReader) close() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("optim: %s: checkpoint: %d trailing bytes", r.algo, len(r.b))
	}
	return r.err
}
