//go:build !amd64 || purego

package kernel

// finiteKernels returns the assembly versions of Finite: none here.
func finiteKernels() map[string]func([]float32) bool { return nil }
