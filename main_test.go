package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness"
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
		{"help help", []string{"help", "help"}, 0, "Usage: neuroplastic COMMAND"},
		{"--help -h", []string{"--help", "-h"}, 0, "Usage: neuroplastic COMMAND"},
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
		{"verify without records", []string{"verify", "--results", results}, 1, "nothing to verify"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, log := cli(t, c.args...)
			if code != c.code || !strings.Contains(out+log, c.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, c.code, c.want, out, log)
			}
		})
	}
}

// TestCLIBadKernel checks that an unknown NEUROPLASTIC_KERNEL is refused
// with exit 2 and a message naming the variants, before any command runs,
// while a command's help is still printed.
func TestCLIBadKernel(t *testing.T) {
	t.Setenv("NEUROPLASTIC_KERNEL", "avx9000")
	code, out, log := cli(t, "plan", filepath.Join("harness", "testdata", "tiny.yaml"), "--results", t.TempDir())
	if code != 2 || !strings.Contains(log, "NEUROPLASTIC_KERNEL=avx9000") || !strings.Contains(log, "avx512") {
		t.Errorf("exit %d, output:\n%s%s", code, out, log)
	}
	// Help is still printed.
	code, out, log = cli(t, "plan", "--help")
	if code != 0 || !strings.Contains(out+log, "Usage: neuroplastic plan") {
		t.Errorf("plan --help: exit %d, output:\n%s%s", code, out, log)
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

// inFreshTree copies the tiny spec to experiments/ of a new temporary
// directory, makes it the working directory and returns the path of the
// repository's root it came from.
func inFreshTree(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile(filepath.Join("harness", "testdata", "tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("experiments", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("experiments", "tiny.yaml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// makeCommand returns the arguments of the neuroplastic command that
// `make target vars...` runs in the repository at root.
func makeCommand(t *testing.T, root, target string, vars ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", append([]string{"-n", "-s", "-C", root, target}, vars...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make -n %s: %v", target, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "bin/neuroplastic" && f[1] == target {
			return f[1:]
		}
	}
	t.Fatalf("make -n %s runs no bin/neuroplastic %s:\n%s", target, target, out)
	return nil
}

// readTree returns the content of every file under dir, by path, leaving
// out the run store.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == "runs" {
				return filepath.SkipDir
			}
			return err
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

// TestMakeQuickWritesOnlyQuick checks that `make reproduce QUICK=1` and
// `make report QUICK=1` write under results/quick/ only, leave the
// committed results/ alone, and list every file they wrote.
func TestMakeQuickWritesOnlyQuick(t *testing.T) {
	root := inFreshTree(t)
	committed := filepath.Join("results", "README.md")
	if err := os.MkdirAll("results", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(committed, []byte("the committed results\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"reproduce", "report"} {
		t.Run(target, func(t *testing.T) {
			args := makeCommand(t, root, target, "QUICK=1", "WORKERS=2")
			code, out, log := cli(t, args...)
			if code != 0 {
				t.Fatalf("%q: exit %d\n%s%s", args, code, out, log)
			}
			if b, err := os.ReadFile(committed); err != nil || string(b) != "the committed results\n" {
				t.Errorf("%q changed %s: %q, %v", args, committed, b, err)
			}
			for path := range readTree(t, "results") {
				if path != committed && !strings.HasPrefix(path, filepath.Join("results", "quick")+string(filepath.Separator)) {
					t.Errorf("%q wrote %s, outside results/quick", args, path)
				}
			}
			for _, f := range []string{"README.md", filepath.Join("records", "tiny.jsonl"), filepath.Join("tables", "tiny.md")} {
				if want := "  " + filepath.Join("results", "quick", f) + "\n"; !strings.Contains(log, want) {
					t.Errorf("%q did not list %s as written:\n%s", args, f, log)
				}
			}
		})
	}
}

// TestReportOnFreshClone checks that `make report` on a fresh clone (the
// committed results and records, no run store) re-renders the committed
// files byte for byte, the paper protocol's and the powered protocol's,
// and that `report --seeds` into the paper protocol's folder refuses:
// `git status` stays clean, no study is "not run", and each README links
// the other; and that `make verify` there finds the re-trained runs
// identical.
func TestReportOnFreshClone(t *testing.T) {
	root := inFreshTree(t)
	const seeds = "2" // the paper protocol's README finds the count in the records
	for _, args := range [][]string{{"reproduce", "--workers", "2"}, {"reproduce", "--workers", "2", "--seeds", seeds, "--studies", "tiny"}} {
		if code, out, log := cli(t, args...); code != 0 {
			t.Fatalf("%q: exit %d\n%s%s", args, code, out, log)
		}
	}
	committed := readTree(t, "results")
	powered := filepath.Join("results", harness.PoweredDir)
	for _, dir := range []string{"results", powered} {
		if err := os.RemoveAll(filepath.Join(dir, "runs")); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	_, noGit := exec.LookPath("git")
	if noGit == nil {
		git("init", "-q", ".")
		git("add", "-A")
		git("commit", "-q", "-m", "committed results")
	}
	for _, vars := range [][]string{nil, {"SEEDS=" + seeds}} {
		args := makeCommand(t, root, "report", vars...)
		if code, out, log := cli(t, args...); code != 0 {
			t.Fatalf("%q: exit %d\n%s%s", args, code, out, log)
		}
	}
	// The powered protocol rendered into the paper protocol's folder would drop its records.
	wrongFolder := []string{"report", "--seeds", seeds, "--results", "results"}
	if code, out, log := cli(t, wrongFolder...); code != 1 || !strings.Contains(log, filepath.Join("results", "records", "tiny.jsonl")+": 12 finished runs") {
		t.Errorf("%q: exit %d, want 1 and a refusal naming the paper protocol's 12 runs:\n%s%s", wrongFolder, code, out, log)
	}
	if noGit == nil {
		if st := git("status", "--porcelain"); st != "" {
			t.Errorf("report on a fresh clone changed the committed results:\n%s", st)
		}
	}
	now := readTree(t, "results")
	for path, b := range committed {
		if now[path] != b {
			t.Errorf("%s changed", path)
		}
	}
	if len(now) != len(committed) {
		t.Errorf("%d files before, %d after", len(committed), len(now))
	}
	for dir, link := range map[string]string{"results": "(powered/README.md)", powered: "(../README.md)"} {
		if readme := now[filepath.Join(dir, "README.md")]; strings.Contains(readme, "not run") || !strings.Contains(readme, "tiny") || !strings.Contains(readme, link) {
			t.Errorf("%s/README.md says a study was not run, or does not link %s:\n%s", dir, link, readme)
		}
	}
	args := makeCommand(t, root, "verify")
	if code, out, log := cli(t, args...); code != 0 || strings.Count(out, "identical  tiny ") != 2 {
		t.Errorf("%q on a fresh clone: exit %d, want 2 runs identical:\n%s%s", args, code, out, log)
	}
}

// TestReportWithoutRuns checks that `report` with neither a run store nor
// records leaves the committed results alone instead of rendering every
// study as not run.
func TestReportWithoutRuns(t *testing.T) {
	inFreshTree(t)
	readme := filepath.Join("results", "README.md")
	if err := os.MkdirAll("results", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("the committed results\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, log := cli(t, "report")
	if code != 1 || !strings.Contains(log, "nothing to report, nothing written") {
		t.Errorf("report without runs: exit %d\n%s%s", code, out, log)
	}
	if files := readTree(t, "results"); len(files) != 1 || files[readme] != "the committed results\n" {
		t.Errorf("report without runs changed results/: %q", files)
	}
}
