package spec

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/neuroplastic/neuroplastic/models"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

// tinySpec is the pipeline tests' spec, shared with package harness.
const tinySpec = "../testdata/tiny.yaml"

// base is a minimal valid spec; tests append to it or edit it.
const base = `study: s
dataset: mnist
model: mlp
epochs: 2
batch_size: 8
seeds: [1]
fractions: [1]
arms:
  - name: full
    optimizer: {name: neuroplastic, lr: 0.1}
`

// withOptimizer returns base with the optimizer mapping's body replaced.
func withOptimizer(body string) string {
	return strings.Replace(base, "{name: neuroplastic, lr: 0.1}", "{"+body+"}", 1)
}

func mustLoad(t *testing.T, path string, o Options) *Spec {
	t.Helper()
	s, err := Load(path, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadTiny(t *testing.T) {
	s := mustLoad(t, tinySpec, Options{})
	if s.Study != "tiny" || s.Title != "Tiny pipeline test" || s.Report.Kind != "paired" {
		t.Errorf("study, title, report = %q, %q, %+v", s.Study, s.Title, s.Report)
	}
	if !slices.Equal(s.Datasets, []string{data.Synthetic}) || !slices.Equal(s.Epochs, []int{3}) ||
		!slices.Equal(s.Seeds, []int64{1, 2}) || !slices.Equal(s.Fractions, []float64{1, 0.5}) {
		t.Errorf("axes: %v %v %v %v", s.Datasets, s.Epochs, s.Seeds, s.Fractions)
	}
	if s.Quick != (Quick{Epochs: 1, Seeds: 1, FractionScale: 0.5}) {
		t.Errorf("quick = %+v", s.Quick)
	}
	var labels []string
	for _, a := range s.Arms {
		for _, p := range a.Points {
			labels = append(labels, p.Label)
		}
	}
	if want := []string{"grad_only", "full lr=0.1", "full lr=0.05"}; !slices.Equal(labels, want) {
		t.Errorf("labels = %q, want %q", labels, want)
	}
	// from: paper fills warmup_epochs and plasticity_scale; the arm's lr wins.
	np := s.Arms[1].Points[1].Config.NeuroPlastic
	if np == nil || np.LR != 0.05 || np.WarmupEpochs != 2 || np.PlasticityScale != 2 {
		t.Errorf("full lr=0.05 config = %+v", np)
	}
	gp := s.Arms[0].Points[0].Config.NeuroPlastic
	if gp == nil || gp.Mode != "ablation_grad_only" || gp.MinAlpha != 0.5 || gp.MaxAlpha != 1.5 {
		t.Errorf("grad_only config = %+v", gp)
	}
}

func TestExpand(t *testing.T) {
	s := mustLoad(t, "testdata/grid.yaml", Options{})
	jobs := s.Expand()
	// Axes: 2 datasets x 2 epochs x 2 batch sizes x 3 seeds x 2 fractions = 48;
	// grid points: sgd 2 + full 4*3*3 = 38.
	if want := 48 * 38; len(jobs) != want {
		t.Fatalf("%d runs, want %d", len(jobs), want)
	}
	ids := map[string]bool{}
	for i, j := range jobs {
		if j.Index != i || j.ID != RunID(j.Config) || len(j.ID) != 12 {
			t.Fatalf("job %d: index %d, id %q", i, j.Index, j.ID)
		}
		if ids[j.ID] {
			t.Fatalf("duplicate id %s", j.ID)
		}
		ids[j.ID] = true
		if j.Config.Numerics != models.Numerics(j.Config.Model) || j.Config.Study != "grid" {
			t.Fatalf("job %d: %+v", i, j.Config)
		}
	}
	// Order: seed fastest, then fraction, batch, epochs, dataset; arms and
	// grid points slowest, the first grid key slowest within an arm.
	first := jobs[:4]
	want := []struct {
		seed int64
		frac float64
	}{{41, 0.1}, {42, 0.1}, {43, 0.1}, {41, 1}}
	for i, w := range want {
		if c := first[i].Config; c.Seed != w.seed || c.Fraction != w.frac || c.Label != "sgd momentum=0" {
			t.Errorf("job %d: %s seed %d fraction %g", i, c.Label, c.Seed, c.Fraction)
		}
	}
	if c := jobs[6].Config; c.BatchSize != 128 || c.Epochs != 1 || c.Dataset != "mnist" {
		t.Errorf("job 6: %+v", c)
	}
	if c := jobs[24].Config; c.Dataset != "fashion_mnist" {
		t.Errorf("job 24: dataset %s", c.Dataset)
	}
	if got := jobs[2*48].Config.Label; got != "full lr=0.1 warmup_epochs=0 plasticity_scale=0.5" {
		t.Errorf("first full label %q", got)
	}
	if got := jobs[3*48].Config.Label; got != "full lr=0.1 warmup_epochs=0 plasticity_scale=1" {
		t.Errorf("second full label %q", got)
	}
	if got := jobs[len(jobs)-1].Config.Label; got != "full lr=0.01 warmup_epochs=2 plasticity_scale=2" {
		t.Errorf("last label %q", got)
	}
	// The optimizer JSON is canonical: every hyperparameter present.
	var opt map[string]any
	if err := json.Unmarshal(jobs[0].Config.Optimizer, &opt); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "lr", "momentum", "weight_decay", "nesterov"} {
		if _, ok := opt[k]; !ok {
			t.Errorf("sgd optimizer JSON %s lacks %q", jobs[0].Config.Optimizer, k)
		}
	}
	// Expansion is pure.
	again := s.Expand()
	for i := range jobs {
		if again[i].ID != jobs[i].ID {
			t.Fatalf("second expansion differs at %d", i)
		}
	}
}

func TestRunIDIgnoresOverridesOnly(t *testing.T) {
	c := mustLoad(t, tinySpec, Options{}).Expand()[0].Config
	id := RunID(c)
	c.Overrides = []string{"epochs=3"}
	if RunID(c) != id {
		t.Error("overrides changed the run ID")
	}
	for name, edit := range map[string]func(*store.RunConfig){
		"numerics": func(c *store.RunConfig) { c.Numerics++ },
		"seed":     func(c *store.RunConfig) { c.Seed++ },
		"fraction": func(c *store.RunConfig) { c.Fraction = 0.25 },
		"arm":      func(c *store.RunConfig) { c.Arm = "other" },
	} {
		d := c
		edit(&d)
		if RunID(d) == id {
			t.Errorf("changing %s kept the run ID", name)
		}
	}
}

func TestSetOverrides(t *testing.T) {
	sets := []string{"epochs=4", "full.lr=0.2", "max_update_norm=0.5", "seeds=[7, 8, 9]", "quick.epochs=3"}
	s := mustLoad(t, tinySpec, Options{Set: sets})
	if !slices.Equal(s.Epochs, []int{4}) || !slices.Equal(s.Seeds, []int64{7, 8, 9}) || s.Quick.Epochs != 3 {
		t.Errorf("epochs %v seeds %v quick %+v", s.Epochs, s.Seeds, s.Quick)
	}
	// full.lr=0.2 replaces the grid [0.1, 0.05] with one point.
	if len(s.Arms[1].Points) != 1 || s.Arms[1].Points[0].Config.NeuroPlastic.LR != 0.2 || s.Arms[1].Points[0].Label != "full" {
		t.Errorf("full points %+v", s.Arms[1].Points)
	}
	for _, a := range s.Arms {
		if a.Points[0].Config.NeuroPlastic.MaxUpdateNorm != 0.5 {
			t.Errorf("arm %s: max_update_norm not overridden", a.Name)
		}
	}
	if want := []string{"epochs=4", "max_update_norm=0.5", "seeds=[7, 8, 9]", "quick.epochs=3"}; !slices.Equal(s.Arms[0].Overrides, want) {
		t.Errorf("grad_only overrides %q, want %q", s.Arms[0].Overrides, want)
	}
	if want := []string{"epochs=4", "max_update_norm=0.5", "seeds=[7, 8, 9]", "quick.epochs=3", "full.lr=0.2"}; !slices.Equal(s.Arms[1].Overrides, want) {
		t.Errorf("full overrides %q, want %q", s.Arms[1].Overrides, want)
	}
	jobs := s.Expand()
	if !slices.Equal(jobs[len(jobs)-1].Config.Overrides, s.Arms[1].Overrides) {
		t.Errorf("run config overrides %q", jobs[len(jobs)-1].Config.Overrides)
	}
	// The same values written into the spec give the same run IDs.
	src, err := os.ReadFile(tinySpec)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.NewReplacer("epochs: 3", "epochs: 4", "seeds: [1, 2]", "seeds: [7, 8, 9]",
		"lr: [0.1, 0.05]}", "lr: 0.2, max_update_norm: 0.5}", "max_alpha: 1.5}", "max_alpha: 1.5, max_update_norm: 0.5}").Replace(string(src))
	direct, err := Parse("edited.yaml", []byte(edited), Options{})
	if err != nil {
		t.Fatal(err)
	}
	djobs := direct.Expand()
	if len(djobs) != len(jobs) {
		t.Fatalf("%d runs edited, %d overridden", len(djobs), len(jobs))
	}
	for i := range jobs {
		if djobs[i].ID != jobs[i].ID {
			t.Errorf("run %d: id %s overridden, %s edited", i, jobs[i].ID, djobs[i].ID)
		}
	}
}

func TestQuick(t *testing.T) {
	s := mustLoad(t, tinySpec, Options{Quick: true})
	if !slices.Equal(s.Epochs, []int{1}) || !slices.Equal(s.Seeds, []int64{1}) || !slices.Equal(s.Fractions, []float64{0.5, 0.25}) {
		t.Errorf("quick axes: epochs %v seeds %v fractions %v", s.Epochs, s.Seeds, s.Fractions)
	}
	d, err := Parse("x.yaml", []byte(strings.Replace(base, "fractions: [1]", "fractions: [0.1, 1]", 1)), Options{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	// Default profile: 2 epochs, 2 seeds, fractions x0.1, rounded to 12 digits.
	if !slices.Equal(d.Epochs, []int{2}) || !slices.Equal(d.Fractions, []float64{0.01, 0.1}) {
		t.Errorf("default quick: epochs %v fractions %v", d.Epochs, d.Fractions)
	}
}

func TestFromSelected(t *testing.T) {
	dir := t.TempDir()
	locked := `{"optimizer": {"name": "neuroplastic", "lr": 0.03, "warmup_epochs": 1, "plasticity_scale": 0.5}}`
	if err := os.WriteFile(filepath.Join(dir, LockedConfigFile), []byte(locked), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse("x.yaml", []byte(withOptimizer("from: selected, max_alpha: 3")), Options{Results: dir})
	if err != nil {
		t.Fatal(err)
	}
	np := s.Arms[0].Points[0].Config.NeuroPlastic
	if np.LR != 0.03 || np.WarmupEpochs != 1 || np.PlasticityScale != 0.5 || np.MaxAlpha != 3 {
		t.Errorf("selected config %+v", np)
	}
}

func TestSpecErrors(t *testing.T) {
	dir := t.TempDir()
	badLocked := filepath.Join(dir, "bad")
	if err := os.MkdirAll(badLocked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badLocked, LockedConfigFile), []byte(`{"optimizer": {"name": "sgd"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		src     string
		set     []string
		results string
		want    string
	}{
		{"unknown top key", base + "bogus: 1\n", nil, "", `spec: x.yaml:11: unknown key "bogus"`},
		{"unknown optimizer key", withOptimizer("name: neuroplastic, lrr: 0.1"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer: unknown key "lrr" for neuroplastic`},
		{"duplicate key", strings.Replace(base, "epochs: 2\n", "epochs: 2\nepochs: 3\n", 1), nil, "",
			`spec: x.yaml:5: duplicate key "epochs" (first at line 4)`},
		{"duplicate optimizer key", withOptimizer("name: neuroplastic, lr: 0.1, lr: 0.2"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer: duplicate key "lr" (first at line 10)`},
		{"wrong type epochs", strings.Replace(base, "epochs: 2", "epochs: ten", 1), nil, "",
			`spec: x.yaml:4: epochs: want an integer, got string "ten"`},
		{"wrong type study", strings.Replace(base, "study: s", "study: [s]", 1), nil, "",
			`spec: x.yaml:1: study: want a string, got a list`},
		{"wrong type arms", strings.SplitAfter(base, "arms:")[0] + " 3\n", nil, "",
			`spec: x.yaml:8: arms: want a list, got integer "3"`},
		{"fraction above 1", strings.Replace(base, "fractions: [1]", "fractions: [0.5, 1.5]", 1), nil, "",
			`spec: x.yaml:7: fractions[1]: 1.5 out of range (0, 1]`},
		{"fraction zero", strings.Replace(base, "fractions: [1]", "fractions: 0", 1), nil, "",
			`spec: x.yaml:7: fractions: 0 out of range (0, 1]`},
		{"epochs zero", strings.Replace(base, "epochs: 2", "epochs: 0", 1), nil, "",
			`spec: x.yaml:4: epochs: 0 out of range [1, 10000]`},
		{"batch zero", strings.Replace(base, "batch_size: 8", "batch_size: [8, 0]", 1), nil, "",
			`spec: x.yaml:5: batch_size[1]: 0 out of range [1, 65536]`},
		{"negative seed", strings.Replace(base, "seeds: [1]", "seeds: [-1]", 1), nil, "",
			`spec: x.yaml:6: seeds[0]: -1 out of range [0, 9223372036854775807]`},
		{"repeated seed", strings.Replace(base, "seeds: [1]", "seeds: [1, 2, 1]", 1), nil, "",
			`spec: x.yaml:6: seeds[2]: 1 listed twice`},
		{"unknown dataset", strings.Replace(base, "dataset: mnist", "dataset: imagenet", 1), nil, "",
			`spec: x.yaml:2: dataset: unknown "imagenet" (want one of mnist, fashion_mnist, cifar10, synthetic)`},
		{"empty arms", strings.SplitAfter(base, "arms:")[0] + " []\n", nil, "",
			`spec: x.yaml:8: arms: empty list: a spec needs at least one arm`},
		{"duplicate arm names", base + "  - name: full\n    optimizer: {name: sgd}\n", nil, "",
			`spec: x.yaml:11: arms[1].name: duplicate arm name "full" (also arms[0])`},
		{"bad arm name", strings.Replace(base, "name: full", "name: Full.1", 1), nil, "",
			`spec: x.yaml:9: arms[0].name: "Full.1" must match [a-z0-9_]+`},
		{"missing key", strings.Replace(base, "model: mlp\n", "", 1), nil, "",
			`spec: x.yaml:1: missing required key "model"`},
		{"unknown optimizer", withOptimizer("name: lion"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.name: optim: unknown optimizer "lion" (want adam, adamw, neuroplastic or sgd)`},
		{"hyperparameter out of range", withOptimizer("name: neuroplastic, lr: [0.1, -1]"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.lr: optim: neuroplastic: lr -1 < 0`},
		{"related key", withOptimizer("name: neuroplastic, lr: 0.1, max_alpha: [1, 0.1]"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.max_alpha: optim: neuroplastic: min_alpha 0.2 > max_alpha 0.1`},
		{"wrong hyperparameter type", withOptimizer("name: neuroplastic, warmup_epochs: two"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.warmup_epochs: optim: neuroplastic: warmup_epochs: want an integer, got string "two"`},
		{"wrong boolean type", withOptimizer("name: sgd, momentum: 0.9, nesterov: [true, 1]"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.nesterov: optim: sgd: nesterov: want a boolean, got number 1`},
		{"relation without the key", withOptimizer("name: sgd, nesterov: true"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.nesterov: optim: sgd: nesterov needs momentum > 0, not 0`},
		{"same grid point twice", withOptimizer("name: neuroplastic, lr: [0.1, 0.10]"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer: grid points "full lr=0.1" and "full lr=0.1" give the same configuration`},
		{"from unknown", withOptimizer("from: nowhere"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.from: unknown source "nowhere" (want paper or selected)`},
		{"from paper with sgd", withOptimizer("name: sgd, from: paper"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.from: from: paper is a neuroplastic configuration, but name is "sgd"`},
		{"missing locked config", withOptimizer("from: selected"), nil, "/nowhere",
			"spec: x.yaml:10: arms[0].optimizer.from: selected: /nowhere/locked_config.json is missing: run the mnist_tuning study and `neuroplastic report` first"},
		{"locked config of another optimizer", withOptimizer("name: neuroplastic, from: selected"), nil, badLocked,
			`spec: x.yaml:10: arms[0].optimizer.from: selected: ` + filepath.Join(badLocked, LockedConfigFile) + ` holds a sgd configuration, but name is "neuroplastic"`},
		{"bad report kind", base + "report: {kind: bogus}\n", nil, "",
			`spec: x.yaml:11: report: kind: unknown "bogus" (want one of tuning, paired, baselines)`},
		{"unknown report key", base + "report: {kind: paired, figs: [fig2a]}\n", nil, "",
			`spec: x.yaml:11: report: unknown key "figs"`},
		{"quick out of range", base + "quick: {fraction_scale: 2}\n", nil, "",
			`spec: x.yaml:11: quick.fraction_scale: 2 out of range (0, 1]`},
		{"malformed YAML", "study: s\narms: [\n", nil, "", `spec: x.yaml:2: did not find expected node content`},
		{"tab indentation", "study: s\n\tepochs: 1\n", nil, "", `spec: x.yaml:2: found a tab character that violates indentation`},
		{"not a mapping", "- a\n- b\n", nil, "", `spec: x.yaml:1: want a mapping, got a list`},
		{"empty", "", nil, "", `spec: x.yaml: empty spec`},
		{"two documents", base + "---\nstudy: t\n", nil, "", `spec: x.yaml:11: more than one YAML document`},
		{"non-finite", withOptimizer("name: neuroplastic, lr: .nan"), nil, "",
			`spec: x.yaml:10: arms[0].optimizer.lr: want a finite number, got ".nan"`},
		{"too many runs", strings.Replace(base, "seeds: [1]", "seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", 1) +
			"  - name: big\n    optimizer: {name: sgd, lr: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], momentum: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],\n" +
			"      weight_decay: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}\n", nil, "",
			`spec: x.yaml: the spec expands into 10010 runs, more than 10000`},
		{"too many runs before anything is compared", strings.Replace(base, "seeds: [1]", "seeds: [1, 1"+strings.Repeat(", 2", 10000)+"]", 1), nil, "",
			`spec: x.yaml: the spec expands into 10002 runs, more than 10000`},
		{"fraction with no example", strings.Replace(base, "fractions: [1]", "fractions: [1, 1e-9]", 1), nil, "",
			`spec: x.yaml:7: fractions[1]: 1e-09 of mnist's 60000 training examples is 0 examples, fewer than one batch (batch_size 8)`},
		{"fraction below one batch", strings.Replace(base, "batch_size: 8", "batch_size: [8, 128]", 1), []string{"fractions=0.002"}, "",
			`spec: --set fractions=0.002: fractions: 0.002 of mnist's 60000 training examples is 120 examples, fewer than one batch (batch_size 128)`},
		{"unknown reproduce stage", base + "reproduce: later\n", nil, "",
			`spec: x.yaml:11: reproduce: unknown "later" (want one of first, deferred)`},
		{"set without =", base, []string{"lr"}, "", `spec: --set lr: want key=value`},
		{"set unknown arm", base, []string{"fulll.lr=1"}, "", `spec: --set fulll.lr=1: no arm named "fulll"`},
		{"set unknown key", base, []string{"lrr=1"}, "", `spec: --set lrr=1: arms[0].optimizer: unknown key "lrr" for neuroplastic`},
		{"set out of range", base, []string{"epochs=0"}, "", `spec: --set epochs=0: epochs: 0 out of range [1, 10000]`},
		{"set wrong type", base, []string{"batch_size=big"}, "", `spec: --set batch_size=big: batch_size: want an integer, got string "big"`},
		{"set non-scalar", base, []string{"arms=1"}, "", `spec: --set arms=1: "arms" is not a scalar (set one of its keys, e.g. quick.epochs=1)`},
		{"set quick key", base, []string{"quick.epochz=1"}, "", `spec: --set quick.epochz=1: quick: unknown key "epochz"`},
		{"set bad YAML", base, []string{"epochs=[1"}, "", `spec: --set epochs=[1: value is not valid YAML`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.src), Options{Set: c.set, Results: c.results})
			if err == nil {
				t.Fatalf("no error, want %s", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
		})
	}
}

// TestQuickFractionTooSmall checks that a fraction is checked as the quick
// profile scales it, and the error says so.
func TestQuickFractionTooSmall(t *testing.T) {
	src := strings.Replace(base, "fractions: [1]", "fractions: [1, 0.01]", 1) + "quick: {fraction_scale: 0.1}\n"
	if _, err := Parse("x.yaml", []byte(src), Options{}); err != nil {
		t.Fatalf("without --quick: %v", err)
	}
	_, err := Parse("x.yaml", []byte(src), Options{Quick: true, Set: []string{"batch_size=128"}})
	want := "spec: x.yaml:7: fractions[1]: 0.01 (0.001 with --quick) of mnist's 60000 training examples is 60 examples, fewer than one batch (batch_size 128)"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestHugeAxisIsLinear checks that validating a huge axis costs a small
// multiple of reading it: a spec of 100,000 distinct seeds (under --quick,
// which keeps two) parses in less than six times what the YAML library alone
// takes to read it (about three times here). The old duplicate check,
// comparing every pair, took about twenty times as long. Each is timed twice
// and the faster time kept, so a busy machine does not fail the test.
func TestHugeAxisIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a 0.7 MB spec")
	}
	var b strings.Builder
	b.WriteString("[0")
	for i := 1; i < 100000; i++ {
		b.WriteString(", " + strconv.Itoa(i))
	}
	b.WriteString("]")
	src := []byte(strings.Replace(base, "seeds: [1]", "seeds: "+b.String(), 1))
	fastest := func(f func()) time.Duration {
		best := time.Duration(math.MaxInt64)
		for range 2 {
			runtime.GC()
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	read := fastest(func() {
		var n yaml.Node
		if err := yaml.Unmarshal(src, &n); err != nil {
			t.Fatal(err)
		}
	})
	parse := fastest(func() {
		s, err := Parse("x.yaml", src, Options{Quick: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s.Seeds, []int64{0, 1}) {
			t.Fatalf("quick seeds %v", s.Seeds)
		}
	})
	t.Logf("reading the YAML: %v; parsing the spec: %v", read, parse)
	if parse > 6*read {
		t.Errorf("parsing took %v, more than six times the %v of reading the YAML", parse, read)
	}
}

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"1/2", Shard{1, 2}, ""},
		{"3/2", Shard{}, `spec: bad shard "3/2": want i/n with 0 <= i < n`},
		{"2/2", Shard{}, `spec: bad shard "2/2": want i/n with 0 <= i < n`},
		{"-1/2", Shard{}, `spec: bad shard "-1/2": want i/n with 0 <= i < n`},
		{"1", Shard{}, `spec: bad shard "1": want i/n with 0 <= i < n`},
		{"a/b", Shard{}, `spec: bad shard "a/b": want i/n with 0 <= i < n`},
	} {
		got, err := ParseShard(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseShard(%q) error %v, want %s", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseShard(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestShardsPartitionRuns(t *testing.T) {
	jobs := mustLoad(t, tinySpec, Options{}).Expand()
	seen := map[string]int{}
	for i := range 3 {
		sel, err := Select(jobs, Shard{i, 3}, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range sel {
			if j.Index%3 != i {
				t.Errorf("shard %d/3 has run %d", i, j.Index)
			}
			seen[j.ID]++
		}
	}
	if len(seen) != len(jobs) {
		t.Errorf("shards cover %d of %d runs", len(seen), len(jobs))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("run %s in %d shards", id, n)
		}
	}
}

// TestFilterMatchingNothing checks that --only matching no run is an error
// listing the values of every key, and that a shard left empty is not.
func TestFilterMatchingNothing(t *testing.T) {
	jobs := mustLoad(t, tinySpec, Options{}).Expand()
	want := `spec: --only dataset=mnist,arm=full matches none of the 12 runs; the runs have
  arm: grad_only, full
  label (substring): grad_only, full lr=0.1, full lr=0.05
  dataset: synthetic
  model: mlp
  seed: 1, 2
  fraction: 1, 0.5
  id: a prefix of a run ID, such as ` + jobs[0].ID + " (`neuroplastic plan` lists them)"
	for _, only := range []string{"dataset=mnist,arm=full", "id=deadbeef", "arm=fulll"} {
		f, err := ParseFilter(only)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Select(jobs, Shard{}, f)
		if err == nil {
			t.Errorf("--only %s: no error", only)
		} else if only == "dataset=mnist,arm=full" && err.Error() != want {
			t.Errorf("error\n got: %s\nwant: %s", err, want)
		}
	}
	f, _ := ParseFilter("id=" + jobs[0].ID)
	if sel, err := Select(jobs, Shard{1, 2}, f); err != nil || len(sel) != 0 {
		t.Errorf("an empty shard: %d runs, %v", len(sel), err)
	}
}

func TestFilter(t *testing.T) {
	jobs := mustLoad(t, tinySpec, Options{}).Expand()
	count := func(only string) int {
		f, err := ParseFilter(only)
		if err != nil {
			t.Fatal(err)
		}
		sel, err := Select(jobs, Shard{}, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(sel)
	}
	for only, want := range map[string]int{
		"":                            12,
		"arm=full":                    8,
		"label=lr=0.05":               4,
		"seed=1":                      6,
		"fraction=0.5,arm=full":       4,
		"arm=full,seed=1,seed=2":      8,
		"dataset=synthetic,model=mlp": 12,
		"id=" + jobs[3].ID:            1,
	} {
		if got := count(only); got != want {
			t.Errorf("--only %q: %d runs, want %d", only, got, want)
		}
	}
	for only, want := range map[string]string{
		"arm":        `spec: --only arm: "arm" is not key=value`,
		"colour=red": `spec: --only colour=red: unknown key "colour" (want one of arm, label, dataset, model, seed, fraction, id)`,
		"seed=x":     `spec: --only seed=x: seed "x" is not an integer`,
	} {
		if _, err := ParseFilter(only); err == nil || err.Error() != want {
			t.Errorf("ParseFilter(%q) error %v, want %s", only, err, want)
		}
	}
}

// FuzzSpec checks that no input makes the parser panic, and that a spec
// that parses expands into the product of its axes and grids with stable,
// unique IDs.
func FuzzSpec(f *testing.F) {
	for _, path := range []string{tinySpec, "testdata/grid.yaml"} {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(base))
	f.Add([]byte(withOptimizer("from: paper, lr: [0.1, 0.2], warmup_epochs: [0, 1]")))
	f.Add([]byte("a: &x [1, *x]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("f.yaml", src, Options{Results: "testdata/no-results"}) // t.TempDir here stalls the fuzzer
		if err != nil {
			return
		}
		want := len(s.Datasets) * len(s.Models) * len(s.Epochs) * len(s.BatchSizes) * len(s.Seeds) * len(s.Fractions)
		points := 0
		for _, a := range s.Arms {
			points += len(a.Points)
		}
		jobs := s.Expand()
		if len(jobs) != want*points {
			t.Fatalf("%d runs, want %d", len(jobs), want*points)
		}
		again := s.Expand()
		ids := map[string]bool{}
		for i := range jobs {
			if jobs[i].ID != again[i].ID {
				t.Fatalf("run %d: id %s then %s", i, jobs[i].ID, again[i].ID)
			}
			if ids[jobs[i].ID] {
				t.Fatalf("duplicate id %s", jobs[i].ID)
			}
			ids[jobs[i].ID] = true
		}
	})
}
