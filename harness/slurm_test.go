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
		Results: "/shared/results", DataDir: "/shared/data", Shards: 8, Parallel: 3, Time: "04:00:00", MemMB: 3000,
		Partition: "cpu", CPUsPerTask: 4, SbatchArgs: []string{"--account=proj", "--qos=long"},
		Extra: []string{"--set", "full.lr=0.05", "--set", "title=it's"},
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
	ok := SlurmOptions{Study: "s", Spec: "/s.yaml", Binary: "/b", Results: "/r", DataDir: "/d", Shards: 2, Time: "1-00:00:00", CPUsPerTask: 1}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*SlurmOptions){
		"no shards":      func(o *SlurmOptions) { o.Shards = 0 },
		"bad time":       func(o *SlurmOptions) { o.Time = "4h" },
		"relative spec":  func(o *SlurmOptions) { o.Spec = "s.yaml" },
		"no cpus":        func(o *SlurmOptions) { o.CPUsPerTask = 0 },
		"no data dir":    func(o *SlurmOptions) { o.DataDir = "" },
		"bad sbatch arg": func(o *SlurmOptions) { o.SbatchArgs = []string{"account=x"} },
		"two lines":      func(o *SlurmOptions) { o.SbatchArgs = []string{"--account=x\nrm -rf /"} },
	} {
		o := ok
		edit(&o)
		if o.Validate() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSlurmResources is issue 10, failure 15: memory from the model's
// measured peak and the datasets, time from the largest shard's work.
func TestSlurmResources(t *testing.T) {
	job := func(i int, model, dataset string) spec.Job {
		j := spec.Job{Index: i}
		j.Config.Model, j.Config.Dataset, j.Config.Epochs, j.Config.Fraction, j.Config.BatchSize = model, dataset, 1, 1, 128
		return j
	}
	resnet := []spec.Job{job(0, "resnet18", "cifar10"), job(1, "resnet18", "cifar10"), job(2, "resnet18", "cifar10")}
	for _, tc := range []struct {
		name         string
		jobs         []spec.Job
		shards, cpus int
		memMB        int
		limit        string
	}{
		// (703 MB of data + 2 workers x 2106 MB + 256 MB) x 1.5; shard 0
		// holds 2 epochs of ~178 TFLOP at 250 GFLOP/s: 3 x 1422 s + 600 s.
		{"resnet18, 2 shards", resnet, 2, 2, 7757, "01:21:06"},
		// (703 + 1 x 2106 + 256) x 1.5; 3 x 356 s + 600 s.
		{"resnet18, 1 run on 4 cores", resnet[:1], 1, 4, 4598, "00:27:47"},
		// (209 MB of MNIST + 25 + 256) x 1.5.
		{"mlp", []spec.Job{job(0, "mlp", "mnist")}, 1, 1, 735, "00:10:03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem, limit := SlurmResources(tc.jobs, tc.shards, tc.cpus)
			if mem != tc.memMB || limit != tc.limit {
				t.Errorf("mem %d MB, time %s; want %d MB, %s", mem, limit, tc.memMB, tc.limit)
			}
		})
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
