package report

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// claimRow returns the cells of the README's side-by-side row of claim id
// of study, or nil.
func claimRow(readme, study, id string) []string {
	for _, line := range strings.Split(readme, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == code(study) && cells[1] == code(id) && len(cells) == 11 {
			return cells
		}
	}
	return nil
}

func TestSideBySide(t *testing.T) {
	gap := Claim{ID: "gap", A: "full", B: "grad_only", Metric: MetricFinalAcc, Direction: Greater}
	study := func(full float64) Study {
		return Study{Name: "m", Options: Options{Claims: []Claim{gap}}, Runs: synth("m", "mnist",
			cfg{"full", "full", fullOpt(0.1, 2, 2), 1, full, 0.3}, cfg{"grad_only", "grad_only", gradOpt, 1, 0.9740, 0.3})}
	}
	notRun := Study{Name: "m", Skipped: "no runs"}
	// Verdict columns: study, claim, at, then n, mean gap, CI, verdict per
	// protocol.
	const here, there = 6, 10
	cases := []struct {
		name       string
		this, side Study
		want       [2]string // verdicts of this protocol and the other
	}{
		{"both run", study(0.9800), study(0.97405), [2]string{verdictSupported, verdictInconclusive}},
		{"other not run", study(0.9800), notRun, [2]string{verdictSupported, notRunCell}},
		{"this not run", notRun, study(0.9700), [2]string{notRunCell, verdictContradicted}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		o := WriteOptions{Protocol: "paper", Beside: &Protocol{Name: "powered", Link: "powered/README.md", Studies: []Study{c.side}}}
		other := Study{Name: "other", Options: Options{Claims: []Claim{gap}}, Runs: study(0.98).Runs}
		other.Runs = slices.Clone(other.Runs)
		for i := range other.Runs {
			other.Runs[i].Config.Study = "other"
		}
		if _, err := Write(dir, []Study{c.this, other}, o); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		readme := string(readFile(t, filepath.Join(dir, "README.md")))
		row := claimRow(readme, "m", "gap")
		if len(row) != 11 {
			t.Fatalf("%s: no side-by-side row of m/gap (%q) in:\n%s", c.name, row, readme)
		}
		if got := [2]string{row[here], row[there]}; got != c.want {
			t.Errorf("%s: verdicts %q, want %q (row %q)", c.name, got, c.want, row)
		}
		if c.want[0] != notRunCell && row[3] != "3" {
			t.Errorf("%s: n %q, want 3", c.name, row[3])
		}
		if row := claimRow(readme, "other", "gap"); len(row) != 11 || row[there] != notRunCell {
			t.Errorf("%s: a study the other protocol lacks: row %q, want %q there", c.name, row, notRunCell)
		}
		if !strings.Contains(readme, "(powered/README.md)") {
			t.Errorf("%s: README does not link the other protocol's", c.name)
		}
	}
}

func TestUpLink(t *testing.T) {
	dir := t.TempDir()
	runs := synth("m", "mnist", cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.98, 0.3})
	o := WriteOptions{Protocol: "powered (10 seeds)", Up: &Protocol{Name: "paper", Link: "../README.md"}}
	if _, err := Write(dir, []Study{{Name: "m", Runs: runs}}, o); err != nil {
		t.Fatal(err)
	}
	readme := string(readFile(t, filepath.Join(dir, "README.md")))
	if !strings.Contains(readme, "[../README.md](../README.md)") || strings.Contains(readme, "Claims by protocol") {
		t.Errorf("the powered README does not link back (or shows a side-by-side section):\n%s", readme)
	}
}
