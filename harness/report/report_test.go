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
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

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
		{"grad_only", "grad_only", gradOpt, 1, 0.9736, 0.085},
		{"full", "full lr=0.1 warmup_epochs=0 plasticity_scale=2", fullOpt(0.1, 0, 2), 1, 0.9741, 0.084},
		{"full", "full lr=0.1 warmup_epochs=2 plasticity_scale=2", fullOpt(0.1, 2, 2), 1, 0.9746, 0.083},
		{"full", "full lr=0.05 warmup_epochs=0 plasticity_scale=2", fullOpt(0.05, 0, 2), 1, winner, 0.082},
		{"full", "full lr=0.01 warmup_epochs=2 plasticity_scale=0.5", fullOpt(0.01, 2, 0.5), 1, 0.9600, 0.130},
	}
}

// testStudies returns one study of every kind and every figure, a failed,
// a diverged and a skipped one.
func testStudies() []Study {
	tc := tuningConfigs(0.9752)
	tuningRuns := append(synth("mnist_tuning", "mnist", tc...),
		withStatus("mnist_tuning", "mnist", tc[4], 44, store.Failed, 0))

	fashion := synth("fashion_mnist", "fashion_mnist",
		cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.8870, 0.32},
		cfg{"grad_only", "grad_only", gradOpt, 1, 0.8830, 0.33})

	var low []cfg
	for i, f := range []float64{0.1, 0.25, 1} {
		gap := []float64{0.012, 0.006, 0.002}[i]
		low = append(low,
			cfg{"full", "full", fullOpt(0.1, 2, 2), f, 0.80 + 0.08*f + gap, 0.5 - 0.15*f},
			cfg{"grad_only", "grad_only", gradOpt, f, 0.80 + 0.08*f, 0.52 - 0.15*f})
	}

	cifar := synth("cifar10_small_cnn", "cifar10",
		cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.7000, 0.90},
		cfg{"grad_only", "grad_only", gradOpt, 1, 0.7050, 0.88})

	bc := []cfg{
		{"sgd", "sgd", json.RawMessage(`{"lr":0.01,"momentum":0.9,"name":"sgd"}`), 1, 0.9790, 0.070},
		{"adam", "adam", json.RawMessage(`{"lr":0.001,"name":"adam"}`), 1, 0.9800, 0.075},
		{"adamw", "adamw", json.RawMessage(`{"lr":0.001,"name":"adamw","weight_decay":0.01}`), 1, 0.9802, 0.074},
		{"full", "full", fullOpt(0.1, 2, 2), 1, 0.9746, 0.083},
		{"grad_only", "grad_only", gradOpt, 1, 0.9736, 0.085},
	}
	baselines := append(synth("mnist_baselines", "mnist", bc...),
		withStatus("mnist_baselines", "mnist", bc[1], 44, store.Diverged, 2))

	return []Study{
		{Name: "mnist_tuning", Title: "MNIST tuning", Options: Options{Kind: KindTuning, Select: true, Candidates: "full",
			Reference: paperLabel, Compare: []Comparison{{A: "full", B: "grad_only"}},
			Claims:  []Claim{{ID: "not_below", A: paperLabel, B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Paper: ptr(0.001)}},
			Figures: []Figure{{Kind: FigureCurves, Label: "Fig. 2A", Arms: []string{paperLabel, "grad_only"}}, {Kind: FigureGrid, X: "lr", Arms: []string{"full"}}}},
			Runs: tuningRuns},
		{Name: "fashion_mnist", Title: "Fashion-MNIST validation", Options: Options{Kind: KindPaired, Compare: []Comparison{{A: "full", B: "grad_only"}},
			Claims: []Claim{
				{ID: "gap_positive", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater},
				{ID: "larger_than_mnist", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Than: &Reference{Study: "mnist_tuning", A: paperLabel}},
			},
			Figures: []Figure{{Kind: FigureCurves, Arms: []string{"full", "grad_only"}}, {Kind: FigureDiagnostics, Metric: optim.DiagAlphaMean, Arms: []string{"full"}}, {Kind: FigureSeedGaps, A: "full", B: "grad_only"}}},
			Runs: fashion},
		{Name: "low_data", Title: "Low data (Fashion-MNIST)", Options: Options{Kind: KindPaired, Compare: []Comparison{{A: "full", B: "grad_only"}},
			Claims: []Claim{
				{ID: "gap_positive", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Per: PerFraction},
				{ID: "larger_small", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Fraction: FractionSmallest, Than: &Reference{Fraction: FractionLargest}},
			},
			Figures: []Figure{{Kind: FigureFractions}, {Kind: FigureFractions, Metric: MetricFinalLoss}}},
			Runs: synth("low_data", "fashion_mnist", low...)},
		{Name: "cifar10_small_cnn", Title: "CIFAR-10 small CNN", Options: Options{Kind: KindPaired,
			Claims:  []Claim{{ID: "competitive", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Margin: 0.01, Stable: true}},
			Figures: []Figure{{Kind: FigureCurves, Metric: "test_loss"}}}, Runs: cifar},
		{Name: "mnist_baselines", Title: "MNIST optimizer baselines", Arms: []string{"sgd", "adam", "adamw", "full", "grad_only"},
			Options: Options{Kind: KindBaselines, Figures: []Figure{{Kind: FigureCurves}}}, Runs: baselines},
		{Name: "cifar10_resnet18", Title: "CIFAR-10 ResNet-18", Options: Options{Kind: KindPaired},
			Skipped: "CIFAR-10 data missing", Note: "Work estimate: about 60 core-hours. Run it with `neuroplastic run experiments/cifar10_resnet18.yaml`."},
	}
}

// paperLabel is the label of the paper's locked configuration in the
// synthetic tuning grid.
const paperLabel = "full lr=0.1 warmup_epochs=2 plasticity_scale=2"

// ptr returns &x.
func ptr(x float64) *float64 { return &x }

// figureBases are the figure files testStudies draws.
var figureBases = []string{
	"mnist_tuning_curves_test_acc", "mnist_tuning_grid_final_acc_over_lr", "fashion_mnist_curves_test_acc",
	"fashion_mnist_diagnostics_alpha_mean", "fashion_mnist_seed_gaps_final_acc", "low_data_fractions_final_acc",
	"low_data_fractions_final_loss", "cifar10_small_cnn_curves_test_loss", "mnist_baselines_curves_test_acc",
}

// writeStudies runs Write into a fresh directory and returns it.
func writeStudies(t *testing.T, studies []Study, quick bool) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Write(dir, studies, WriteOptions{Quick: quick}); err != nil {
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
			"- **MNIST optimizer baselines** (`mnist_baselines`): no claims declared.",
			"- **CIFAR-10 ResNet-18** (`cifar10_resnet18`): **not run**: CIFAR-10 data missing.",
			"  - `gap_positive`: final_acc of `full` greater than `grad_only`: **supported**",
			"## How to read the statistics",
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
		if got.Label != "full lr=0.05 warmup_epochs=0 plasticity_scale=2" || got.EqualsReference || got.N != 3 ||
			!closeTo(got.MeanFinalTestAcc, 0.9754, 1e-12) || gotOpt.String() != want.String() ||
			got.Reference != paperLabel || got.GapToReference == nil || got.Quick {
			t.Errorf("locked_config.json = %+v (optimizer %s)", got, got.Optimizer)
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		if testing.Short() {
			t.Skip("renders every figure again; slow under -race")
		}
		again := writeStudies(t, testStudies(), false)
		for _, rel := range []string{"README.md", "locked_config.json", "tables/low_data.csv", "figures/low_data_fractions_final_acc.png", "figures/mnist_tuning_curves_test_acc.svg"} {
			if !bytes.Equal(readFile(t, filepath.Join(dir, rel)), readFile(t, filepath.Join(again, rel))) {
				t.Errorf("%s differs between two identical Writes", rel)
			}
		}
	})
}

func TestWriteReturnsFiles(t *testing.T) {
	studies := testStudies()[1:2]
	studies[0].Options.Figures = studies[0].Options.Figures[:1]
	studies[0].Options.Claims = studies[0].Options.Claims[:1]
	dir := t.TempDir()
	files, err := Write(dir, studies, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tables/fashion_mnist.md", "tables/fashion_mnist.csv", "figures/fashion_mnist_curves_test_acc.png",
		"figures/fashion_mnist_curves_test_acc.svg", "README.md"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("Write returned %v, want %v", files, want)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("returned file %s: %v", f, err)
		}
	}
}

func TestWriteRelativePaths(t *testing.T) {
	dir := t.TempDir()
	abs, _ := filepath.Abs(dir)
	studies := []Study{{Name: "c", Skipped: "CIFAR-10 is not in /home/u/.cache/neuroplastic/cifar10", Note: "see " + abs + "/runs/c"}}
	if _, err := Write(dir, studies, WriteOptions{DataDir: "/home/u/.cache/neuroplastic"}); err != nil {
		t.Fatal(err)
	}
	readme := string(readFile(t, filepath.Join(dir, "README.md")))
	if !strings.Contains(readme, "$NEUROPLASTIC_DATA/cifar10") || !strings.Contains(readme, "see runs/c") ||
		strings.Contains(readme, "/home/u") || strings.Contains(readme, abs) {
		t.Errorf("README.md keeps an absolute path:\n%s", readme)
	}
}

func TestWriteQuick(t *testing.T) {
	// One figure is enough to check the figure title (rendering is slow
	// under -race).
	studies := testStudies()[:3]
	studies[0].Options.Figures = nil
	studies[1].Options.Figures = studies[1].Options.Figures[:1]
	studies[2].Options.Figures = nil
	dir := writeStudies(t, studies, true)
	checks := []struct{ file, want string }{
		{"README.md", "# NeuroPlastic reproduction: results (QUICK)\n\n> **QUICK** - quick profile: scaled-down protocol, not results."},
		{"tables/fashion_mnist.md", "# Fashion-MNIST validation (QUICK)\n\n> **QUICK**"},
		{"tables/fashion_mnist.csv", "\ntrue,config,"},
		{"locked_config.json", `"quick": true`},
		{"figures/fashion_mnist_curves_test_acc.svg", "QUICK - Fashion-MNIST validation: test accuracy"},
	}
	for _, c := range checks {
		if got := string(readFile(t, filepath.Join(dir, c.file))); !strings.Contains(got, c.want) {
			t.Errorf("%s lacks %q", c.file, c.want)
		}
	}
}

func TestClaims(t *testing.T) {
	full := func(base float64) cfg { return cfg{"full", "full", fullOpt(0.1, 2, 2), 1, base, 0.3} }
	grad := func(base float64) cfg { return cfg{"grad_only", "grad_only", gradOpt, 1, base, 0.3} }
	gapClaim := Claim{ID: "c", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater}
	study := func(name string, runs []store.Run, claims ...Claim) Study {
		return Study{Name: name, Options: Options{Claims: claims}, Runs: runs}
	}
	// Per-seed differences of synth: the jitter 0.0002*((seed+ci)%3) differs
	// between configurations 0 and 1, so the gaps vary by seed.
	lowData := func(gapSmall, gapLarge float64) []store.Run {
		return synth("low", "fashion_mnist",
			cfg{"full", "full", fullOpt(0.1, 2, 2), 0.1, 0.80 + gapSmall, 0.5}, cfg{"grad_only", "grad_only", gradOpt, 0.1, 0.80, 0.5},
			cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.88 + gapLarge, 0.3}, cfg{"grad_only", "grad_only", gradOpt, 1, 0.88, 0.3})
	}
	mnist := study("mnist", synth("mnist", "mnist", full(0.9750), grad(0.9740)))
	larger := Claim{ID: "larger", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Than: &Reference{Study: "mnist"}}
	stable := Claim{ID: "stable", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Margin: 0.01, Stable: true}
	cifarDiverged := append(synth("c", "cifar10", full(0.70), grad(0.70)), withStatus("c", "cifar10", full(0.70), 44, store.Diverged, 1))
	perFraction := gapClaim
	perFraction.Per = PerFraction
	smallVsLarge := gapClaim
	smallVsLarge.Fraction, smallVsLarge.Than = FractionSmallest, &Reference{Fraction: FractionLargest}
	less := gapClaim
	less.Direction = Less
	cases := []struct {
		name    string
		studies []Study
		want    string // verdict of the last study's first claim
	}{
		{"clear gap", []Study{study("m", synth("m", "mnist", full(0.9800), grad(0.9740)), gapClaim)}, verdictSupported},
		{"gap within the noise", []Study{study("m", synth("m", "mnist", full(0.97405), grad(0.9740)), gapClaim)}, verdictInconclusive},
		{"clear loss", []Study{study("m", synth("m", "mnist", full(0.9700), grad(0.9740)), gapClaim)}, verdictContradicted},
		{"direction less", []Study{study("m", synth("m", "mnist", full(0.9700), grad(0.9740)), less)}, verdictSupported},
		{"larger than another study", []Study{mnist, study("f", synth("f", "fashion_mnist", full(0.900), grad(0.885)), larger)}, verdictSupported},
		{"other study not reported", []Study{study("f", synth("f", "fashion_mnist", full(0.890), grad(0.885)), larger)}, verdictNotEvaluated},
		{"every fraction", []Study{study("low", lowData(0.01, 0.01), perFraction)}, verdictSupported},
		{"one fraction negative", []Study{study("low", lowData(0.01, -0.01), perFraction)}, verdictContradicted},
		{"larger at the smallest fraction", []Study{study("low", lowData(0.02, 0.002), smallVsLarge)}, verdictSupported},
		{"smaller at the smallest fraction", []Study{study("low", lowData(0.002, 0.02), smallVsLarge)}, verdictContradicted},
		{"within the margin", []Study{study("c", synth("c", "cifar10", full(0.695), grad(0.70)), stable)}, verdictSupported},
		{"beyond the margin", []Study{study("c", synth("c", "cifar10", full(0.68), grad(0.70)), stable)}, verdictContradicted},
		{"diverged", []Study{study("c", cifarDiverged, stable)}, verdictContradicted},
		{"no completed runs", []Study{study("c", []store.Run{withStatus("c", "cifar10", full(0.7), 41, store.Failed, 0)}, gapClaim)}, verdictNotEvaluated},
		{"selector matches a grid", []Study{study("t", synth("t", "mnist", tuningConfigs(0.9752)...), gapClaim)}, verdictNotEvaluated},
	}
	for _, c := range cases {
		rendered, err := render(c.studies, false)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := rendered[len(rendered)-1].claims[0]
		if got.verdict != c.want {
			var lines []string
			for _, tt := range got.tests {
				lines = append(lines, tt.line())
			}
			t.Errorf("%s: verdict %q (%s), want %q", c.name, got.verdict, strings.Join(lines, "; "), c.want)
		}
	}
}

func TestClaimHolm(t *testing.T) {
	// Four tests (per fraction at 0.1 and 1, and two single claims): Holm
	// multiplies the smallest p by 4.
	c := Claim{ID: "a", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater, Per: PerFraction}
	c2, c3 := c, c
	c2.ID, c2.Per, c2.Fraction = "b", "", FractionSmallest
	c3.ID, c3.Per = "c", ""
	runs := synth("low", "fashion_mnist",
		cfg{"full", "full", fullOpt(0.1, 2, 2), 0.1, 0.82, 0.5}, cfg{"grad_only", "grad_only", gradOpt, 0.1, 0.80, 0.5},
		cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.89, 0.3}, cfg{"grad_only", "grad_only", gradOpt, 1, 0.88, 0.3})
	rendered, err := render([]Study{{Name: "low", Options: Options{Claims: []Claim{c, c2, c3}}, Runs: runs}}, false)
	if err != nil {
		t.Fatal(err)
	}
	var ps, holm []float64
	for _, r := range rendered[0].claims {
		for _, tt := range r.tests {
			ps = append(ps, tt.st.p)
			holm = append(holm, tt.holmP)
		}
	}
	want := Holm(ps)
	if len(ps) != 4 || !slices.EqualFunc(holm, want, func(a, b float64) bool { return closeTo(a, b, 0) }) {
		t.Errorf("Holm p of the study's tests = %v, want %v (raw %v)", holm, want, ps)
	}
	if !strings.Contains(rendered[0].body, "Holm's correction runs over the 4 test(s)") {
		t.Errorf("the claims table does not state the Holm correction:\n%s", rendered[0].body)
	}
}

func TestWriteNoCompletedRuns(t *testing.T) {
	// Every run diverged: the tables say n/a, the figures are not drawn, no
	// configuration is selected.
	c := cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.97, 0.08}
	runs := []store.Run{withStatus("t", "mnist", c, 41, store.Diverged, 1), withStatus("t", "mnist", c, 42, store.Diverged, 0)}
	dir := writeStudies(t, []Study{{Name: "t", Options: Options{Kind: KindTuning, Select: true, Figures: []Figure{{Kind: FigureCurves}}}, Runs: runs}}, false)
	readme := string(readFile(t, filepath.Join(dir, "README.md")))
	for _, w := range []string{"*Figure t_curves_test_acc not drawn: no completed run", "| -    | `full`        | 0 | n/a ", "DIVERGED: 2 run(s)"} {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md lacks %q:\n%s", w, readme)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "locked_config.json")); !os.IsNotExist(err) {
		t.Errorf("locked_config.json written without a completed configuration (stat: %v)", err)
	}
}

// gridRuns is a Fashion-MNIST study whose full arm is a grid of three
// plasticity scales against one grad_only arm.
func gridRuns(study string) []store.Run {
	return synth(study, "fashion_mnist",
		cfg{"grad_only", "grad_only", gradOpt, 1, 0.8830, 0.33},
		cfg{"full", "full plasticity_scale=0.5", fullOpt(0.1, 2, 0.5), 1, 0.8840, 0.32},
		cfg{"full", "full plasticity_scale=1", fullOpt(0.1, 2, 1), 1, 0.8850, 0.32},
		cfg{"full", "full plasticity_scale=2", fullOpt(0.1, 2, 2), 1, 0.8870, 0.32})
}

// Issue failure 4: a paired comparison of a grid arm compares every grid
// point, not only the first.
func TestEveryGridPointCompared(t *testing.T) {
	dir := writeStudies(t, []Study{{Name: "f", Options: Options{Kind: KindPaired, Compare: []Comparison{{A: "full", B: "grad_only"}}}, Runs: gridRuns("f")}}, false)
	table := string(readFile(t, filepath.Join(dir, "tables", "f.md")))
	for _, scale := range []string{"0.5", "1", "2"} {
		if w := "| `full plasticity_scale=" + scale + "` vs `grad_only` "; !strings.Contains(table, w) {
			t.Errorf("f.md lacks the comparison row %q:\n%s", w, table)
		}
	}
	csvText := string(readFile(t, filepath.Join(dir, "tables", "f.csv")))
	if n := strings.Count(csvText, ",paired,"); n != 3 {
		t.Errorf("f.csv has %d paired rows, want 3", n)
	}
}

// Issue failure 4: ranking any study does not touch locked_config.json
// unless it says select, and says nothing of another study's numbers.
func TestRankingWithoutSelect(t *testing.T) {
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked_config.json")
	if err := os.WriteFile(locked, []byte(`{"optimizer":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := Write(dir, []Study{{Name: "f", Options: Options{Kind: KindTuning}, Runs: gridRuns("f")}}, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, locked)); got != `{"optimizer":{}}` || slices.Contains(files, "locked_config.json") {
		t.Errorf("a study without select rewrote locked_config.json: %s", got)
	}
	table := string(readFile(t, filepath.Join(dir, "tables", "f.md")))
	if !strings.Contains(table, "| 1    | `full plasticity_scale=2` ") || strings.Contains(strings.ToLower(table), "mnist") ||
		strings.Contains(table, "paper") {
		t.Errorf("f.md does not rank the grid on its own numbers:\n%s", table)
	}
}

// Issue failure 5: figures are the study's: file names start with the
// study name, titles come from the spec or the study, and two grid points
// of one arm are two distinct lines.
func TestFiguresBelongToStudy(t *testing.T) {
	fig := Figure{Kind: FigureCurves, Label: "Fig. 2A"}
	studies := []Study{
		{Name: "paper", Title: "MNIST", Options: Options{Figures: []Figure{fig}}, Runs: testStudies()[1].Runs},
		{Name: "mine", Title: "My Fashion sweep", Options: Options{Figures: []Figure{fig, {Kind: FigureCurves, Metric: "test_loss", Title: "Custom title"}}}, Runs: gridRuns("mine")},
	}
	dir := writeStudies(t, studies, false)
	svg := string(readFile(t, filepath.Join(dir, "figures", "mine_curves_test_acc.svg")))
	if !strings.Contains(svg, "Fig. 2A: My Fashion sweep: test accuracy") || strings.Contains(svg, "MNIST") {
		t.Errorf("mine_curves_test_acc.svg is not titled by its study")
	}
	for _, l := range []string{"full plasticity_scale=0.5", "full plasticity_scale=1", "full plasticity_scale=2", "grad_only"} {
		if !strings.Contains(svg, l) {
			t.Errorf("mine_curves_test_acc.svg has no legend entry %q", l)
		}
	}
	if !strings.Contains(string(readFile(t, filepath.Join(dir, "figures", "mine_curves_test_loss.svg"))), "Custom title") {
		t.Errorf("mine_curves_test_loss.svg ignores the spec's title")
	}
	if _, err := os.Stat(filepath.Join(dir, "figures", "paper_curves_test_acc.png")); err != nil {
		t.Errorf("the other study's figure is missing: %v", err)
	}
}

// Issue failure 3 and the "any spec" rule: one seed, one fraction, one
// arm, a grid of 3 and every figure kind render without a panic; a figure
// that cannot be drawn is skipped with a one-line reason.
func TestAnySpecRenders(t *testing.T) {
	every := []Figure{
		{Kind: FigureCurves}, {Kind: FigureFractions}, {Kind: FigureGrid, X: "plasticity_scale"},
		{Kind: FigureDiagnostics, Metric: optim.DiagAlphaMean}, {Kind: FigureSeedGaps, A: "full", B: "grad_only"},
	}
	claim := Claim{ID: "gap", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater}
	oneSeed := gridRuns("one_seed")[:1]
	var grid3 []store.Run
	for _, r := range gridRuns("grid") {
		if r.Config.Arm == "full" {
			grid3 = append(grid3, r)
		}
	}
	cases := []struct {
		name    string
		runs    []store.Run
		skipped []string // figures expected skipped
	}{
		{"one seed", gridRuns("a")[:1], []string{"fractions", "grid", "seed_gaps"}},
		{"one fraction", gridRuns("b"), []string{"fractions"}},
		{"one arm grid of 3", grid3, []string{"fractions", "seed_gaps"}},
		{"every seed one config", oneSeed, []string{"fractions", "grid", "seed_gaps"}},
	}
	for i, c := range cases {
		for j, kind := range []string{KindPaired, KindTuning, KindBaselines} {
			if testing.Short() && j != i%3 {
				continue // the short (race-detector) run renders each case with one kind, in turn
			}
			st := Study{Name: "s", Options: Options{Kind: kind, Select: kind == KindTuning, Compare: []Comparison{{A: "full", B: "grad_only"}},
				Claims: []Claim{claim}, Figures: every}, Runs: c.runs}
			dir := t.TempDir()
			if _, err := Write(dir, []Study{st}, WriteOptions{}); err != nil {
				t.Errorf("%s, %s: Write: %v", c.name, kind, err)
				continue
			}
			md := string(readFile(t, filepath.Join(dir, "tables", "s.md")))
			for _, k := range c.skipped {
				if !strings.Contains(md, "Figure s_"+k) {
					t.Errorf("%s, %s: no skip line for the %s figure:\n%s", c.name, kind, k, md)
				}
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	ok := Options{Kind: KindPaired}
	cases := []struct {
		name    string
		studies []Study
		want    string
	}{
		{"bad kind", []Study{{Name: "a", Options: Options{Kind: "ranking"}}}, `kind: unknown "ranking"`},
		{"duplicate name", []Study{{Name: "a", Options: ok}, {Name: "a", Options: ok}}, `study "a" listed twice`},
		{"path in name", []Study{{Name: "../a", Options: ok}}, `"../a" is not usable`},
		{"two selecting studies", []Study{{Name: "a", Options: Options{Kind: KindTuning, Select: true}}, {Name: "b", Options: Options{Kind: KindTuning, Select: true}}}, "2 studies say select"},
		{"figure drawn twice", []Study{
			{Name: "a", Options: Options{Figures: []Figure{{Kind: FigureCurves, Name: "b_x"}}}, Runs: testStudies()[1].Runs},
			{Name: "a_b", Options: Options{Figures: []Figure{{Kind: FigureCurves, Name: "x"}}}, Runs: testStudies()[1].Runs},
		}, "a_b_x is drawn by another study"},
	}
	for _, c := range cases {
		_, err := Write(t.TempDir(), c.studies, WriteOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Write error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	claim := Claim{ID: "c", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater}
	with := func(f func(*Claim)) Options {
		c := claim
		f(&c)
		return Options{Claims: []Claim{c}}
	}
	cases := []struct {
		name string
		o    Options
		want string // "" = valid
	}{
		{"empty", Options{}, ""},
		{"tuning", Options{Kind: KindTuning, Select: true, Figures: []Figure{{Kind: FigureGrid, X: "lr"}}}, ""},
		{"claim", Options{Claims: []Claim{claim}}, ""},
		{"bad kind", Options{Kind: "table"}, `kind: unknown "table" (want one of tuning, paired, baselines)`},
		{"bad figure kind", Options{Figures: []Figure{{Kind: "fig2"}}}, `figures[0]: kind: unknown "fig2"`},
		{"figure twice", Options{Figures: []Figure{{Kind: FigureCurves}, {Kind: FigureCurves}}}, `file name "curves_test_acc" used twice`},
		{"grid without x", Options{Figures: []Figure{{Kind: FigureGrid}}}, "x: a grid figure names its grid key"},
		{"diagnostics without metric", Options{Figures: []Figure{{Kind: FigureDiagnostics}}}, "names its diagnostic"},
		{"seed gaps without a", Options{Figures: []Figure{{Kind: FigureSeedGaps, B: "x"}}}, "names both sides"},
		{"bad curves metric", Options{Figures: []Figure{{Kind: FigureCurves, Metric: "final_acc"}}}, `unknown "final_acc" for curves`},
		{"compare without b", Options{Compare: []Comparison{{A: "full"}}}, "compare[0]: want both a and b"},
		{"claim id", with(func(c *Claim) { c.ID = "Bad id" }), `id "Bad id" must match`},
		{"claim metric", with(func(c *Claim) { c.Metric = "acc" }), `metric: unknown "acc"`},
		{"claim direction", with(func(c *Claim) { c.Direction = "up" }), `direction: unknown "up"`},
		{"claim margin", with(func(c *Claim) { c.Margin = -1 }), "margin -1 is negative"},
		{"claim per", with(func(c *Claim) { c.Per = "seed" }), `per: unknown "seed"`},
		{"claim fraction", with(func(c *Claim) { c.Fraction = "2" }), `fraction: "2" is not smallest`},
		{"claim than study", with(func(c *Claim) { c.Than = &Reference{Study: "../x"} }), "is not a study name"},
		{"claim twice", Options{Claims: []Claim{claim, claim}}, `id "c" used twice`},
		{"select on validation", Options{Kind: KindTuning, SelectOn: SelectValidation}, ""},
		{"bad select_on", Options{SelectOn: "train"}, `report: select_on: unknown "train" (want test or validation)`},
		{"bad compare select_on", Options{Compare: []Comparison{{A: "a", B: "b", SelectOn: "val"}}}, `compare[0]: select_on: unknown "val"`},
		{"bad claim select_on", with(func(c *Claim) { c.SelectOn = "val" }), `claim c: select_on: unknown "val"`},
		{"bad figure select_on", Options{Figures: []Figure{{Kind: FigureCurves, SelectOn: "val"}}}, `figures[0]: select_on: unknown "val"`},
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

func TestOptionsYAML(t *testing.T) {
	cases := []struct {
		name, src, want string // want "" = decodes
	}{
		{"full block", "kind: paired\ncompare: [{a: full, b: grad_only}]\nclaims: [{id: g, a: full, b: grad_only, metric: final_acc, direction: greater, per: fraction, than: {study: m}}]\nfigures: [curves, {kind: grid, x: lr}]\n", ""},
		{"select_on keys", "kind: tuning\nselect_on: validation\ncompare: [{a: h, b: full, select_on: validation}]\nclaims: [{id: g, a: h, b: full, metric: final_acc, direction: greater, select_on: test}]\nfigures: [{kind: curves, select_on: validation}]\n", ""},
		{"unknown top key", "kind: paired\nfigure: [curves]\n", `line 2: unknown key "figure"`},
		{"unknown claim key", "claims:\n  - {id: g, a: x, b: y, metric: final_acc, direction: greater, dir: up}\n", `line 2: claims[0]: unknown key "dir"`},
		{"unknown than key", "claims:\n  - id: g\n    than: {studies: m}\n", `line 3: claims[0].than: unknown key "studies"`},
		{"unknown figure key", "figures:\n  - {kind: curves, colour: red}\n", `line 2: figures[0]: unknown key "colour"`},
	}
	for _, c := range cases {
		var o Options
		err := yaml.Unmarshal([]byte(c.src), &o)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
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

// TestPaperSpecs decodes the report block of every spec in experiments/
// and checks that the paper's claims are declared (docs/specs.md).
func TestPaperSpecs(t *testing.T) {
	want := map[string][]string{
		"mnist_tuning.yaml":            {"full_not_below_grad_only"},
		"fashion_mnist.yaml":           {"gap_positive", "gap_larger_than_mnist"},
		"low_data.yaml":                {"gap_positive", "gap_larger_with_less_data"},
		"cifar10_small_cnn.yaml":       {"stable_and_competitive"},
		"cifar10_resnet18.yaml":        {"stable_and_competitive"},
		"mnist_baselines.yaml":         nil,
		"mnist_tuning_validation.yaml": {"validation_choice_not_below_paper"},
		"variants.yaml": {"full_above_grad_only", "hybrid_adamw_above_full", "hybrid_sgdm_above_full", "bounded_residual_above_full",
			"orthogonal_residual_above_full", "controller_global_above_full", "controller_layerwise_above_full"},
	}
	selecting := 0
	for file, ids := range want {
		var spec struct {
			Report Options `yaml:"report"`
		}
		src := readFile(t, filepath.Join("..", "..", "experiments", file))
		if err := yaml.Unmarshal(src, &spec); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if err := spec.Report.Validate(); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		var got []string
		for _, c := range spec.Report.Claims {
			got = append(got, c.ID)
		}
		if !slices.Equal(got, ids) {
			t.Errorf("%s declares claims %v, want %v", file, got, ids)
		}
		if spec.Report.Select {
			selecting++
		}
	}
	if selecting != 1 {
		t.Errorf("%d paper specs say select, want 1", selecting)
	}
}
