package kernel

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestCrew makes calls of every size a crew of 3 workers takes and checks
// that each runs every one of its parts exactly once and nothing else,
// before do returns. Some calls follow a pause longer than spinTime, so
// that the workers park, and in some a worker's part outlasts spinTime, so
// that the caller parks; the others hand off while polling. stop then
// ends the workers.
func TestCrew(t *testing.T) {
	calls := 3000
	if testing.Short() {
		calls = 600
	}
	const workers = 3
	var ran [workers + 1]atomic.Int32
	slow := atomic.Int32{} // the part that sleeps in this call, or -1
	c := newCrew(workers, func(part int) {
		if int(slow.Load()) == part {
			time.Sleep(2 * spinTime)
		}
		ran[part].Add(1)
	})
	before := runtime.NumGoroutine()
	for i := range calls {
		parts := i%(workers+1) + 1
		slow.Store(-1)
		switch i % 97 {
		case 0:
			time.Sleep(3 * spinTime)
		case 1:
			slow.Store(int32(parts - 1))
		}
		c.do(parts)
		for p := range ran {
			want := int32(0)
			if p < parts {
				want = 1
			}
			if got := ran[p].Swap(0); got != want {
				t.Fatalf("call %d of %d parts: part %d ran %d times, want %d", i, parts, p, got, want)
			}
		}
	}
	c.stop()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before-workers {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after stop, want at most %d", runtime.NumGoroutine(), before-workers)
		}
		time.Sleep(time.Millisecond)
	}
}
