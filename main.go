// Command neuroplastic reproduces the NeuroPlastic preprint's experiments:
// it plans and runs sweeps of training runs described by YAML specs
// (experiments/*.yaml), fetches datasets and emits Slurm array scripts. Run
// `neuroplastic help` for the subcommands and `neuroplastic CMD --help` for
// each one's flags. Flags may come before or after the spec path.
//
// Exit codes: 0 success, 1 an error, failed or skipped runs, or a damaged
// store (check), 2 bad usage, 130 and 143 stopped by SIGINT and SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/neuroplastic/neuroplastic/models/kernel"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// command is one subcommand: add one function and one entry in commands.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out, log io.Writer) error
}

// commands returns the subcommands in help order.
func commands() []command {
	return []command{
		{"plan", "list a spec's runs, their status and the estimated work", cmdPlan},
		{"run", "train a spec's runs that are not done yet (resumable)", cmdRun},
		{"data", "fetch and verify the datasets, print what is present", cmdData},
		{"slurm", "write an sbatch array script that runs a spec in shards", cmdSlurm},
		{"report", "render tables, figures and README.md from the run store", cmdReport},
		{"reproduce", "run every study of the preprint and write its report", cmdReproduce},
		{"check", "check a results directory: damaged, partial, held runs, leftovers", cmdCheck},
		{"verify", "re-train a few committed runs and compare them with their records", cmdVerify},
	}
}

// usageError is bad command-line usage (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// stopGrace is how long a command may take to stop after SIGINT or SIGTERM
// before the process exits anyway. Every store and report file is written
// atomically, so exiting leaves at most a temporary file (which `run` and
// `check --repair` remove).
const stopGrace = 3 * time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var sigCode atomic.Int32
	go func() {
		s := <-sigs
		code := signalExitCode(s)
		sigCode.Store(int32(code))
		fmt.Fprintf(os.Stderr, "neuroplastic: %v: stopping (a second signal stops at once)\n", s)
		cancel()
		select {
		case <-sigs:
		case <-time.After(stopGrace):
		}
		os.Exit(code)
	}()
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if c := sigCode.Load(); c != 0 {
		code = int(c)
	}
	os.Exit(code)
}

// signalExitCode is the shell's exit code for a process ended by s: 128 plus
// the signal number (130 for SIGINT, 143 for SIGTERM).
func signalExitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// dispatch runs the subcommand named by args[0] and returns the exit code.
func dispatch(ctx context.Context, args []string, out, log io.Writer) int {
	if len(args) == 0 {
		help(log)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return dispatch(ctx, []string{args[1], "--help"}, out, log)
		}
		help(out)
		return 0
	}
	if _, err := kernel.SelectedVariant(); err != nil {
		// A bad NEUROPLASTIC_KERNEL is refused before any command starts.
		fmt.Fprintf(log, "neuroplastic: %v\n", err)
		return 2
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], out, log)
		var ue *usageError
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(log, "neuroplastic %s: %v\nrun `neuroplastic %s --help` for usage\n", c.name, err, c.name)
			return 2
		default:
			fmt.Fprintf(log, "neuroplastic %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(log, "neuroplastic: unknown command %q\n", args[0])
	help(log)
	return 2
}

// help prints the list of subcommands.
func help(w io.Writer) {
	fmt.Fprintln(w, "Usage: neuroplastic COMMAND [flags] [SPEC]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help     print this, or `help COMMAND` for a command's flags")
	fmt.Fprintln(w, "\nFlags may come before or after the spec path. Exit codes: 0 ok, 1 error or failed runs, 2 usage,\n130/143 stopped by SIGINT/SIGTERM.")
}

// newFlags returns a FlagSet for a subcommand whose --help prints usage
// (the synopsis) and about (what it does), then the flags.
func newFlags(name, usage, about string, log io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(log)
	fs.Usage = func() {
		fmt.Fprintf(log, "Usage: neuroplastic %s %s\n\n%s\n\nFlags:\n", name, usage, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags interleaved with positional arguments and returns
// the positionals; it wants exactly npos of them.
func parseArgs(fs *flag.FlagSet, args []string, npos int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != npos {
		return nil, &usageError{fmt.Sprintf("want %d argument(s), got %d: %q", npos, len(pos), pos)}
	}
	return pos, nil
}

// setList collects repeated --set flags.
type setList []string

func (s *setList) String() string     { return strings.Join(*s, " ") }
func (s *setList) Set(v string) error { *s = append(*s, v); return nil }

// specFlags are the flags of every command that reads a spec.
type specFlags struct {
	results string
	sets    setList
	quick   bool
}

func addSpecFlags(fs *flag.FlagSet) *specFlags {
	f := &specFlags{}
	fs.StringVar(&f.results, "results", "results", "results `DIR` (default results; results/quick with --quick; .../powered with --seeds)")
	fs.Var(&f.sets, "set", "override a spec value, `key=value`: epochs=3, quick.epochs=1, full.lr=0.05 (one arm), lr=0.05 (every arm); repeatable")
	fs.BoolVar(&f.quick, "quick", false, "use the spec's quick profile (fewer epochs and seeds, smaller fractions)")
	return f
}

// load resolves the results directory and loads the spec, with the
// powered protocol's seeds when seeds > 0.
func (f *specFlags) load(fs *flag.FlagSet, path string, seeds int) (*spec.Spec, error) {
	f.results = resultsDir(fs, f.results, f.quick, seeds)
	return spec.Load(path, spec.Options{Results: f.results, Set: harness.WithSeeds(f.sets, seeds), Quick: f.quick})
}

// selection are the flags that pick a subset of a spec's runs.
type selection struct {
	only, shard string
	seeds       int
}

func addSelection(fs *flag.FlagSet) *selection {
	s := &selection{}
	fs.StringVar(&s.only, "only", "", "run only runs matching `FILTER`: comma-separated key=value with keys arm, label (substring), dataset, model, seed, fraction, id (prefix); values of one key are alternatives, different keys must all match, e.g. arm=full,seed=41,seed=42")
	fs.IntVar(&s.seeds, "seeds", 0, "the powered protocol: seeds 41..40+`N`, results/powered by default, and of a tuning study only the configurations its claims, comparisons and reference name (docs/specs.md)")
	fs.StringVar(&s.shard, "shard", "", "run only shard `i/n` (0 <= i < n): run k of the spec's order belongs to shard k mod n")
	return s
}

// load loads the spec at path, expands it and applies the selection.
func (s *selection) load(fs *flag.FlagSet, sf *specFlags, path string) (*spec.Spec, []spec.Job, error) {
	if s.seeds < 0 {
		return nil, nil, &usageError{"--seeds must be >= 0"}
	}
	sp, err := sf.load(fs, path, s.seeds)
	if err != nil {
		return nil, nil, err
	}
	jobs, err := s.jobs(sp)
	return sp, jobs, err
}

// jobs expands sp and applies the selection.
func (s *selection) jobs(sp *spec.Spec) ([]spec.Job, error) {
	var sh spec.Shard
	if s.shard != "" {
		var err error
		if sh, err = spec.ParseShard(s.shard); err != nil {
			return nil, &usageError{err.Error()}
		}
	}
	f, err := spec.ParseFilter(s.only)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return spec.Select(harness.Jobs(sp, s.seeds), sh, f)
}

const runAbout = `
Trains every run of SPEC that is not completed or diverged yet, with --workers
runs at once, into DIR/runs/<study>/<run-id>/ (config.json, metrics.jsonl,
checkpoint.bin, summary.json). It can be killed at any time: rerunning resumes
partial runs from their last finished epoch with identical numbers, reruns
failed runs, and skips completed and diverged ones. Damaged runs (see the
check command) are repaired first. Any number of run processes may share DIR:
each run is trained under its own lock, and a run another process holds is
skipped and listed at the end. Runs whose dataset is missing are skipped (see
the data command). Exits 1 if any run failed or was skipped.`

func cmdRun(ctx context.Context, args []string, _, log io.Writer) error {
	fs := newFlags("run", "SPEC [flags]", runAbout, log)
	sf := addSpecFlags(fs)
	sel := addSelection(fs)
	workers := fs.Int("workers", runtime.NumCPU(), "runs trained at once; each gets max(1, cores/workers) threads")
	retries := fs.Int("retries", 0, "extra attempts for a failed run within this invocation")
	dataDir := fs.String("data-dir", "", "data `DIR` (default $NEUROPLASTIC_DATA or the user cache directory)")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if *workers < 1 || *retries < 0 {
		return &usageError{"--workers must be >= 1 and --retries >= 0"}
	}
	sp, jobs, err := sel.load(fs, sf, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "study %s: %d runs selected, results in %s\n", sp.Study, len(jobs), sf.results)
	_, err = harness.Run(ctx, jobs, harness.RunOptions{
		Results: sf.results, Workers: *workers, Retries: *retries, DataDir: *dataDir,
		Log: log, Bars: harness.IsTerminal(log),
	})
	return err
}

const planAbout = `
Lists the runs SPEC expands into (ID, label, dataset, model, epochs, fraction,
seed and status in the results directory), counts them per status, and
estimates the work (epochs, sample passes, TFLOP, time at --gflops).`

func cmdPlan(_ context.Context, args []string, out, log io.Writer) error {
	fs := newFlags("plan", "SPEC [flags]", planAbout, log)
	sf := addSpecFlags(fs)
	sel := addSelection(fs)
	gflops := fs.Float64("gflops", harness.DefaultGFLOPS, "assumed sustained throughput for the time estimate, GFLOP/s")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if *gflops <= 0 {
		return &usageError{"--gflops must be > 0"}
	}
	sp, jobs, err := sel.load(fs, sf, pos[0])
	if err != nil {
		return err
	}
	return harness.WritePlan(out, sp.Study, jobs, sf.results, *gflops)
}

const dataAbout = `
Fetches the datasets that can be got (data directory, Go module cache, Debian
packages, download), verifies their checksums and prints what is present and
what is missing.`

func cmdData(ctx context.Context, args []string, out, log io.Writer) error {
	fs := newFlags("data", "[flags]", dataAbout, log)
	dir := fs.String("data-dir", "", "data `DIR` (default $NEUROPLASTIC_DATA or the user cache directory)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	o := data.Options{Dir: *dir, Log: log}
	if harness.IsTerminal(log) {
		o.Progress = harness.DownloadBars(log)
	}
	return data.Fetch(ctx, o, out)
}

const slurmAbout = `
Writes an sbatch script for a Slurm array of --shards tasks; task i runs
"neuroplastic run SPEC --shard i/N --results DIR --data-dir D --workers C"
into the shared results directory, logging to DIR/slurm/ (created now). Paths
are made absolute. --mem comes from the measured peak of the spec's model and
the size of its datasets, the time limit from the work estimate of the
largest shard, with margins. A task exits non-zero when any of its runs
failed or was skipped. It only writes the script (to stdout or -o); submit it
with sbatch (the script is written without the execute bit).`

func cmdSlurm(_ context.Context, args []string, out, log io.Writer) error {
	fs := newFlags("slurm", "SPEC --shards N [flags]", slurmAbout, log)
	sf := addSpecFlags(fs)
	shards := fs.Int("shards", 0, "number of array tasks (required)")
	parallel := fs.Int("parallel", 0, "run at most `P` tasks at once (0: no limit)")
	limit := fs.String("time", "", "time limit per task, `[D-]HH:MM:SS` (default: the largest shard's estimated work, doubled, plus 10 minutes)")
	var sbatchArgs setList
	fs.Var(&sbatchArgs, "sbatch-arg", "an extra `#SBATCH option` for the site, e.g. --account=proj or --qos=long; repeatable")
	partition := fs.String("partition", "", "Slurm partition (default: the cluster's)")
	cpus := fs.Int("cpus-per-task", 1, "cores per task, also each task's --workers")
	binary := fs.String("binary", "", "neuroplastic binary the tasks run (default: this one)")
	dataDir := fs.String("data-dir", "", "data `DIR` the tasks read (default $NEUROPLASTIC_DATA or the user cache directory, as seen here)")
	output := fs.String("o", "", "write the script to `FILE` instead of stdout")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	sp, err := sf.load(fs, pos[0], 0)
	if err != nil {
		return err
	}
	o := harness.SlurmOptions{Study: sp.Study, Shards: *shards, Parallel: *parallel, Time: *limit,
		Partition: *partition, CPUsPerTask: *cpus, SbatchArgs: sbatchArgs}
	if *shards >= 1 && *cpus >= 1 {
		var estimate string
		o.MemMB, estimate = harness.SlurmResources(sp.Expand(), *shards, *cpus)
		if o.Time == "" {
			o.Time = estimate
		}
	}
	if *binary == "" {
		if *binary, err = os.Executable(); err != nil {
			return err
		}
	}
	if o.Binary, err = filepath.Abs(*binary); err != nil {
		return err
	}
	if o.Results, err = filepath.Abs(sf.results); err != nil {
		return err
	}
	if o.Spec, err = filepath.Abs(pos[0]); err != nil {
		return err
	}
	for _, s := range sf.sets {
		o.Extra = append(o.Extra, "--set", s)
	}
	if sf.quick {
		o.Extra = append(o.Extra, "--quick")
	}
	if o.DataDir, err = (data.Options{Dir: *dataDir}).Directory(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return &usageError{err.Error()}
	}
	if err := atomicfile.MkdirAll(harness.SlurmLogDir(o.Results)); err != nil {
		return err
	}
	if *output == "" {
		return harness.WriteSlurm(out, o)
	}
	var script strings.Builder
	if err := harness.WriteSlurm(&script, o); err != nil {
		return err
	}
	if err := atomicfile.Write(*output, []byte(script.String())); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s: %d runs of study %s in %d array tasks; submit with: sbatch %s\n",
		*output, len(sp.Expand()), sp.Study, o.Shards, *output)
	return nil
}

const reportAbout = `
Aggregates the runs of every spec of --specs into DIR/tables/<study>.md and
.csv, DIR/figures/ (PNG and SVG), DIR/locked_config.json (the MNIST tuning
selection) and the index DIR/README.md, and publishes each study's runs to
DIR/records/<study>.jsonl (configuration, status and per-epoch metrics, no
checkpoints), listing every file it writes. Only the runs of each spec's
current expansion count, taken from the run store DIR/runs/ where it has
them finished and from the committed records otherwise, so a fresh clone
re-renders the committed results unchanged. Studies without runs are listed
with the reason. Without --seeds, README.md also shows every claim beside the
powered protocol's, read from DIR/powered/ ("not run" where it has none); with
--seeds N it renders the powered protocol, linking back.`

func cmdReport(_ context.Context, args []string, _, log io.Writer) error {
	fs := newFlags("report", "[flags]", reportAbout, log)
	f := addStudyFlags(fs)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *f.seeds < 0 {
		return &usageError{"--seeds must be >= 0"}
	}
	_, err := harness.WriteReport(harness.ReportOptions{
		Specs: []string{f.specs}, Results: resultsDir(fs, f.results, f.quick, *f.seeds), Quick: f.quick,
		Set: f.sets, Seeds: *f.seeds, Run: harness.RunOptions{DataDir: f.dataDir, Log: log},
	})
	return err
}

const reproduceAbout = `
Reproduces the preprint: runs the studies whose spec says "reproduce: first"
(mnist_tuning) and writes their report (which selects our locked
configuration), then every other study of --specs whose data is present, at
the paper's protocol, and writes the report of all of them (see report).
Studies whose spec says "reproduce: deferred" (the cluster-sized CIFAR-10
ResNet-18 study) run only when named in --studies. Every finished run whose
record is committed under DIR/records/ is compared with it, and the count of
identical runs is printed at the end (a difference exits 1). With --seeds N
it runs the powered protocol instead: seeds 41..40+N into results/powered/,
the MNIST and Fashion-MNIST studies unless --studies names others, copying
finished runs of the same configuration from the paper protocol's store
(--import) instead of training them again. Interrupt it at any time;
rerunning resumes.`

func cmdReproduce(ctx context.Context, args []string, _, log io.Writer) error {
	fs := newFlags("reproduce", "[flags]", reproduceAbout, log)
	f := addStudyFlags(fs)
	studies := fs.String("studies", "", "comma-separated `studies` to run (default: all but the deferred ones)")
	workers := fs.Int("workers", runtime.NumCPU(), "runs trained at once; each gets max(1, cores/workers) threads")
	imp := fs.String("import", "", "copy finished runs with the same ID from the store of results `DIR` instead of training them (default with --seeds: results, or results/quick with --quick)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *workers < 1 || *f.seeds < 0 {
		return &usageError{"--workers must be >= 1 and --seeds >= 0"}
	}
	var names []string
	if *studies != "" {
		names = strings.Split(*studies, ",")
	}
	if *imp == "" && *f.seeds > 0 {
		*imp = resultsDir(fs, "results", f.quick, 0)
	}
	start := time.Now()
	err := harness.Reproduce(ctx, harness.ReproduceOptions{
		Specs: []string{f.specs}, Studies: names, Quick: f.quick, Set: f.sets, Seeds: *f.seeds, Import: *imp,
		Run: harness.RunOptions{
			Results: resultsDir(fs, f.results, f.quick, *f.seeds), Workers: *workers, DataDir: f.dataDir,
			Log: log, Bars: harness.IsTerminal(log),
		},
	})
	fmt.Fprintf(log, "reproduce: %s of wall time\n", time.Since(start).Round(time.Second))
	return err
}

const verifyAbout = `
Re-trains a handful of the runs published in DIR/records/, one after the
other on every core: for every model and optimizer (name and mode) with
completed runs there, the cheapest one, for its first epochs only when it is
long (at most --budget of estimated training each). It compares every per-epoch metric but wall time with the
record byte for byte and prints "identical" per run or the first epoch and
value that differ. Exits 1 on any difference, on a record of another
numerics version, or when no run could be checked (datasets missing).`

func cmdVerify(ctx context.Context, args []string, out, log io.Writer) error {
	fs := newFlags("verify", "[flags]", verifyAbout, log)
	results := fs.String("results", "results", "results `DIR` whose records/ are verified")
	budget := fs.Duration("budget", harness.DefaultVerifyBudget, "estimated training time per run; longer runs are checked on their first epochs")
	dataDir := fs.String("data-dir", "", "data `DIR` (default $NEUROPLASTIC_DATA or the user cache directory)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *budget <= 0 {
		return &usageError{"--budget must be > 0"}
	}
	return harness.Verify(ctx, harness.VerifyOptions{
		Results: *results, Budget: *budget, Out: out,
		Run: harness.RunOptions{DataDir: *dataDir, Log: log},
	})
}

// studyFlags are the flags of the commands that work on a set of specs.
type studyFlags struct {
	*specFlags
	specs, dataDir string
	seeds          *int
}

func addStudyFlags(fs *flag.FlagSet) *studyFlags {
	f := &studyFlags{specFlags: addSpecFlags(fs)}
	fs.StringVar(&f.specs, "specs", "experiments", "spec files or directories, comma-separated")
	fs.StringVar(&f.dataDir, "data-dir", "", "data `DIR` (default $NEUROPLASTIC_DATA or the user cache directory)")
	f.seeds = fs.Int("seeds", 0, "the powered protocol: replace every spec's seeds by 41..40+`N` (recorded in each run's config) and default --results to results/powered")
	return f
}

// resultsDir returns the results directory: --results when given, else
// results, or results/quick with --quick, with /powered appended for the
// powered protocol (seeds > 0).
func resultsDir(fs *flag.FlagSet, results string, quick bool, seeds int) string {
	explicit := false
	fs.Visit(func(fl *flag.Flag) { explicit = explicit || fl.Name == "results" })
	if explicit {
		return results
	}
	dir := "results"
	if quick {
		dir = filepath.Join(dir, "quick")
	}
	if seeds > 0 {
		dir = filepath.Join(dir, "powered")
	}
	return dir
}

const checkAbout = `
Walks the run store under DIR and lists damaged runs (with the reason and the
fix), partial and failed runs, runs another process holds, run directories
with nothing trained, and leftover temporary files. With --repair it removes
the leftovers and moves damaged runs to DIR/quarantine/ (nothing is deleted;
` + "`run`" + ` retrains them). Exits 1 when a damaged run remains.`

func cmdCheck(_ context.Context, args []string, out, log io.Writer) error {
	fs := newFlags("check", "[flags]", checkAbout, log)
	results := fs.String("results", "results", "results `DIR`")
	repair := fs.Bool("repair", false, "remove leftovers and quarantine damaged runs")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	findings, err := store.Check(*results, *repair)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, f := range findings {
		counts[f.Kind]++
		fmt.Fprintf(out, "%-8s %s: %s\n", f.Kind, f.Path, f.Detail)
	}
	fmt.Fprintf(out, "%s: %d damaged, %d partial or failed, %d held, %d orphaned, %d leftover files\n", *results,
		counts[store.FindDamaged], counts[store.FindPartial], counts[store.FindHeld], counts[store.FindOrphaned], counts[store.FindLeftover])
	if n := counts[store.FindDamaged]; n > 0 && !*repair {
		return fmt.Errorf("%d damaged runs in %s; `neuroplastic check --repair` moves them aside", n, *results)
	}
	return nil
}
