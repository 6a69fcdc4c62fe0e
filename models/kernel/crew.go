package kernel

import (
	"runtime"
	"sync/atomic"
	"time"
)

// crew is the worker goroutines of an Engine and the hand-off of one
// parallel call's parts between them and the calling goroutine.
//
// A training step makes parallel calls back to back, often less than a
// millisecond of work each (an MLP's GEMMs take about 0.1 ms a part). Had
// every hand-off parked and woken a goroutine, each would cost two wake-ups
// of an idle OS thread, tens of microseconds on a virtual machine: enough
// to make an MLP step slower on two threads than on one. So a goroutine
// waiting for its next part (a worker) or for the other parts to finish
// (the caller) polls for spinTime first, yielding its P every few polls,
// and only then parks; a hand-off within spinTime of the last one costs a
// few cache misses. The polling takes CPU time from other processes when
// more threads than cores are busy: a machine shared by several runs
// should give each as many threads as it has cores to spare (the harness
// gives each of its workers cores/workers).
type crew struct {
	// run computes one part of the current call.
	run func(part int)
	// word is the current call: its generation, which each call
	// increments, in the bits above partBits and its number of parts in
	// the bits below. Workers read both at once, so that a worker not
	// needed in one call never pairs its generation with the next call's
	// parts.
	word atomic.Uint64
	// left counts the parts of the current call still running on workers.
	left atomic.Int32
	// quit, set by stop before a last call, makes the workers return.
	quit atomic.Bool
	// members[w] is worker w, which computes part w+1 of a call that has
	// more than w+1 parts; caller is the goroutine of do.
	members []member
	caller  member
}

// partBits is the width of the part count in crew.word.
const partBits = 24

// spinTime is how long a goroutine of a crew polls before it parks.
const spinTime = 100 * time.Microsecond

// member is one goroutine of a crew as something to wake: parked is set
// while it sleeps (or is about to) on wake, which holds at most one token.
type member struct {
	parked atomic.Bool
	wake   chan struct{}
}

// newCrew starts workers goroutines that run parts of the calls of do with
// run. run must not reference what owns the crew if that is to be
// collected while the workers wait (they reference run).
func newCrew(workers int, run func(part int)) *crew {
	c := &crew{run: run, members: make([]member, workers), caller: member{wake: make(chan struct{}, 1)}}
	for w := range c.members {
		c.members[w].wake = make(chan struct{}, 1)
		go c.work(w)
	}
	return c
}

// do runs parts 0 to parts-1 of a call, part 0 on the calling goroutine and
// part i on worker i-1, and returns when all are done. parts must be at
// most the number of workers plus one, and below 2^partBits.
func (c *crew) do(parts int) {
	c.left.Store(int32(parts - 1))
	c.publish(parts)
	for w := range parts - 1 {
		c.members[w].signal()
	}
	// Deferred, so that a panic in part 0 still waits for the workers
	// before it unwinds what their parts read.
	defer c.caller.await(func() bool { return c.left.Load() == 0 })
	c.run(0)
}

// publish starts the next call, of parts parts.
func (c *crew) publish(parts int) {
	gen := c.word.Load()>>partBits + 1
	c.word.Store(gen<<partBits | uint64(parts))
}

// work is worker w's loop: it waits for each call and runs its part of it,
// if it has one.
func (c *crew) work(w int) {
	m := &c.members[w]
	seen := uint64(0) // the generation of the last call seen
	for {
		m.await(func() bool { return c.word.Load()>>partBits != seen })
		if c.quit.Load() {
			return
		}
		// A worker needed in a call finishes it before the next one is
		// published, so this is the call the wait ended for, or a later
		// one if this worker was not needed in that one.
		word := c.word.Load()
		seen = word >> partBits
		if parts := int(word & (1<<partBits - 1)); w+1 < parts {
			c.run(w + 1)
			if c.left.Add(-1) == 0 {
				c.caller.signal()
			}
		}
	}
}

// stop makes the workers return; the crew must not be used after it.
func (c *crew) stop() {
	c.quit.Store(true)
	c.publish(0)
	for w := range c.members {
		c.members[w].signal()
	}
}

// await returns once ready reports true. It polls ready for spinTime,
// then parks until woken by signal, which whoever makes ready true calls
// after doing so. Parking is Dekker's handshake on parked with signal: m
// marks itself parked before it tests ready a last time, and signal makes
// ready true before it tests parked, so one of them sees the other's write
// and a wake-up is never lost. The token is sent only by a signal that
// finds m parked and clears it, and m then always takes it; it may come
// from the signal of an earlier condition, late, so m tests ready again
// after it.
func (m *member) await(ready func() bool) {
	var start time.Time
	for i := 1; !ready(); i++ {
		if i%64 != 0 {
			continue
		}
		if start.IsZero() {
			start = time.Now()
		}
		if time.Since(start) < spinTime {
			runtime.Gosched() // let goroutines waiting for a P run
			continue
		}
		m.parked.Store(true)
		if ready() && m.parked.CompareAndSwap(true, false) {
			return
		}
		<-m.wake
	}
}

// signal wakes m if it is parked. Call it after making m's condition true.
func (m *member) signal() {
	if m.parked.CompareAndSwap(true, false) {
		m.wake <- struct{}{}
	}
}
