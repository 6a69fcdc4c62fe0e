package floatbytes

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// TestRoundTrip checks both paths, the machine's and the value-by-value
// one, against the definition (each value's bits as a little-endian uint32),
// on specials including NaN payloads and signed zeros, and that decoding
// gives the same bits back.
func TestRoundTrip(t *testing.T) {
	values := []float32{0, float32(math.Copysign(0, -1)), 1, -1.5, math.MaxFloat32, math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00001), math.Float32frombits(0xff800123), 3.14159}
	var want []byte
	for _, v := range values {
		want = binary.LittleEndian.AppendUint32(want, math.Float32bits(v))
	}
	prefix := []byte("head")
	for _, n := range []bool{native, false} {
		saved := native
		native = n
		got := Append(bytes.Clone(prefix), values)
		back := make([]float32, len(values))
		Decode(back, got[len(prefix):])
		empty := Append(nil, nil)
		native = saved
		if !bytes.Equal(got, append(bytes.Clone(prefix), want...)) {
			t.Errorf("native=%v: Append gives % x, want % x", n, got, want)
		}
		for i := range values {
			if math.Float32bits(back[i]) != math.Float32bits(values[i]) {
				t.Errorf("native=%v: value %d decodes to %#x, want %#x", n, i, math.Float32bits(back[i]), math.Float32bits(values[i]))
			}
		}
		if len(empty) != 0 {
			t.Errorf("native=%v: Append(nil, nil) = %v", n, empty)
		}
	}
}

func TestDecodeLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for 7 bytes into 2 values")
		}
	}()
	Decode(make([]float32, 2), make([]byte, 7))
}
