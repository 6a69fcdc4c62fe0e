//go:build !amd64 || purego

package optim

// passISA is isaGo: the kernels exist only on amd64 (without the purego
// tag), and the portable loops do all the work.
const passISA = isaGo

// isaOf returns isaGo, whatever the variant.
func isaOf(string, error) isa { return isaGo }

// The bulk functions of kernels_amd64.go take no elements here.

func tracesBulk(_ isa, _, _, _, _ []float32, _ *traceLanes) int                            { return 0 }
func tracesFullBulk(_ isa, _, _, _, _, _ []float32, _ *traceLanes) int                     { return 0 }
func alphaGradOnlyBulk(_ isa, _, _ []float32, _ *alphaParams, _ float64, _ *statLanes) int { return 0 }
func alphaFullBulk(_ isa, _, _, _ []float32, _ *alphaParams, _ float64, _ *statLanes) int  { return 0 }
func tensorSumsBulk(_ isa, _ []float32, _ *alphaParams, _ *tensorLanes) int                { return 0 }
func tensorSumsFullBulk(_ isa, _, _, _ []float32, _ *alphaParams, _ *tensorLanes) int      { return 0 }
func scaleBulk(_ isa, _, _ []float32, _ float32, _ *laneSums) int                          { return 0 }
func coupleDecayBulk(_ isa, _, _ []float32, _ float32, _ *laneSums) int                    { return 0 }
func decayParamsBulk(_ isa, _ []float32, _ float32) int                                    { return 0 }
func applyUpdateBulk(_ isa, _, _ []float32, _, _, _ float32, _ *laneSums) int              { return 0 }
