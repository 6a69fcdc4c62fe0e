package records

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// epochs returns n epochs of made-up metrics with wall times and diagnostics.
func epochs(n int) []store.EpochMetrics {
	ms := make([]store.EpochMetrics, n)
	for i := range ms {
		ms[i] = store.EpochMetrics{Epoch: i + 1, TrainLoss: 1 / float64(i+3), TrainAcc: 0.5 + float64(i)/10,
			TestLoss: 0.7 / float64(i+1), TestAcc: 0.1 * float64(i+1), WallSeconds: 1.25 * float64(i+1),
			Diagnostics: map[string]float64{"alpha_mean": 1 + float64(i)/3, "gate": float64(i) / 2}}
	}
	return ms
}

// storeRun returns a completed run of seed with its summary, as the store
// loads it.
func storeRun(seed int64) store.Run {
	ms := epochs(3)
	last := ms[2]
	c := store.RunConfig{Study: "s", Arm: "a", Label: "a", Dataset: "d", Model: "mlp", Epochs: 3, BatchSize: 8, Seed: seed, Fraction: 0.5, Optimizer: []byte(`{"name":"sgd"}`), Numerics: 2}
	id := store.ConfigHash(c)[:store.IDLen]
	return store.Run{
		ID:     id,
		Config: c,
		Status: store.Completed, Metrics: ms,
		Summary: &store.Summary{ID: id, Status: store.Completed, EpochsDone: 3, Final: &last, BestAcc: last.TestAcc, BestEpoch: 3,
			Attempts: 2, Manifest: store.Manifest{Host: "h", WallSeconds: 9}},
	}
}

// TestRoundTrip checks that records are sorted by ID, carry no wall time,
// read back to the run the report sees and re-encode to the same bytes.
func TestRoundTrip(t *testing.T) {
	runs := []store.Run{storeRun(2), storeRun(1)}
	if runs[0].ID < runs[1].ID {
		runs[0], runs[1] = runs[1], runs[0] // written out of order
	}
	recs := []Record{FromRun(runs[0]), FromRun(runs[1])}
	path := Path(t.TempDir(), "s")
	if err := Write(path, recs); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	first, second := runs[1].ID, runs[0].ID
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"id":"`+first+`"`) || !strings.HasPrefix(lines[1], `{"id":"`+second+`"`) {
		t.Fatalf("want two lines sorted by id, got:\n%s", b)
	}
	if strings.Contains(string(b), "wall_seconds") || strings.Contains(string(b), "manifest") {
		t.Errorf("record carries wall time or a manifest:\n%s", b)
	}
	read, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range runs {
		got := read[want.ID].Run()
		if got.Status != want.Status || got.Summary.BestAcc != want.Summary.BestAcc || got.Summary.EpochsDone != 3 ||
			got.Summary.Final.TestAcc != want.Summary.Final.TestAcc || len(got.Metrics) != 3 || got.Metrics[1].Diagnostics["gate"] != 0.5 {
			t.Errorf("run %s read back as %+v", want.ID, got)
		}
		if d := Diff(want.Metrics, got.Metrics); d != "" {
			t.Errorf("run %s: metrics changed: %s", want.ID, d)
		}
	}
	again, err := Encode([]Record{FromRun(read[second].Run()), FromRun(read[first].Run())})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, b) {
		t.Errorf("re-encoding changed the bytes:\n%s\nthen\n%s", b, again)
	}
}

func TestDiff(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(ms []store.EpochMetrics) []store.EpochMetrics
		want string // "" for identical
	}{
		{"identical", func(ms []store.EpochMetrics) []store.EpochMetrics { return ms }, ""},
		{"wall time only", func(ms []store.EpochMetrics) []store.EpochMetrics { ms[1].WallSeconds = 99; return ms }, ""},
		{"test accuracy", func(ms []store.EpochMetrics) []store.EpochMetrics {
			ms[1].TestAcc = 0.2000000001
			ms[2].TrainLoss = 3
			return ms
		}, "epoch 2: test_acc: committed 0.2, got 0.2000000001"},
		{"diagnostic value", func(ms []store.EpochMetrics) []store.EpochMetrics { ms[2].Diagnostics["gate"] = 7; return ms },
			"epoch 3: diagnostics.gate: committed 1, got 7"},
		{"diagnostic missing", func(ms []store.EpochMetrics) []store.EpochMetrics { delete(ms[0].Diagnostics, "alpha_mean"); return ms },
			"epoch 1: diagnostics.alpha_mean: committed 1, not in the re-run"},
		{"fewer epochs", func(ms []store.EpochMetrics) []store.EpochMetrics { return ms[:2] }, "3 epochs recorded, 2 re-run"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Diff(epochs(3), c.edit(epochs(3))); got != c.want {
				t.Errorf("Diff = %q, want %q", got, c.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	id := store.ConfigHash(store.RunConfig{})[:store.IDLen]
	good := `{"id":"` + id + `","status":"completed","best_test_acc":0,"best_epoch":0,"config":{},"metrics":[]}`
	for _, c := range []struct {
		name, content, want string
	}{
		{"malformed line", good + "\n{\"id\":\n", "s.jsonl:2:"},
		{"unknown field", `{"id":"a","bogus":1}` + "\n", `s.jsonl:1: json: unknown field "bogus"`},
		{"no id", `{"status":"completed"}` + "\n", "s.jsonl:1: no run id"},
		{"edited", `{"id":"a","status":"completed","config":{}}` + "\n", "s.jsonl:1: run a: its config hashes to " + id},
		{"not finished", `{"id":"` + id + `","status":"partial","config":{}}` + "\n", `s.jsonl:1: run ` + id + ` has status "partial"`},
		{"duplicate", good + "\n" + good + "\n", "s.jsonl:2: run " + id + " listed twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.jsonl")
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Read(path); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Read: %v, want an error containing %q", err, c.want)
			}
		})
	}
	recs, err := Read(filepath.Join(t.TempDir(), "none.jsonl"))
	if err != nil || len(recs) != 0 {
		t.Errorf("a missing file: %v, %d records; want none and no error", err, len(recs))
	}
}

// TestReadInconsistent checks that a record whose metrics cannot be those of
// the finished run it claims to be is refused, naming the file and line.
func TestReadInconsistent(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(r *Record)
		want string
	}{
		{"cut short", func(r *Record) { r.Metrics = r.Metrics[:1]; r.BestAcc, r.BestEpoch = r.Metrics[0].TestAcc, 1 }, "completed after 1 of 3 epochs"},
		{"epochs out of order", func(r *Record) { r.Metrics[1].Epoch = 7 }, "metrics line 2 is epoch 7, want 2"},
		{"best not from the metrics", func(r *Record) { r.BestAcc = 0.99 }, "best test accuracy 0.99 at epoch 3, but its metrics give"},
		{"diverged past the config", func(r *Record) {
			r.Status = store.Diverged
			r.Metrics = append(r.Metrics, epochs(4)[3])
		}, "4 epochs, the config asks for 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := FromRun(storeRun(1))
			c.edit(&rec)
			path := Path(t.TempDir(), "s")
			if err := Write(path, []Record{rec}); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path)
			if err == nil || !strings.Contains(err.Error(), path+":1: run "+rec.ID+": "+c.want) {
				t.Errorf("got %v, want an error naming %s:1 and %q", err, path, c.want)
			}
		})
	}
}
