package optim

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// TestCheckpointResume runs stepEpochs uninterrupted, and again with a
// checkpoint after k steps restored into a fresh optimizer over copied
// parameters; parameters, state and the epoch's diagnostics must be
// bit-identical.
func TestCheckpointResume(t *testing.T) {
	for _, tc := range testConfigs() {
		for _, k := range []int{0, 1, 3} {
			t.Run(fmt.Sprintf("%s/after_%d", tc.name, k), func(t *testing.T) {
				ref := newParams(smallShapes, 5)
				o := mustNew(t, ref, tc.cfg)
				run := func(o Optimizer, ps []*param.Param, from, to int) {
					for s := from; s < to; s++ {
						setGrads(ps, 6, s)
						if err := o.Step(stepEpochs[s]); err != nil {
							t.Fatal(err)
						}
					}
				}
				run(o, ref, 0, len(stepEpochs))

				ps := newParams(smallShapes, 5)
				first := mustNew(t, ps, tc.cfg)
				run(first, ps, 0, k)
				ckpt, err := first.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				resumed := cloneParams(ps) // as reloaded from the model checkpoint
				second := mustNew(t, resumed, tc.cfg)
				if err := second.UnmarshalBinary(ckpt); err != nil {
					t.Fatal(err)
				}
				run(second, resumed, k, len(stepEpochs))

				for i := range ref {
					if !slices.Equal(ref[i].Data, resumed[i].Data) {
						t.Fatalf("resumed after %d steps: %s differs", k, ref[i].Name)
					}
				}
				a, _ := o.MarshalBinary()
				b, _ := second.MarshalBinary()
				if !bytes.Equal(a, b) {
					t.Errorf("resumed after %d steps: state differs", k)
				}
				da, _ := o.(Diagnoser)
				db, _ := second.(Diagnoser)
				if (da == nil) != (db == nil) || da != nil && !maps.Equal(da.EpochDiagnostics(), db.EpochDiagnostics()) {
					t.Errorf("resumed after %d steps: diagnostics %+v, want %+v", k, db, da)
				}
			})
		}
	}
}

// TestCheckpointErrors checks that a state that does not fit is rejected
// with a clear error and leaves the optimizer unchanged.
func TestCheckpointErrors(t *testing.T) {
	byName := map[string]Config{}
	for _, tc := range testConfigs() {
		byName[tc.name] = tc.cfg
	}
	state := func(name string, shapes [][]int, steps int) []byte {
		ps := newParams(shapes, 1)
		o := mustNew(t, ps, byName[name])
		for s := range steps {
			setGrads(ps, 2, s)
			_ = o.Step(1)
		}
		b, err := o.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := state("adam", smallShapes, 2)
	tests := []struct {
		name   string
		target string // configuration restored into, over smallShapes
		data   []byte
		want   string
	}{
		{"other algorithm", "adam", state("sgd", smallShapes, 1), `optim: adam: checkpoint: is for "sgd"`},
		{"adam into adamw", "adamw", good, `optim: adamw: checkpoint: is for "adam"`},
		{"neuroplastic into adam", "adam", state("neuroplastic", smallShapes, 1), `optim: adam: checkpoint: is for "neuroplastic"`},
		{"fewer tensors", "adam", state("adam", smallShapes[:2], 1), "optim: adam: checkpoint: 2 tensors, want 3"},
		{"other shape", "adam", state("adam", [][]int{{4, 3}, {3}, {6}}, 1), `optim: adam: checkpoint: tensor 2 is "p2" with 6 values, want "p2" with 5`},
		{"truncated", "adam", good[:len(good)-3], "optim: adam: checkpoint: truncated"},
		{"trailing bytes", "adam", append(slices.Clone(good), 0, 0), "optim: adam: checkpoint: 2 trailing bytes"},
		{"empty", "neuroplastic", nil, "optim: neuroplastic: checkpoint: not an optimizer checkpoint of this version"},
		{"garbage", "sgd", []byte("not a checkpoint at all, just text"), "optim: sgd: checkpoint: not an optimizer checkpoint of this version"},
		{"momentum-free sgd into sgd with momentum", "sgd", func() []byte {
			c := DefaultSGD()
			o, _ := NewSGD(newParams(smallShapes, 1), c)
			b, _ := o.MarshalBinary()
			return b
		}(), "optim: sgd: checkpoint: 0 state values, want 20"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := newParams(smallShapes, 1)
			o := mustNew(t, ps, byName[tc.target])
			setGrads(ps, 3, 0)
			_ = o.Step(1)
			before, _ := o.MarshalBinary()
			err := o.UnmarshalBinary(tc.data)
			if errString(err) != tc.want {
				t.Fatalf("UnmarshalBinary error %q, want %q", errString(err), tc.want)
			}
			if after, _ := o.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a rejected checkpoint changed the state")
			}
		})
	}
}

// TestAppendBinary checks that every optimizer's AppendBinary appends
// MarshalBinary's bytes after what b holds, and refills a buffer passed
// back (as b[:0]) in place.
func TestAppendBinary(t *testing.T) {
	for _, tc := range testConfigs() {
		t.Run(tc.name, func(t *testing.T) {
			ps := newParams(smallShapes, 1)
			o := mustNew(t, ps, tc.cfg)
			setGrads(ps, 2, 0)
			if err := o.Step(1); err != nil {
				t.Fatal(err)
			}
			want, err := o.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.AppendBinary([]byte("prefix"))
			if err != nil || string(got[:6]) != "prefix" || !bytes.Equal(got[6:], want) {
				t.Fatalf("AppendBinary after a prefix: %v, or bytes differ from MarshalBinary", err)
			}
			again, _ := o.AppendBinary(got[:0])
			if &again[0] != &got[0] || !bytes.Equal(again, want) {
				t.Error("AppendBinary into the last encoding's buffer moved it or changed its bytes")
			}
		})
	}
}
