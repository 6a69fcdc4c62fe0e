//go:build !race

package kernel

// raceDetector reports whether the tests run under the race detector.
const raceDetector = false
