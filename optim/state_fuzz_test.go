package optim

import (
	"bytes"
	"testing"
)

// FuzzUnmarshalBinary checks the optimizer state decoders, as image/png's
// FuzzDecode checks its decoder: no input makes UnmarshalBinary panic; an
// input it rejects leaves the state unchanged; an input it accepts is
// exactly what MarshalBinary writes back. The first byte of an input picks
// the configuration (one of testConfigs) whose optimizer decodes the rest;
// the seeds are real states after a few steps, and prefixes of them.
func FuzzUnmarshalBinary(f *testing.F) {
	configs := testConfigs()
	for i, tc := range configs {
		ps := newParams(smallShapes, 1)
		o, err := New(ps, tc.cfg, 1)
		if err != nil {
			f.Fatal(err)
		}
		for s, epoch := range stepEpochs[:3] {
			setGrads(ps, 2, s)
			if err := o.Step(epoch); err != nil {
				f.Fatal(err)
			}
		}
		state, err := o.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte{byte(i)}, state...))
		f.Add(append([]byte{byte(i)}, state[:len(state)/2]...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		tc := configs[int(in[0])%len(configs)]
		o, err := New(newParams(smallShapes, 1), tc.cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		before, err := o.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		data := in[1:]
		if err := o.UnmarshalBinary(data); err != nil {
			after, _ := o.MarshalBinary()
			if !bytes.Equal(after, before) {
				t.Fatalf("%s: a rejected state (%v) changed the optimizer", tc.name, err)
			}
			return
		}
		again, err := o.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("%s: accepted %d bytes, but they marshal back as %d other bytes", tc.name, len(data), len(again))
		}
	})
}
