package harness

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

// experiments is the directory of the project's study specs.
const experiments = "../experiments"

// TestReproduceQuick runs `reproduce --quick` on real MNIST and
// Fashion-MNIST (fetched through the data package's own sources), cut to
// one epoch and one seed, and checks that every table and figure exists and
// is non-empty and that the CSV numbers equal the store's. It proves the
// pipeline, not the results: the whole quick profile is `make reproduce
// QUICK=1`.
func TestReproduceQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("trains about 35 small runs on real MNIST and Fashion-MNIST; skipped with -short")
	}
	if err := data.Fetch(context.Background(), data.Options{}, io.Discard); err != nil {
		t.Fatalf("fetching the datasets: %v", err)
	}
	results := t.TempDir()
	err := Reproduce(context.Background(), ReproduceOptions{
		Specs: []string{experiments}, Quick: true, Set: []string{"quick.epochs=1", "quick.seeds=1"},
		Run: RunOptions{Results: results, Workers: 2},
	})
	if err != nil {
		t.Fatalf("Reproduce: %v", err)
	}
	for _, study := range []string{"mnist_tuning", "fashion_mnist", "low_data", "mnist_baselines"} {
		for _, ext := range []string{".md", ".csv"} {
			nonEmpty(t, filepath.Join(results, "tables", study+ext))
		}
	}
	for _, fig := range []string{"mnist_tuning_test_accuracy", "mnist_tuning_grid_final_acc_over_lr", "fashion_mnist_test_accuracy",
		"fashion_mnist_diagnostics_alpha_mean", "fashion_mnist_diagnostics_effective_update_norm", "low_data_fractions_final_acc",
		"low_data_fractions_final_loss", "mnist_baselines_test_accuracy"} {
		for _, ext := range []string{".png", ".svg"} {
			nonEmpty(t, filepath.Join(results, "figures", fig+ext))
		}
	}
	nonEmpty(t, filepath.Join(results, "locked_config.json"))
	readme, err := os.ReadFile(filepath.Join(results, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "QUICK") {
		t.Errorf("README.md is not labelled quick")
	}
	if !strings.Contains(string(readme), "cifar10_resnet18") {
		t.Errorf("README.md does not list the CIFAR-10 ResNet-18 study")
	}
	for _, study := range []string{"fashion_mnist", "mnist_baselines", "mnist_tuning"} {
		checkCSVAgainstStore(t, results, study)
	}
}

// TestReproduceStages checks that the `reproduce:` key of the specs orders
// and selects the studies, and how they are grouped into worker pools:
// `first` before the others (whatever its name) and in one pool with every
// study that does not read its selection, a study with `from: selected` in
// a second pool after the first study's report, even though a selection
// from an earlier reproduction is already there, and `deferred` left out
// unless named.
func TestReproduceStages(t *testing.T) {
	dir, results := stagedStudies(t, "synthetic")
	var log strings.Builder
	err := Reproduce(context.Background(), ReproduceOptions{
		Specs: []string{dir}, Run: RunOptions{Results: results, Workers: 1, Log: &log},
	})
	if err != nil {
		t.Fatalf("Reproduce: %v\n%s", err, log.String())
	}
	var lines []string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.HasPrefix(line, "study ") || strings.HasPrefix(line, "done: ") {
			lines = append(lines, line)
		}
	}
	want := []string{
		"study z_first: 1 runs", "study a_plain: 1 runs",
		"study b_deferred: not run (reproduce: deferred; ask for it with --studies b_deferred)",
		"done: 2 completed", "study c_selected: 1 runs", "done: 1 completed",
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want %q...", i, lines[i], w)
		}
	}
}

// stagedStudies writes four one-run studies into a new spec directory:
// a_plain, b_deferred (`reproduce: deferred`), c_selected (`from:
// selected`) on the synthetic dataset and z_first (`reproduce: first`) on
// firstData, and a results directory holding a locked configuration from
// an earlier reproduction. It returns both directories.
func stagedStudies(t *testing.T, firstData string) (dir, results string) {
	t.Helper()
	dir, results = t.TempDir(), t.TempDir()
	studies := map[string]string{
		"a_plain":    "synthetic|{name: sgd, lr: 0.1}",
		"b_deferred": "synthetic|{name: sgd, lr: 0.1}\nreproduce: deferred",
		"c_selected": "synthetic|{from: selected}",
		"z_first":    firstData + "|{name: sgd, lr: 0.1}\nreproduce: first",
	}
	for name, v := range studies {
		dataset, arm, _ := strings.Cut(v, "|")
		src := "study: " + name + "\ndataset: " + dataset + "\nmodel: mlp\nepochs: 1\nbatch_size: 64\nseeds: [1]\nfractions: [1]\n" +
			"report: {kind: baselines}\narms:\n  - name: sgd\n    optimizer: " + arm + "\n"
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	locked := `{"optimizer": {"name": "sgd", "lr": 0.05}}`
	if err := os.WriteFile(filepath.Join(results, "locked_config.json"), []byte(locked), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, results
}

// TestReproduceIncompleteSelection checks that when a first study's run
// fails, the studies that read its selection are not run (their runs'
// configurations would come from a selection of part of the runs, or from
// the earlier one in the results directory) and the error says so, while
// the others are.
func TestReproduceIncompleteSelection(t *testing.T) {
	dir, results := stagedStudies(t, "mnist")
	load := func(name string) (*data.Dataset, error) {
		if name == "mnist" {
			return nil, errors.New("unreadable")
		}
		return data.Load(name, data.Options{})
	}
	var log strings.Builder
	err := Reproduce(context.Background(), ReproduceOptions{
		Specs: []string{dir}, Run: RunOptions{Results: results, Workers: 1, Log: &log, LoadData: load},
	})
	if err == nil || !strings.Contains(err.Error(), "study c_selected: not run: it reads the selection of z_first") ||
		!strings.Contains(err.Error(), "studies z_first: ") {
		t.Fatalf("Reproduce: %v, want z_first's failure and c_selected not run\n%s", err, log.String())
	}
	for study, want := range map[string]int{"a_plain": 1, "c_selected": 0} {
		runs, err := store.LoadStudy(results, study)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != want {
			t.Errorf("%s has %d runs, want %d", study, len(runs), want)
		}
	}
}

// TestReproduceCIFARPipeline runs both CIFAR-10 studies (small_cnn and
// resnet18) end to end in the quick profile (one epoch, one seed, 150
// training examples: fraction 0.03 scaled by the quick 0.1, the least that
// still gives every spec parsed with it one 128-example MNIST batch) on a
// generated CIFAR-10-format dataset read by data.Load, whose test split is
// cut to its first cifarTestCut examples. This is a test of the pipeline
// (reader, augmentation, model, store, report) on random pixels, never a
// result; its scale keeps it to seconds, the real sizes are `make
// reproduce`'s.
func TestReproduceCIFARPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small_cnn and resnet18 on a generated CIFAR-10-format set; skipped with -short")
	}
	const cifarTestCut = 128
	dir := t.TempDir()
	writeFakeCIFAR(t, filepath.Join(dir, "cifar10", "cifar-10-batches-bin"))
	load := func(name string) (*data.Dataset, error) {
		ds, err := data.Load(name, data.Options{Dir: dir})
		if err != nil {
			return nil, err
		}
		test := *ds.Test // a copy sharing the bytes, cut to the first examples
		d := test.C * test.H * test.W
		test.N, test.Pix, test.Y = cifarTestCut, test.Pix[:cifarTestCut*d], test.Y[:cifarTestCut]
		return &data.Dataset{Name: ds.Name, Train: ds.Train, Test: &test}, nil
	}
	for _, study := range []string{"cifar10_small_cnn", "cifar10_resnet18"} {
		t.Run(study, func(t *testing.T) {
			results := t.TempDir()
			err := Reproduce(context.Background(), ReproduceOptions{
				Specs: []string{experiments}, Studies: []string{study}, Quick: true,
				Set: []string{"quick.epochs=1", "quick.seeds=1", "fractions=[0.03]"},
				Run: RunOptions{Results: results, Workers: 2, LoadData: load},
			})
			if err != nil {
				t.Fatalf("Reproduce: %v", err)
			}
			runs, err := store.LoadStudy(results, study)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 2 {
				t.Fatalf("got %d runs, want 2 (grad_only and full, one seed)", len(runs))
			}
			for _, r := range runs {
				if r.Status != store.Completed || len(r.Metrics) != 1 {
					t.Errorf("run %s (%s): status %s with %d epochs, want completed with 1", r.ID, r.Config.Label, r.Status, len(r.Metrics))
				}
			}
			nonEmpty(t, filepath.Join(results, "tables", study+".md"))
			for _, fig := range []string{study + "_test_accuracy.png", study + "_test_loss.png"} {
				nonEmpty(t, filepath.Join(results, "figures", fig))
			}
		})
	}
}

// writeFakeCIFAR writes the six batches of the CIFAR-10 binary format with
// random pixels and labels: the shape of the real files, not their content.
func writeFakeCIFAR(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rec := make([]byte, 10000*(1+3072))
	// The data package accepts extracted batches only against the record it
	// makes when it reads the MD5-verified archive; the test forges one.
	record := "# SHA-256 of the batches of cifar-10-binary.tar.gz with MD5 c32a1d4ab5d03f1284b67883e8d87530, read by neuroplastic\n"
	for _, name := range []string{"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"} {
		for i := range rec {
			rec[i] = byte(rng.Uint32())
		}
		for i := 0; i < len(rec); i += 1 + 3072 {
			rec[i] = byte(rng.IntN(10))
		}
		if err := os.WriteFile(filepath.Join(dir, name+".bin"), rec, 0o644); err != nil {
			t.Fatal(err)
		}
		record += fmt.Sprintf("%x  %s.bin\n", sha256.Sum256(rec), name)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "cifar-10-batches.sha256"), []byte(record), 0o644); err != nil {
		t.Fatal(err)
	}
}

// nonEmpty fails the test unless path is a file with content.
func nonEmpty(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("missing output: %v", err)
		return
	}
	if fi.Size() == 0 {
		t.Errorf("%s is empty", path)
	}
}

// checkCSVAgainstStore checks that the mean final test accuracy and final
// test loss of every row of a study's CSV equal those recomputed from the
// store's metrics for the runs with that label.
func checkCSVAgainstStore(t *testing.T, results, study string) {
	t.Helper()
	f, err := os.Open(filepath.Join(results, "tables", study+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s.csv: %v", study, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	runs, err := store.LoadStudy(results, study)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, row := range rows[1:] {
		if s := row[col["section"]]; s != "arm" && s != "config" {
			continue
		}
		label := row[col["label"]]
		var acc, loss []float64
		for _, r := range runs {
			if r.Config.Label == label && r.Status == store.Completed {
				last := r.Metrics[len(r.Metrics)-1]
				acc, loss = append(acc, last.TestAcc), append(loss, last.TestLoss)
			}
		}
		if len(acc) == 0 {
			t.Errorf("%s.csv: row %q has no completed runs in the store", study, label)
			continue
		}
		for _, c := range []struct {
			name string
			want float64
		}{{"final_acc_mean", mean(acc)}, {"final_loss_mean", mean(loss)}, {"n", float64(len(acc))}} {
			got, err := strconv.ParseFloat(row[col[c.name]], 64)
			// The report may sum in another order: allow a few ulps.
			if err != nil || math.Abs(got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
				t.Errorf("%s.csv: %s %s = %q, store gives %v", study, label, c.name, row[col[c.name]], c.want)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Errorf("%s.csv: no arm or config rows", study)
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
