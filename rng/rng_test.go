package rng

import "testing"

// TestStream checks that a stream depends on its seed, purpose and epoch and
// on nothing else, and pins its first value so a change to the derivation
// (which would change every run's numbers) cannot pass unnoticed.
func TestStream(t *testing.T) {
	first := func(seed uint64, purpose string, epoch int) uint64 { return Stream(seed, purpose, epoch).Uint64() }
	base := first(42, "init", 0)
	if again := first(42, "init", 0); again != base {
		t.Errorf("same arguments, values %d and %d", base, again)
	}
	for name, v := range map[string]uint64{
		"seed":    first(43, "init", 0),
		"purpose": first(42, "shuffle", 0),
		"epoch":   first(42, "init", 1),
	} {
		if v == base {
			t.Errorf("changing the %s kept the stream", name)
		}
	}
	if want := uint64(0x6e331e5184d28660); base != want {
		t.Errorf("first value of Stream(42, \"init\", 0) is %#x, want %#x", base, want)
	}
}
