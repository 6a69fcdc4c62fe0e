package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness"
	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

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
	sf := addSpecFlags(fs, true)
	sel := addSelection(fs)
	workers := addWorkers(fs)
	retries := fs.Int("retries", 0, "extra attempts for a failed run within this invocation")
	dataDir := fs.String("data-dir", "", "data `DIR` (default $NEUROPLASTIC_DATA or the user cache directory)")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if *workers < 0 || *retries < 0 {
		return &usageError{"--workers and --retries must be >= 0"}
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
	sf := addSpecFlags(fs, true)
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
	sf := addSpecFlags(fs, false)
	shards := fs.Int("shards", 0, "number of array tasks (required)")
	parallel := fs.Int("parallel", 0, "run at most `P` tasks at once (0: no limit)")
	limit := fs.String("time", "", "time limit per task, `[D-]HH:MM:SS` (default: the largest shard's estimated work, tripled, plus 10 minutes)")
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
