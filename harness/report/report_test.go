package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/optim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testEpochs is the number of epochs of every synthetic run.
const testEpochs = 5

// testSeeds are the seeds of every synthetic configuration.
var testSeeds = []int64{41, 42, 43}

// npOptimizer returns a NeuroPlastic optimizer JSON with the keys the
// report reads (plus a few canonical ones), in sorted key order.
func npOptimizer(mode string, lr float64, warmup int, scale float64) json.RawMessage {
	minA, maxA := 0.2, 2.0
	if mode == "ablation_grad_only" {
		minA, maxA = 0.5, 1.5
	}
	return json.RawMessage(fmt.Sprintf(`{"lr":%v,"max_alpha":%v,"min_alpha":%v,"mode":%q,"name":"neuroplastic","plasticity_scale":%v,"warmup_epochs":%d}`,
		lr, maxA, minA, mode, scale, warmup))
}

// fullOpt and gradOpt are the paired arms' optimizers.
func fullOpt(lr float64, warmup int, scale float64) json.RawMessage {
	return npOptimizer("rule_based", lr, warmup, scale)
}

var gradOpt = npOptimizer("ablation_grad_only", 0.1, 0, 1)

// cfg describes one synthetic configuration: every seed's final test
// accuracy is base + 0.001*(seed-42) + a small configuration-dependent
// jitter, so per-seed differences have a known sign and nonzero variance.
type cfg struct {
	arm, label string
	opt        json.RawMessage
	fraction   float64
	base, loss float64
}

// synth builds completed runs for every configuration and seed.
func synth(study, dataset string, cfgs ...cfg) []store.Run {
	var runs []store.Run
	for ci, c := range cfgs {
		for _, seed := range testSeeds {
			k := float64(seed - 42)
			final := c.base + 0.001*k + 0.0002*float64((int(seed)+ci)%3)
			r := store.Run{
				ID:     fmt.Sprintf("%s-%d-%d", study, ci, seed),
				Status: store.Completed,
				Config: store.RunConfig{Study: study, Arm: c.arm, Label: c.label, Dataset: dataset, Model: "mlp",
					Epochs: testEpochs, BatchSize: 128, Seed: seed, Fraction: c.fraction, Optimizer: c.opt, Numerics: 1},
			}
			for e := 1; e <= testEpochs; e++ {
				rest := float64(testEpochs-e) / testEpochs
				m := store.EpochMetrics{Epoch: e, TestAcc: final - 0.03*rest, TestLoss: c.loss*(1+0.5*rest) - 0.001*k}
				if e == testEpochs-1 && seed == 43 {
					m.TestAcc = final + 0.0005 // best epoch before the last
				}
				if c.opt != nil && strings.Contains(string(c.opt), "neuroplastic") {
					m.Diagnostics = optim.Diagnostics{optim.DiagAlphaMean: 1 + 0.05*float64(e) + 0.01*k, optim.DiagEffectiveUpdateNorm: 30 + float64(e) + 0.5*k}
				}
				r.Metrics = append(r.Metrics, m)
			}
			runs = append(runs, r)
		}
	}
	return runs
}

// withStatus returns a run of c at seed that ended with status after epochs.
func withStatus(study, dataset string, c cfg, seed int64, status string, epochs int) store.Run {
	r := synth(study, dataset, c)[0]
	r.ID += "-" + status
	r.Config.Seed = seed
	r.Status = status
	r.Metrics = r.Metrics[:epochs]
	if status == store.Failed {
		r.Summary = &store.Summary{Status: status, Error: "disk full"}
	}
	if status == store.Diverged && epochs > 0 {
		r.Metrics[epochs-1].TestLoss = math.NaN()
	}
	return r
}

// tuningConfigs is a small tuning grid whose winner is full lr=0.05
// warmup_epochs=0 plasticity_scale=2; the paper-locked configuration ranks
// second.
func tuningConfigs(winner float64) []cfg {
	return []cfg{
		{armGradOnly, "grad_only", gradOpt, 1, 0.9736, 0.085},
		{armFull, "full lr=0.1 warmup_epochs=0 plasticity_scale=2", fullOpt(0.1, 0, 2), 1, 0.9741, 0.084},
		{armFull, "full lr=0.1 warmup_epochs=2 plasticity_scale=2", fullOpt(0.1, 2, 2), 1, 0.9746, 0.083},
		{armFull, "full lr=0.05 warmup_epochs=0 plasticity_scale=2", fullOpt(0.05, 0, 2), 1, winner, 0.082},
		{armFull, "full lr=0.01 warmup_epochs=2 plasticity_scale=0.5", fullOpt(0.01, 2, 0.5), 1, 0.9600, 0.130},
	}
}

// testStudies returns one study of every kind and every figure, a failed,
// a diverged and a skipped one.
func testStudies() []Study {
	tc := tuningConfigs(0.9752)
	tuningRuns := append(synth("mnist_tuning", "mnist", tc...),
		withStatus("mnist_tuning", "mnist", tc[4], 44, store.Failed, 0))

	fashion := synth("fashion_mnist", "fashion_mnist",
		cfg{armFull, "full", fullOpt(0.1, 2, 2), 1, 0.8870, 0.32},
		cfg{armGradOnly, "grad_only", gradOpt, 1, 0.8830, 0.33})

	var low []cfg
	for i, f := range []float64{0.1, 0.25, 1} {
		gap := []float64{0.012, 0.006, 0.002}[i]
		low = append(low,
			cfg{armFull, "full", fullOpt(0.1, 2, 2), f, 0.80 + 0.08*f + gap, 0.5 - 0.15*f},
			cfg{armGradOnly, "grad_only", gradOpt, f, 0.80 + 0.08*f, 0.52 - 0.15*f})
	}

	cifar := synth("cifar10_small_cnn", "cifar10",
		cfg{armFull, "full", fullOpt(0.1, 2, 2), 1, 0.7000, 0.90},
		cfg{armGradOnly, "grad_only", gradOpt, 1, 0.7050, 0.88})

	bc := []cfg{
		{"sgd", "sgd", json.RawMessage(`{"lr":0.01,"momentum":0.9,"name":"sgd"}`), 1, 0.9790, 0.070},
		{"adam", "adam", json.RawMessage(`{"lr":0.001,"name":"adam"}`), 1, 0.9800, 0.075},
		{"adamw", "adamw", json.RawMessage(`{"lr":0.001,"name":"adamw","weight_decay":0.01}`), 1, 0.9802, 0.074},
		{armFull, "full", fullOpt(0.1, 2, 2), 1, 0.9746, 0.083},
		{armGradOnly, "grad_only", gradOpt, 1, 0.9736, 0.085},
	}
	baselines := append(synth("mnist_baselines", "mnist", bc...),
		withStatus("mnist_baselines", "mnist", bc[1], 44, store.Diverged, 2))

	return []Study{
		{Name: "mnist_tuning", Title: "MNIST tuning", Options: Options{Kind: KindTuning, Figures: []string{"fig2a"}}, Runs: tuningRuns},
		{Name: "fashion_mnist", Title: "Fashion-MNIST validation", Options: Options{Kind: KindPaired, Figures: []string{"fig2b", "fig5"}}, Runs: fashion},
		{Name: "low_data", Title: "Low data (Fashion-MNIST)", Options: Options{Kind: KindPaired, Figures: []string{"fig3"}}, Runs: synth("low_data", "fashion_mnist", low...)},
		{Name: "cifar10_small_cnn", Title: "CIFAR-10 small CNN", Options: Options{Kind: KindPaired, Figures: []string{"fig4"}}, Runs: cifar},
		{Name: "mnist_baselines", Title: "MNIST optimizer baselines", Options: Options{Kind: KindBaselines, Figures: []string{"baselines"}}, Runs: baselines},
		{Name: "cifar10_resnet18", Title: "CIFAR-10 ResNet-18", Options: Options{Kind: KindPaired, Figures: []string{"fig4"}},
			Skipped: "CIFAR-10 data missing", Note: "Work estimate: about 60 core-hours. Run it with `neuroplastic run experiments/cifar10_resnet18.yaml`."},
	}
}

// figureBases are the figure files testStudies draws.
var figureBases = []string{
	"fig2a_mnist_accuracy", "fig2b_fashion_accuracy", "fig3a_lowdata_accuracy", "fig3b_lowdata_loss",
	"fig4a_cifar10_small_cnn_accuracy", "fig4b_cifar10_small_cnn_loss", "fig5a_alpha_mean",
	"fig5b_effective_update_norm", "baselines_accuracy",
}

// writeStudies runs Write into a fresh directory and returns it.
func writeStudies(t *testing.T, studies []Study, quick bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, studies, quick); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return dir
}

// readFile returns a file's contents or fails the test.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readFile(t, path)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update and review the diff):\n%s", name, got)
	}
}

func TestWrite(t *testing.T) {
	dir := writeStudies(t, testStudies(), false)

	t.Run("golden tables", func(t *testing.T) {
		for _, name := range []string{"mnist_tuning", "fashion_mnist", "low_data", "cifar10_small_cnn", "mnist_baselines"} {
			for _, ext := range []string{".md", ".csv"} {
				checkGolden(t, name+ext+".golden", readFile(t, filepath.Join(dir, "tables", name+ext)))
			}
		}
		checkGolden(t, "README.md.golden", readFile(t, filepath.Join(dir, "README.md")))
	})

	t.Run("skipped study has no table", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(dir, "tables", "cifar10_resnet18.md")); !os.IsNotExist(err) {
			t.Errorf("table of the skipped study: stat error %v, want not exist", err)
		}
	})

	t.Run("figures", func(t *testing.T) {
		entries, err := os.ReadDir(filepath.Join(dir, "figures"))
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2*len(figureBases) {
			t.Errorf("figures/ holds %d files, want %d (PNG and SVG of %v)", len(entries), 2*len(figureBases), figureBases)
		}
		for _, base := range figureBases {
			img, err := png.Decode(bytes.NewReader(readFile(t, filepath.Join(dir, "figures", base+".png"))))
			if err != nil {
				t.Errorf("%s.png: %v", base, err)
				continue
			}
			// 6 x 4 inches at 150 dpi.
			if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 600 {
				t.Errorf("%s.png is %dx%d, want 900x600", base, b.Dx(), b.Dy())
			}
			svg := readFile(t, filepath.Join(dir, "figures", base+".svg"))
			if !bytes.Contains(svg, []byte("<svg")) || bytes.Contains(svg, []byte("QUICK")) {
				t.Errorf("%s.svg: not an SVG of the full profile (%d bytes)", base, len(svg))
			}
		}
	})

	t.Run("readme index", func(t *testing.T) {
		readme := string(readFile(t, filepath.Join(dir, "README.md")))
		var want []string
		for _, name := range []string{"mnist_tuning", "fashion_mnist", "low_data", "cifar10_small_cnn", "mnist_baselines"} {
			want = append(want, "[tables/"+name+".md](tables/"+name+".md)", "[tables/"+name+".csv](tables/"+name+".csv)")
		}
		for _, base := range figureBases {
			want = append(want, "](figures/"+base+".png)\n", "[SVG](figures/"+base+".svg)")
		}
		want = append(want,
			"- **MNIST tuning** (`mnist_tuning`): **holds**.",
			"- **Fashion-MNIST validation** (`fashion_mnist`): **holds**.",
			"- **Low data (Fashion-MNIST)** (`low_data`): **holds**.",
			"- **CIFAR-10 small CNN** (`cifar10_small_cnn`): **holds**.",
			"- **MNIST optimizer baselines** (`mnist_baselines`): **no claim**.",
			"- **CIFAR-10 ResNet-18** (`cifar10_resnet18`): **not run**: CIFAR-10 data missing.",
			"Work estimate: about 60 core-hours.",
			"| `adam` ", // the tables are inline
			"DIVERGED: 1 run(s)",
			"- `adam`, seed 44, fraction 1: diverged after 2 completed epochs",
			"[locked_config.json](locked_config.json)",
		)
		for _, w := range want {
			if !strings.Contains(readme, w) {
				t.Errorf("README.md lacks %q", w)
			}
		}
		if strings.Contains(readme, "QUICK") {
			t.Errorf("README.md of the full profile mentions QUICK")
		}
	})

	t.Run("locked config", func(t *testing.T) {
		var got lockedConfig
		if err := json.Unmarshal(readFile(t, filepath.Join(dir, "locked_config.json")), &got); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, fullOpt(0.05, 0, 2)); err != nil {
			t.Fatal(err)
		}
		var gotOpt bytes.Buffer
		if err := json.Compact(&gotOpt, got.Optimizer); err != nil {
			t.Fatal(err)
		}
		// The winner's seeds: 0.9752 + 0.001*{-1,0,1} + jitter 0.0002*{2,0,1}
		// (configuration index 3), mean 0.9752 + 0.0002.
		if got.Label != "full lr=0.05 warmup_epochs=0 plasticity_scale=2" || got.EqualsPaper || got.N != 3 ||
			!closeTo(got.MeanFinalTestAcc, 0.9754, 1e-12) || gotOpt.String() != want.String() ||
			got.PaperLabel != "full lr=0.1 warmup_epochs=2 plasticity_scale=2" || got.GapToPaper == nil || got.Quick {
			t.Errorf("locked_config.json = %+v (optimizer %s)", got, got.Optimizer)
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		if testing.Short() {
			t.Skip("renders every figure again; slow under -race")
		}
		again := writeStudies(t, testStudies(), false)
		for _, rel := range []string{"README.md", "locked_config.json", "tables/low_data.csv", "figures/fig3a_lowdata_accuracy.png", "figures/fig2a_mnist_accuracy.svg"} {
			if !bytes.Equal(readFile(t, filepath.Join(dir, rel)), readFile(t, filepath.Join(again, rel))) {
				t.Errorf("%s differs between two identical Writes", rel)
			}
		}
	})
}

func TestWriteSelectionEqualsPaper(t *testing.T) {
	// With the lr=0.05 configuration below the paper's, the paper-locked
	// configuration is the best full one.
	runs := synth("mnist_tuning", "mnist", tuningConfigs(0.9700)...)
	dir := writeStudies(t, []Study{{Name: "mnist_tuning", Options: Options{Kind: KindTuning}, Runs: runs}}, false)
	var got lockedConfig
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "locked_config.json")), &got); err != nil {
		t.Fatal(err)
	}
	if !got.EqualsPaper || got.Label != "full lr=0.1 warmup_epochs=2 plasticity_scale=2" || got.GapToPaper == nil || *got.GapToPaper != 0 || got.PairedP != nil {
		t.Errorf("locked_config.json = %+v, want the paper-locked configuration, gap 0 and p null", got)
	}
	table := string(readFile(t, filepath.Join(dir, "tables", "mnist_tuning.md")))
	// The selection compared with itself: three ties, undefined p.
	for _, w := range []string{"Our selection equals the paper's locked configuration.", "selected, paper-locked", "| 0/3/0 ", "| n/a "} {
		if !strings.Contains(table, w) {
			t.Errorf("mnist_tuning.md lacks %q", w)
		}
	}
}

func TestWriteQuick(t *testing.T) {
	// One figure is enough to check the figure title (rendering is slow
	// under -race).
	studies := testStudies()[:3]
	studies[0].Options.Figures = nil
	studies[1].Options.Figures = []string{"fig2b"}
	studies[2].Options.Figures = nil
	dir := writeStudies(t, studies, true)
	checks := []struct{ file, want string }{
		{"README.md", "# NeuroPlastic reproduction: results (QUICK)\n\n> **QUICK** - quick profile: scaled-down protocol, not results."},
		{"tables/fashion_mnist.md", "# Fashion-MNIST validation (QUICK)\n\n> **QUICK**"},
		{"tables/fashion_mnist.csv", "\ntrue,arm,"},
		{"locked_config.json", `"quick": true`},
		{"figures/fig2b_fashion_accuracy.svg", "QUICK - Fig. 2B"},
	}
	for _, c := range checks {
		if got := string(readFile(t, filepath.Join(dir, c.file))); !strings.Contains(got, c.want) {
			t.Errorf("%s lacks %q", c.file, c.want)
		}
	}
}

func TestClaims(t *testing.T) {
	full := func(base float64) cfg { return cfg{armFull, "full", fullOpt(0.1, 2, 2), 1, base, 0.3} }
	grad := func(base float64) cfg { return cfg{armGradOnly, "grad_only", gradOpt, 1, base, 0.3} }
	paired := func(name string, runs []store.Run) Study {
		return Study{Name: name, Options: Options{Kind: KindPaired}, Runs: runs}
	}
	lowData := func(gapSmall, gapLarge float64) []store.Run {
		return synth("low", "fashion_mnist",
			cfg{armFull, "full", fullOpt(0.1, 2, 2), 0.1, 0.80 + gapSmall, 0.5}, cfg{armGradOnly, "grad_only", gradOpt, 0.1, 0.80, 0.5},
			cfg{armFull, "full", fullOpt(0.1, 2, 2), 1, 0.88 + gapLarge, 0.3}, cfg{armGradOnly, "grad_only", gradOpt, 1, 0.88, 0.3})
	}
	// The MNIST gap is 0.9750 - 0.9740 = +0.001: the seed jitter of both
	// configurations (indices 0 and 1) averages 0.0002.
	mnist := paired("mnist", synth("mnist", "mnist", full(0.9750), grad(0.9740)))
	cifarDiverged := synth("cifar", "cifar10", full(0.70), grad(0.70))
	cifarDiverged = append(cifarDiverged, withStatus("cifar", "cifar10", full(0.70), 44, store.Diverged, 1))
	cases := []struct {
		name    string
		studies []Study
		want    string // verdict of the last study
	}{
		{"mnist holds", []Study{mnist}, verdictHolds},
		{"mnist fails", []Study{paired("m", synth("m", "mnist", full(0.9700), grad(0.9740)))}, verdictFails},
		{"fashion larger than mnist", []Study{mnist, paired("f", synth("f", "fashion_mnist", full(0.890), grad(0.885)))}, verdictHolds},
		{"fashion smaller than mnist", []Study{mnist, paired("f", synth("f", "fashion_mnist", full(0.8855), grad(0.885)))}, verdictFails},
		{"fashion without mnist", []Study{paired("f", synth("f", "fashion_mnist", full(0.890), grad(0.885)))}, verdictUnknown},
		{"low data holds", []Study{paired("low", lowData(0.01, 0.002))}, verdictHolds},
		{"low data gap grows with data", []Study{paired("low", lowData(0.002, 0.01))}, verdictFails},
		{"low data negative gap", []Study{paired("low", lowData(0.01, -0.002))}, verdictFails},
		{"cifar competitive", []Study{paired("c", synth("c", "cifar10", full(0.695), grad(0.70)))}, verdictHolds},
		{"cifar too far below", []Study{paired("c", synth("c", "cifar10", full(0.68), grad(0.70)))}, verdictFails},
		{"cifar diverged", []Study{paired("c", cifarDiverged)}, verdictFails},
		{"no completed runs", []Study{paired("c", []store.Run{withStatus("c", "cifar10", full(0.7), 41, store.Failed, 0)})}, verdictUnknown},
		{"baselines", []Study{{Name: "b", Options: Options{Kind: KindBaselines}, Runs: synth("b", "mnist", full(0.97))}}, verdictNoClaim},
	}
	for _, c := range cases {
		rendered, err := render(c.studies, false)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := rendered[len(rendered)-1].claim; got.verdict != c.want {
			t.Errorf("%s: verdict %q (%s), want %q", c.name, got.verdict, got.detail, c.want)
		}
	}
}

func TestWriteNoCompletedRuns(t *testing.T) {
	// Every run diverged: the tables say n/a, the figures are not drawn, no
	// configuration is selected.
	c := cfg{armFull, "full", fullOpt(0.1, 2, 2), 1, 0.97, 0.08}
	runs := []store.Run{withStatus("t", "mnist", c, 41, store.Diverged, 1), withStatus("t", "mnist", c, 42, store.Diverged, 0)}
	dir := writeStudies(t, []Study{{Name: "t", Options: Options{Kind: KindTuning, Figures: []string{"fig2a"}}, Runs: runs}}, false)
	readme := string(readFile(t, filepath.Join(dir, "README.md")))
	for _, w := range []string{"**not evaluated**", "*fig2a not drawn: no completed runs", "| -    | `full`        | 0 | n/a ", "DIVERGED: 2 run(s)"} {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md lacks %q:\n%s", w, readme)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "locked_config.json")); !os.IsNotExist(err) {
		t.Errorf("locked_config.json written without a completed full configuration (stat: %v)", err)
	}
}

func TestWriteErrors(t *testing.T) {
	ok := Options{Kind: KindPaired}
	cases := []struct {
		name    string
		studies []Study
		want    string
	}{
		{"bad kind", []Study{{Name: "a", Options: Options{Kind: "ranking"}}}, `unknown kind "ranking"`},
		{"duplicate name", []Study{{Name: "a", Options: ok}, {Name: "a", Options: ok}}, `study "a" listed twice`},
		{"path in name", []Study{{Name: "../a", Options: ok}}, `"../a" is not usable`},
		{"two tuning studies", []Study{{Name: "a", Options: Options{Kind: KindTuning}}, {Name: "b", Options: Options{Kind: KindTuning}}}, "2 tuning studies"},
		{"figure drawn twice", []Study{
			{Name: "a", Options: Options{Kind: KindPaired, Figures: []string{"fig2b"}}, Runs: testStudies()[1].Runs},
			{Name: "b", Options: Options{Kind: KindPaired, Figures: []string{"fig2b"}}, Runs: testStudies()[1].Runs},
		}, "fig2b_fashion_accuracy is drawn by another study"},
	}
	for _, c := range cases {
		err := Write(t.TempDir(), c.studies, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Write error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string // "" = valid
	}{
		{"tuning", Options{Kind: KindTuning, Figures: []string{"fig2a"}}, ""},
		{"paired all figures", Options{Kind: KindPaired, Figures: []string{"fig2b", "fig3", "fig4", "fig5"}}, ""},
		{"baselines no figures", Options{Kind: KindBaselines}, ""},
		{"empty kind", Options{}, `unknown kind ""`},
		{"bad kind", Options{Kind: "table"}, `unknown kind "table" (want one of tuning, paired, baselines)`},
		{"bad figure", Options{Kind: KindPaired, Figures: []string{"fig2"}}, `unknown figure "fig2"`},
		{"figure twice", Options{Kind: KindPaired, Figures: []string{"fig3", "fig3"}}, `figure "fig3" listed twice`},
	}
	for _, c := range cases {
		err := c.o.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: Validate() = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestExactTicks(t *testing.T) {
	// gonum's default labels print 1.15 and 1.2 both as "1.2" on this range.
	for _, r := range [][2]float64{{1.05, 1.25}, {0.948, 0.9762}, {29.5, 37.2}, {0, 1}} {
		seen := map[string]bool{}
		for _, tk := range exactTicks(r[0], r[1]) {
			if tk.IsMinor() {
				continue
			}
			if seen[tk.Label] {
				t.Errorf("exactTicks(%v, %v): label %q twice", r[0], r[1], tk.Label)
			}
			seen[tk.Label] = true
		}
		if len(seen) < 2 {
			t.Errorf("exactTicks(%v, %v): %d major ticks, want at least 2", r[0], r[1], len(seen))
		}
	}
}
