//go:build !purego

package optim

// The kernels of kernels_amd64.s (AVX-512) and kernels_avx2_amd64.s (AVX2),
// one of each per bulk function of kernels_amd64.go. They take n > 0, a
// multiple of lanes, and slices of at least n elements.

//go:noescape
func tracesAVX512(grad, a, m, v *float32, n int, s *traceLanes)

//go:noescape
func tracesFullAVX512(grad, a, m, v, r *float32, n int, s *traceLanes)

//go:noescape
func alphaGradOnlyAVX512(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)

//go:noescape
func alphaFullAVX512(grad, a, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)

//go:noescape
func tensorSumsAVX512(grad *float32, n int, ap *alphaParams, s *tensorLanes)

//go:noescape
func tensorSumsFullAVX512(grad, a, u *float32, n int, ap *alphaParams, s *tensorLanes)

//go:noescape
func scaleAVX512(grad, u *float32, n int, alpha float32, s *laneSums)

//go:noescape
func coupleDecayAVX512(u, w *float32, n int, wd float32, s *laneSums)

//go:noescape
func decayParamsAVX512(w *float32, n int, lrwd float32)

//go:noescape
func applyUpdateAVX512(w, u *float32, n int, sc, gain, lr float32, s *laneSums)

//go:noescape
func tracesAVX2(grad, a, m, v *float32, n int, s *traceLanes)

//go:noescape
func tracesFullAVX2(grad, a, m, v, r *float32, n int, s *traceLanes)

//go:noescape
func alphaGradOnlyAVX2(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)

//go:noescape
func alphaFullAVX2(grad, a, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)

//go:noescape
func tensorSumsAVX2(grad *float32, n int, ap *alphaParams, s *tensorLanes)

//go:noescape
func tensorSumsFullAVX2(grad, a, u *float32, n int, ap *alphaParams, s *tensorLanes)

//go:noescape
func scaleAVX2(grad, u *float32, n int, alpha float32, s *laneSums)

//go:noescape
func coupleDecayAVX2(u, w *float32, n int, wd float32, s *laneSums)

//go:noescape
func decayParamsAVX2(w *float32, n int, lrwd float32)

//go:noescape
func applyUpdateAVX2(w, u *float32, n int, sc, gain, lr float32, s *laneSums)
