package harness

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/neuroplastic/neuroplastic/harness/spec"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestWriteSlurmGolden(t *testing.T) {
	var b strings.Builder
	err := WriteSlurm(&b, SlurmOptions{
		Study: "fashion_mnist", Spec: "/work/experiments/fashion_mnist.yaml", Binary: "/opt/bin/neuroplastic",
		Results: "/shared/results", Shards: 8, Parallel: 3, Time: "04:00:00", Partition: "cpu",
		CPUsPerTask: 4, Extra: []string{"--set", "full.lr=0.05", "--set", "title=it's"},
	})
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/slurm.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("script differs from %s (rerun with -update after checking):\n%s", golden, b.String())
	}
}

func TestSlurmValidate(t *testing.T) {
	ok := SlurmOptions{Study: "s", Spec: "/s.yaml", Binary: "/b", Results: "/r", Shards: 2, Time: "1-00:00:00", CPUsPerTask: 1}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*SlurmOptions){
		"no shards":     func(o *SlurmOptions) { o.Shards = 0 },
		"bad time":      func(o *SlurmOptions) { o.Time = "4h" },
		"relative spec": func(o *SlurmOptions) { o.Spec = "s.yaml" },
		"no cpus":       func(o *SlurmOptions) { o.CPUsPerTask = 0 },
	} {
		o := ok
		edit(&o)
		if o.Validate() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestEstimate(t *testing.T) {
	job := func(model, dataset string, frac float64) spec.Job {
		j := spec.Job{}
		j.Config.Model, j.Config.Dataset, j.Config.Epochs, j.Config.Fraction = model, dataset, 1, frac
		return j
	}
	// docs/performance.md: a ResNet-18 CIFAR-10 epoch with its test pass is about 178
	// TFLOP and a small_cnn one about 13; allow 1% for their rounding.
	for _, c := range []struct {
		j     spec.Job
		tflop float64
	}{{job("resnet18", "cifar10", 1), 178}, {job("small_cnn", "cifar10", 1), 13}} {
		w := Estimate([]spec.Job{c.j})
		if got := w.FLOP / 1e12; got < c.tflop*0.99 || got > c.tflop*1.01 {
			t.Errorf("%s: %.1f TFLOP per epoch, want about %g", c.j.Config.Model, got, c.tflop)
		}
	}
	w := Estimate([]spec.Job{job("mlp", "mnist", 0.1), job("mlp", "mnist", 1)})
	if w.Runs != 2 || w.Epochs != 2 || w.SamplePasses != 6000+10000+60000+10000 {
		t.Errorf("work %+v", w)
	}
	if got := (Work{FLOP: 40e9}).Time(20); got != 2*time.Second {
		t.Errorf("40 GFLOP at 20 GFLOP/s takes %v", got)
	}
}

func TestWritePlan(t *testing.T) {
	dir := t.TempDir()
	s := mustLoad(t, "testdata/tiny.yaml", spec.Options{})
	jobs := s.Expand()
	if _, err := Run(t.Context(), jobs[:1], RunOptions{Results: dir, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WritePlan(&b, s.Study, jobs, dir, 20); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		jobs[0].ID + "  grad_only     synthetic  mlp    3       1         1     completed",
		"study tiny: 12 runs: 11 pending 1 completed",
		"work, all runs: 12 runs, 36 epochs, 9216 sample passes",
		"work, to do:    11 runs, 33 epochs,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}
