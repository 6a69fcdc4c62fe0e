package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func cli(t *testing.T, args ...string) (code int, out, log string) {
	t.Helper()
	var o, l bytes.Buffer
	code = dispatch(context.Background(), args, &o, &l)
	return code, o.String(), l.String()
}

func TestCLIExitCodes(t *testing.T) {
	spec := filepath.Join("harness", "testdata", "tiny.yaml")
	results := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"no command", nil, 2, "Usage: neuroplastic COMMAND"},
		{"help", []string{"help"}, 0, "slurm"},
		{"help run", []string{"help", "run"}, 0, "-only FILTER"},
		{"run --help", []string{"run", "--help"}, 0, "Trains every run of SPEC"},
		{"unknown command", []string{"train"}, 2, `unknown command "train"`},
		{"missing spec", []string{"plan"}, 2, "want 1 argument(s), got 0"},
		{"bad flag", []string{"plan", spec, "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"bad shard", []string{"plan", spec, "--shard", "3/2"}, 2, `bad shard "3/2"`},
		{"bad spec value", []string{"plan", spec, "--set", "epochs=0"}, 1, "--set epochs=0: epochs: 0 out of range"},
		{"flags before the spec", []string{"plan", "--results", results, "--only", "arm=full", spec}, 0, "8 runs: 8 pending"},
		{"flags after the spec", []string{"plan", spec, "--results", results, "--quick"}, 0, "6 runs: 6 pending"},
		{"run", []string{"run", spec, "--results", results, "--only", "seed=1,fraction=0.5", "--workers", "2"}, 0, "done: 3 completed"},
		{"plan after run", []string{"plan", "--results", results, spec}, 0, "12 runs: 9 pending 3 completed"},
		{"slurm needs shards", []string{"slurm", spec}, 2, "--shards must be >= 1"},
		{"only matching nothing", []string{"plan", spec, "--results", results, "--only", "id=deadbeef"}, 1, "  arm: grad_only, full\n"},
		{"run of an unknown arm", []string{"run", spec, "--results", results, "--only", "arm=fulll"}, 1, "matches none of the 12 runs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, log := cli(t, c.args...)
			if code != c.code || !strings.Contains(out+log, c.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, c.code, c.want, out, log)
			}
		})
	}
}

func TestCLISlurm(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "job.sh")
	results := filepath.Join(dir, "res")
	code, _, log := cli(t, "slurm", "harness/testdata/tiny.yaml", "--shards", "4", "--parallel", "2",
		"--results", results, "--binary", "/opt/neuroplastic", "--cpus-per-task", "2", "-o", script, "--quick",
		"--data-dir", "/shared/data", "--sbatch-arg", "--account=proj", "--sbatch-arg=--qos=long")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, log)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("harness/testdata/tiny.yaml")
	for _, want := range []string{
		"#SBATCH --array=0-3%2\n",
		"#SBATCH --output=" + results + "/slurm/tiny-%A_%a.out\n",
		"#SBATCH --mem=",
		"#SBATCH --time=00:10:",
		"#SBATCH --account=proj\n#SBATCH --qos=long\n",
		`exec /opt/neuroplastic run ` + abs + ` --shard "${SLURM_ARRAY_TASK_ID}/4" --results ` + results + " --data-dir /shared/data --workers 2 --quick\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("script lacks %q:\n%s", want, b)
		}
	}
	if fi, err := os.Stat(filepath.Join(results, "slurm")); err != nil || !fi.IsDir() {
		t.Errorf("log directory not created: %v", err)
	}
}

// TestCLIReportAndReproduce checks that reproduce and report honour
// --results, --specs and --set: reproduce trains the spec's runs into the
// results directory and both write the table there.
func TestCLIReportAndReproduce(t *testing.T) {
	spec := filepath.Join("harness", "testdata", "tiny.yaml")
	results := t.TempDir()
	sets := []string{"--set", "seeds=[1]", "--set", "fractions=[1.0]"}
	args := append([]string{"reproduce", "--specs", spec, "--results", results, "--workers", "2"}, sets...)
	if code, _, log := cli(t, args...); code != 0 || !strings.Contains(log, "of wall time") {
		t.Fatalf("reproduce: exit %d, no wall time at the end: %s", code, log)
	}
	table := filepath.Join(results, "tables", "tiny.md")
	if err := os.Remove(table); err != nil {
		t.Fatalf("reproduce wrote no table: %v", err)
	}
	args = append([]string{"report", "--results", results, "--specs", spec}, sets...)
	if code, _, log := cli(t, args...); code != 0 {
		t.Fatalf("report: exit %d: %s", code, log)
	}
	b, err := os.ReadFile(table)
	if err != nil {
		t.Fatalf("report wrote no table: %v", err)
	}
	if !strings.Contains(string(b), "completed") {
		t.Errorf("table counts no completed runs:\n%s", b)
	}
}
