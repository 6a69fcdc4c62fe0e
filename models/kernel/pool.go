package kernel

import "runtime"

// state is everything an Engine computes with: the chosen variant, the job
// being run, one workspace per goroutine and the worker goroutines. Workers
// reference the state, never the Engine, so an unreachable Engine can be
// collected and its cleanup stops them.
type state struct {
	v       *variant
	threads int
	job     gemmJob
	ws      []workspace
	// parts holds each goroutine's share of C: rows [0], [1), columns [2], [3).
	parts [][4]int
	// ranger, when not nil, is the Engine.Parallel call being run instead
	// of job, over the indices [0, rangeN) in rangeParts parts.
	ranger             Ranger
	rangeN, rangeParts int
	// crew runs parts 1 to threads-1 of the parallel calls; nil until
	// the first.
	crew *crew
	// da, db and pat are the operands of Sgemm and the convolutions,
	// kept here so that passing them as PanelSource does not allocate.
	da, db dense
	pat    patches
	// filt holds the flipped filter taps of one stride phase for
	// Conv2DBackwardData.
	filt []float32
	// fjobs are the GEMMs of the parts of Conv2DBackwardFilter, with their
	// operands fa and fpat and their results fsum; reduce adds the parts.
	fjobs  [filterParts]gemmJob
	fa     [filterParts]dense
	fpat   [filterParts]patchesT
	fsum   [filterParts][]float32
	reduce partSum
	// jobs makes runPart(i) run the whole of fjobs[i] instead of part i of
	// job.
	jobs bool
	// wino is the Winograd convolution being run (see winograd.go); direct
	// makes the convolutions use their GEMM form for every shape
	// (BenchmarkConv times both).
	wino   wino
	direct bool
	// wgrad is the Winograd filter gradient being run (see
	// winograd_filter.go).
	wgrad wgrad
}

// newState returns a state for threads goroutines running v.
func newState(v *variant, threads int) *state {
	s := &state{v: v, threads: threads, ws: make([]workspace, threads), parts: make([][4]int, threads)}
	for i := range s.ws {
		s.ws[i].packLimit = fullPackLimit
	}
	return s
}

// runPart computes part i of the current Parallel call or GEMM.
func (s *state) runPart(i int) {
	if s.ranger != nil {
		s.ranger.Range(s.rangeN*i/s.rangeParts, s.rangeN*(i+1)/s.rangeParts)
		return
	}
	if s.jobs {
		s.runJob(i, i)
		return
	}
	p := s.parts[i]
	s.ws[i].run(s.v, &s.job, p[0], p[1], p[2], p[3])
}

// runJob computes the whole of fjobs[j] with workspace i.
func (s *state) runJob(i, j int) {
	job := &s.fjobs[j]
	s.ws[i].run(s.v, job, 0, job.m, 0, job.n)
}

// gemm runs s.job, split by output tiles over up to s.threads goroutines.
// The n dimension is split when it has enough strips (each goroutine then
// packs all of A and its own columns of B), otherwise m; k is never split,
// so results are bit-identical for any thread count.
func (s *state) gemm(e *Engine) {
	job := &s.job
	defer func() { job.a, job.b, job.c = nil, nil, nil }()
	if job.m == 0 || job.n == 0 {
		return
	}
	if job.k == 0 || job.alpha == 0 {
		job.scale()
		return
	}
	v := s.v
	ns, ms := (job.n+v.nr-1)/v.nr, (job.m+v.mr-1)/v.mr
	t := s.threads
	switch {
	case t == 1 || job.m*job.n*job.k < parallelMinFlops:
		t = 1
	case ns >= 2*t || ns >= ms:
		t = min(t, ns)
		for i := range t {
			s.parts[i] = [4]int{0, job.m, ns * i / t * v.nr, min(ns*(i+1)/t*v.nr, job.n)}
		}
	default:
		t = min(t, ms)
		for i := range t {
			s.parts[i] = [4]int{ms * i / t * v.mr, min(ms*(i+1)/t*v.mr, job.m), 0, job.n}
		}
	}
	if t == 1 {
		s.ws[0].run(v, job, 0, job.m, 0, job.n)
		return
	}
	s.runParts(e, t)
}

// runParts runs parts 0 to t-1 of the current job or Parallel call, part 0
// on the calling goroutine and the others on the workers, and waits for all
// of them.
func (s *state) runParts(e *Engine, t int) {
	if s.crew == nil {
		s.crew = newCrew(s.threads-1, s.runPart)
		runtime.AddCleanup(e, (*crew).stop, s.crew)
	}
	s.crew.do(t)
	// e must stay reachable until the call is done: its cleanup stops the
	// workers, and the methods that lead here need nothing else of it.
	runtime.KeepAlive(e)
}
