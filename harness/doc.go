// Package harness runs the preprint's experiments: it trains the runs of an
// expanded sweep spec (package harness/spec) in a worker pool, stores
// per-run metrics in the resumable run store (package harness/store), shows
// progress, estimates the work of a sweep and emits
// Slurm array scripts. The command-line interface in the module root is a
// thin layer over this package.
package harness
