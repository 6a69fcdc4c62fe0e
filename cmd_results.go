package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/neuroplastic/neuroplastic/harness"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

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
--seeds N it renders the powered protocol, linking back. Records only grow:
when a records file holds a finished run outside its spec's expansion,
which rewriting the file would drop (--seeds N with the paper protocol's
DIR, say), report refuses and writes nothing; --prune drops such runs on
purpose (after a spec edit). Records of an older numerics version are
dropped without it.`

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
		Set: f.sets, Seeds: *f.seeds, Prune: *f.prune, Run: harness.RunOptions{DataDir: f.dataDir, Log: log},
	})
	return err
}

const reproduceAbout = `
Reproduces the preprint: runs the studies whose spec says "reproduce: first"
(mnist_tuning), together with every other study of --specs that does not
read their selection, and writes their report (which selects our locked
configuration); then the studies that read it ("from: selected"), unless
some of the first studies' runs did not finish; all at the paper's protocol,
for the studies whose data is present, longest runs first. Finally it writes
the report of all of them (see report).
Studies whose spec says "reproduce: deferred" (the cluster-sized CIFAR-10
ResNet-18 study, and the two beyond the preprint's: mnist_tuning_validation
and variants) run only when named in --studies; their committed records
still render in the report. Every finished run whose
record is committed under DIR/records/ is compared with it, and the count of
identical runs is printed at the end (a difference exits 1). With --seeds N
it runs the powered protocol instead: seeds 41..40+N into results/powered/,
the MNIST and Fashion-MNIST studies unless --studies names others, copying
finished runs of the same configuration from the paper protocol's store
(--import) instead of training them again. Interrupt it at any time;
rerunning resumes. It refuses before training anything when its report
would drop committed records (see report and --prune).`

func cmdReproduce(ctx context.Context, args []string, _, log io.Writer) error {
	fs := newFlags("reproduce", "[flags]", reproduceAbout, log)
	f := addStudyFlags(fs)
	studies := fs.String("studies", "", "comma-separated `studies` to run (default: all but the deferred ones)")
	workers := addWorkers(fs)
	imp := fs.String("import", "", "copy finished runs with the same ID from the store of results `DIR` instead of training them (default with --seeds: results, or results/quick with --quick)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *workers < 0 || *f.seeds < 0 {
		return &usageError{"--workers and --seeds must be >= 0"}
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
		Specs: []string{f.specs}, Studies: names, Quick: f.quick, Set: f.sets, Seeds: *f.seeds, Import: *imp, Prune: *f.prune,
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

const checkAbout = `
Walks the run store under DIR and lists damaged runs (with the reason and the
fix), partial and failed runs, runs another process holds, run directories
with nothing trained, and leftover temporary files. With --repair it repairs
each damaged run as ` + "`run`" + ` would, under the run's lock: back to its
checkpoint when that is intact (` + "`run`" + ` resumes it), otherwise moved to
DIR/quarantine/ (nothing is deleted; ` + "`run`" + ` retrains it); and it removes
the leftovers (outside run directories only those over 10 minutes old, which
no report is still writing). Exits 1 when a damaged run remains.`

func cmdCheck(_ context.Context, args []string, out, log io.Writer) error {
	fs := newFlags("check", "[flags]", checkAbout, log)
	results := fs.String("results", "results", "results `DIR`")
	repair := fs.Bool("repair", false, "repair damaged runs (back to their checkpoint, or into quarantine) and remove leftovers")
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
		return fmt.Errorf("%d damaged runs in %s; `neuroplastic check --repair` repairs them", n, *results)
	}
	return nil
}
