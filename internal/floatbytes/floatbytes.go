// Package floatbytes converts float32 slices to and from their encoding in
// checkpoints: each value's IEEE 754 bits as a little-endian uint32. On a
// little-endian machine (amd64, arm64 and most others) both directions are
// a single copy; elsewhere they go value by value, with the same bytes.
package floatbytes

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// native reports whether the machine stores a float32 as its little-endian
// bytes, so that the slice's memory is its encoding.
var native = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Append appends the encoding of f to b and returns the extended slice.
func Append(b []byte, f []float32) []byte {
	if native {
		return append(b, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 4*len(f))...)
	}
	for _, v := range f {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// Decode sets dst to the values encoded in b, which must hold exactly
// 4*len(dst) bytes.
func Decode(dst []float32, b []byte) {
	if len(b) != 4*len(dst) {
		panic(fmt.Sprintf("floatbytes: %d bytes for %d values", len(b), len(dst)))
	}
	if native {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 4*len(dst)), b)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}
