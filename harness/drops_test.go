package harness

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/models"
)

// published returns the content of every file under results but the run
// store, by path.
func published(t *testing.T, results string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(results, func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "runs":
			return filepath.SkipDir
		case d.IsDir():
			return nil
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// unchanged fails the test when the files under results (but the run store)
// are not those of before.
func unchanged(t *testing.T, what, results string, before map[string]string) {
	t.Helper()
	after := published(t, results)
	for path, b := range before {
		if after[path] != b {
			t.Errorf("%s changed %s", what, path)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%s: %d files before, %d after", what, len(before), len(after))
	}
}

// TestReportKeepsRecords checks that a report or reproduce whose runs leave
// out finished runs of a records file (the powered protocol into the paper
// protocol's folder, other seeds) refuses and leaves every file byte for
// byte as it was, and trains nothing; that --prune drops them; that records
// then grow with new runs and stay as they are without the store; and that
// records of an older numerics version go without --prune, those of a
// newer one do not.
func TestReportKeepsRecords(t *testing.T) {
	results := t.TempDir()
	paper := []string{"seeds=[41, 42, 43]"}
	if log, err := reproduceTiny(t, ReproduceOptions{Set: paper, Run: RunOptions{Results: results}}); err != nil {
		t.Fatalf("Reproduce: %v\n%s", err, log)
	}
	path := records.Path(results, "tiny")
	count := func() int {
		t.Helper()
		recs, err := records.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	if n := count(); n != 9 {
		t.Fatalf("%d records, want 9", n)
	}
	before := published(t, results)
	report := func(o ReportOptions) error {
		o.Specs, o.Results, o.Set = []string{tinySpec}, results, append([]string{"fractions=[0.5]"}, o.Set...)
		_, err := WriteReport(o)
		return err
	}

	err := report(ReportOptions{Seeds: 2})
	for _, want := range []string{"nothing written", path + ": 3 finished runs, e.g. tiny ", "seed 43)", "--seeds 2 (seeds 41..42)", "--prune"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("report --seeds 2 into the paper folder: %v; want an error with %q", err, want)
		}
	}
	unchanged(t, "the refused report", results, before)

	log, err := reproduceTiny(t, ReproduceOptions{Set: []string{"seeds=[44]"}, Run: RunOptions{Results: results}})
	if err == nil || !strings.Contains(err.Error(), path+": 9 finished runs") || strings.Contains(log, "study tiny") {
		t.Errorf("reproduce of other seeds: %v; want a refusal naming 9 runs before any study:\n%s", err, log)
	}
	if runs := statuses(t, results, "tiny"); len(runs) != 9 {
		t.Errorf("the refused reproduce left %d runs in the store, want the 9 of before", len(runs))
	}
	unchanged(t, "the refused reproduce", results, before)

	if err := report(ReportOptions{Seeds: 2, Prune: true}); err != nil || count() != 6 {
		t.Errorf("report --seeds 2 --prune: %v, %d records; want the 6 of seeds 41 and 42", err, count())
	}
	grown := []string{"seeds=[41, 42, 43, 44]"}
	if log, err := reproduceTiny(t, ReproduceOptions{Set: grown, Run: RunOptions{Results: results}}); err != nil || count() != 12 {
		t.Fatalf("reproduce of one more seed: %v, %d records, want 12\n%s", err, count(), log)
	}

	// Without the store (a fresh clone, or every run quarantined) the records keep every run.
	if err := os.RemoveAll(filepath.Join(results, "runs")); err != nil {
		t.Fatal(err)
	}
	before = published(t, results)
	if err := report(ReportOptions{Set: grown}); err != nil {
		t.Errorf("report without the store: %v", err)
	}
	unchanged(t, "the report without the store", results, before)

	// Any record, made one of another numerics version.
	recs, err := records.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	all := slices.Collect(maps.Values(recs))
	for _, c := range []struct {
		numerics, records int // the version of the added record; the records after the report
		refused           bool
	}{{models.Numerics(all[0].Config.Model) - 1, 12, false}, {models.Numerics(all[0].Config.Model) + 1, 13, true}} {
		other := all[0]
		other.Config.Numerics = c.numerics
		other.ID = spec.RunID(other.Config)
		if err := records.Write(path, append(slices.Clone(all), other)); err != nil {
			t.Fatal(err)
		}
		err := report(ReportOptions{Set: grown})
		if refused := err != nil; refused != c.refused || (refused && !strings.Contains(err.Error(), path+": 1 finished runs")) {
			t.Errorf("a record of numerics version %d (this build's: %d): %v, want refused %v", c.numerics, models.Numerics(all[0].Config.Model), err, c.refused)
		}
		if n := count(); n != c.records {
			t.Errorf("a record of numerics version %d: %d records, want %d", c.numerics, n, c.records)
		}
	}
}

// TestReportChecksBeforeWriting checks that a refusal for one study of a
// report leaves the records of the others alone too: every study is
// checked before any file is written.
func TestReportChecksBeforeWriting(t *testing.T) {
	results := t.TempDir()
	// A second study, from a copy of the spec.
	src, err := os.ReadFile(tinySpec)
	if err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(t.TempDir(), "tiny2.yaml")
	if err := os.WriteFile(second, []byte(strings.Replace(string(src), "study: tiny", "study: tiny2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	const half = "fractions=[0.5]"
	// tiny has seeds 41 and 42 in its store but only 41 in its records; tiny2 has seed 43 in its records.
	for _, c := range []struct{ spec, trained, reported string }{{tinySpec, "seeds=[41, 42]", "seeds=[41]"}, {second, "seeds=[43]", "seeds=[43]"}} {
		if _, err := sweep(t, c.spec, results, RunOptions{Workers: 2}, half, c.trained); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteReport(ReportOptions{Specs: []string{c.spec}, Results: results, Set: []string{half, c.reported}}); err != nil {
			t.Fatal(err)
		}
	}
	before := published(t, results)
	// Seeds 41 and 42: tiny, first, would grow; tiny2 would lose its 3 runs.
	_, err = WriteReport(ReportOptions{Specs: []string{tinySpec, second}, Results: results, Set: []string{half, "seeds=[41, 42]"}})
	if err == nil || !strings.Contains(err.Error(), records.Path(results, "tiny2")+": 3 finished runs") {
		t.Errorf("report dropping tiny2's records: %v", err)
	}
	unchanged(t, "the refused report", results, before)
}
