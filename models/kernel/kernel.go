// Package kernel holds the compute kernels of the models: every matrix
// multiply of a forward or backward pass goes through an Engine.
package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Engine runs matrix multiplies for one model. It owns its workspaces (so a
// training step allocates nothing) and the number of goroutines it may use.
// An Engine is not safe for concurrent use; give each model its own.
type Engine struct {
	threads int
}

// New returns an Engine that uses up to threads goroutines (at least 1).
func New(threads int) *Engine {
	return &Engine{threads: max(threads, 1)}
}

// Threads reports how many goroutines e may use.
func (e *Engine) Threads() int { return e.threads }

// Variant names the kernel family in use, recorded in each run's manifest.
func (e *Engine) Variant() string { return "gonum" }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(X) is X or its transpose, op(A) is m x k, op(B) is k x n and C is m x n
// with leading dimensions lda, ldb and ldc.
func (e *Engine) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	ar, ac := m, k
	if transA {
		ta, ar, ac = blas.Trans, k, m
	}
	br, bc := k, n
	if transB {
		tb, br, bc = blas.Trans, n, k
	}
	blas32.Gemm(ta, tb, alpha,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b},
		beta, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c})
}
