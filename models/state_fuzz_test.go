package models

import (
	"bytes"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// FuzzUnmarshalBinary checks the model checkpoint decoder, as image/png's
// FuzzDecode checks its decoder: no input makes UnmarshalBinary panic; an
// input it rejects leaves the model unchanged; an input it accepts is
// exactly what MarshalBinary writes back. It decodes into the mlp (the
// smallest model, about 1 MB of state); the seeds are a real checkpoint,
// prefixes of it and one with a wrong model name.
func FuzzUnmarshalBinary(f *testing.F) {
	net, err := New("mlp", 1, 1, kernel.New(1))
	if err != nil {
		f.Fatal(err)
	}
	state, err := net.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(state)
	for _, n := range []int{0, len(checkpointMagic), len(checkpointMagic) + 7, 200} {
		f.Add(state[:n])
	}
	f.Add(bytes.Replace(state[:200], []byte("mlp"), []byte("cnn"), 1))
	// One model serves every input (building one per input is slow): an
	// accepted input is undone by restoring before.
	net, err = New("mlp", 1, 2, kernel.New(1))
	if err != nil {
		f.Fatal(err)
	}
	before, err := net.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := net.UnmarshalBinary(data); err != nil {
			if after, _ := net.MarshalBinary(); !bytes.Equal(after, before) {
				t.Fatalf("a rejected checkpoint (%v) changed the model", err)
			}
			return
		}
		again, err := net.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted %d bytes, but they marshal back as %d other bytes", len(data), len(again))
		}
		if err := net.UnmarshalBinary(before); err != nil {
			t.Fatal(err)
		}
	})
}
