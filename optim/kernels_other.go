//go:build !amd64 || purego

package optim

// haveAVX512 is false: the AVX-512 kernels exist only on amd64 (without the
// purego tag), and the portable loops do all the work.
const haveAVX512 = false

// The bulk functions of kernels_amd64.go take no elements here.

func tracesBulk(_, _, _, _ []float32, _ *traceLanes) int                            { return 0 }
func tracesFullBulk(_, _, _, _, _ []float32, _ *traceLanes) int                     { return 0 }
func alphaGradOnlyBulk(_, _ []float32, _ *alphaParams, _ float64, _ *statLanes) int { return 0 }
func alphaFullBulk(_, _, _ []float32, _ *alphaParams, _ float64, _ *statLanes) int  { return 0 }
func tensorSumsBulk(_ []float32, _ *alphaParams, _ *tensorLanes) int                { return 0 }
func tensorSumsFullBulk(_, _, _ []float32, _ *alphaParams, _ *tensorLanes) int      { return 0 }
func scaleBulk(_, _ []float32, _ float32, _ *laneSums) int                          { return 0 }
func coupleDecayBulk(_, _ []float32, _ float32, _ *laneSums) int                    { return 0 }
func decayParamsBulk(_ []float32, _ float32) int                                    { return 0 }
func applyUpdateBulk(_, _ []float32, _, _, _ float32, _ *laneSums) int              { return 0 }
