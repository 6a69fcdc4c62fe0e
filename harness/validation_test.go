package harness

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

func TestTrainingSet(t *testing.T) {
	for _, c := range []struct {
		name              string
		fraction, holdout float64
		train, val        int // sizes; -1: nil (everything, or none)
	}{
		{"everything", 1, 0, -1, -1},
		{"fraction only", 0.5, 0, 128, -1},
		{"hold-out only", 1, 0.25, 192, 64},
		{"both", 0.5, 0.25, 96, 64},
	} {
		t.Run(c.name, func(t *testing.T) {
			train, val := trainingSet(256, store.RunConfig{Seed: 3, Fraction: c.fraction, Holdout: c.holdout})
			size := func(s []int) int {
				if s == nil {
					return -1
				}
				return len(s)
			}
			if size(train) != c.train || size(val) != c.val {
				t.Fatalf("sizes %d and %d, want %d and %d", size(train), size(val), c.train, c.val)
			}
			for _, k := range train {
				if slices.Contains(val, k) {
					t.Fatalf("example %d both trains and validates", k)
				}
			}
			if c.holdout > 0 {
				// The hold-out does not depend on the run's seed.
				_, other := trainingSet(256, store.RunConfig{Seed: 4, Fraction: c.fraction, Holdout: c.holdout})
				if !slices.Equal(val, other) {
					t.Errorf("the hold-out changes with the seed")
				}
			}
		})
	}
}

// TestValidationMetrics checks that a run with a hold-out records its
// validation loss and accuracy every epoch, that a run without one records
// none, and that a hold-out of 0 leaves the configuration's JSON (so its
// run ID) unchanged.
func TestValidationMetrics(t *testing.T) {
	sp, err := spec.Load(tinySpec, spec.Options{Set: []string{"seeds=[1]", "fractions=[1.0]", "epochs=2"}})
	if err != nil {
		t.Fatal(err)
	}
	plain := sp.Expand()[0]
	b, err := json.Marshal(plain.Config)
	if err != nil || strings.Contains(string(b), "validation") {
		t.Fatalf("a config without a hold-out marshals its key: %s (%v)", b, err)
	}
	held := plain
	held.Config.Holdout = 0.25
	held.ID = spec.RunID(held.Config)
	if held.ID == plain.ID {
		t.Fatal("a hold-out does not change the run ID")
	}
	results := t.TempDir()
	if _, err := Run(context.Background(), []spec.Job{plain, held}, RunOptions{Results: results, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		job  spec.Job
		val  bool
	}{{"without hold-out", plain, false}, {"with hold-out", held, true}} {
		t.Run(c.name, func(t *testing.T) {
			ms, err := store.ReadMetrics(store.RunDir(results, "tiny", c.job.ID))
			if err != nil || len(ms) != 2 {
				t.Fatalf("%d epochs (%v), want 2", len(ms), err)
			}
			for _, m := range ms {
				if got := m.ValLoss > 0 && m.ValAcc > 0 && m.ValAcc <= 1; got != c.val {
					t.Errorf("epoch %d: val_loss %v, val_acc %v", m.Epoch, m.ValLoss, m.ValAcc)
				}
			}
		})
	}
}
