//go:build !amd64 || purego

package kernel

// poolAVX2 is false on this architecture: MaxPool2x2Row runs the Go loop
// alone, and this stand-in is never called.
var poolAVX2 = false

func maxPool2x2AVX2([]float32, []int32, []float32, int, int32, uint32) { panic(noAVX2) }
