package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/report"
	"github.com/neuroplastic/neuroplastic/harness/spec"
)

// ReproduceOptions configure Reproduce.
type ReproduceOptions struct {
	// Specs lists the study specs: files, or directories whose *.yaml files
	// are taken in name order.
	Specs []string
	// Studies, if not empty, names the studies to run; otherwise every
	// study but those whose spec says `reproduce: deferred` runs. The
	// report covers every spec.
	Studies []string
	// Run configures the training of each study (results directory,
	// workers, data directory, log).
	Run RunOptions
	// Quick applies each spec's quick profile.
	Quick bool
	// Set holds --set overrides applied to every spec (see spec.Parse).
	Set []string
	// Seeds, when > 0, is the powered protocol: every spec's seeds are
	// replaced by PoweredSeeds(Seeds), and only the studies of
	// PoweredDatasets run unless Studies names others.
	Seeds int
	// Import, if not empty, is a results directory whose finished runs are
	// copied into Run.Results instead of being trained again (same ID, same
	// configuration); the powered protocol imports the paper protocol's.
	Import string
	// Prune lets the reports drop from the records finished runs that are
	// no longer in their spec's expansion (see checkDrops); without it
	// Reproduce refuses before training anything.
	Prune bool
}

// PoweredDatasets are the datasets whose studies the powered protocol
// (ReproduceOptions.Seeds) runs by default: those cheap enough for 10 seeds.
var PoweredDatasets = []string{"mnist", "fashion_mnist"}

// PoweredSeeds returns the --set override of the powered protocol with n
// seeds: seeds 41..40+n, so the first three are the paper's.
func PoweredSeeds(n int) string {
	seeds := make([]string, n)
	for i := range seeds {
		seeds[i] = strconv.Itoa(41 + i)
	}
	return "seeds=[" + strings.Join(seeds, ", ") + "]"
}

// WithSeeds returns the --set overrides sets with the powered protocol's
// seeds (PoweredSeeds) last when seeds > 0.
func WithSeeds(sets []string, seeds int) []string {
	if seeds <= 0 {
		return sets
	}
	return append(slices.Clone(sets), PoweredSeeds(seeds))
}

// Reproduce runs the studies of o.Specs: those whose spec says `reproduce:
// first` and every other selected study whose data is present, in two
// phases of one worker pool each, so that no worker waits at the end of a
// study while another finishes its last run. The first phase trains the
// first studies together with the others that do not read their selection
// (no arm `from: selected`), and then writes the first studies' reports (so
// `from: selected` reads the new selection, never one left from an earlier
// reproduction); the second trains the studies that read it. Within a phase
// the longest runs go first (see Run). Finally it writes the report of all
// of them into o.Run.Results. Every run that ends final and has a record
// committed under o.Run.Results/records is compared with it (see
// records.Diff); the count of identical runs is printed at the end and a
// difference is an error. A spec whose `reproduce:` key does not decode
// stops Reproduce before anything runs; a study that fails does not stop
// the others, and the error lists every failure. When its report would
// drop committed records (see checkDrops), it refuses before anything runs.
func Reproduce(ctx context.Context, o ReproduceOptions) error {
	paths, err := SpecPaths(o.Specs)
	if err != nil {
		return err
	}
	stages := make(map[string]string, len(paths))
	for _, p := range paths {
		if stages[p], err = spec.ReproduceStage(p); err != nil {
			return err
		}
	}
	for _, name := range o.Studies {
		if !slices.ContainsFunc(paths, func(p string) bool { return specStem(p) == name }) {
			return fmt.Errorf("harness: no spec for study %q in %s", name, strings.Join(o.Specs, ", "))
		}
	}
	if err := o.report(paths).checkDrops(paths); err != nil {
		return err
	}
	log := o.Run.Log
	if log == nil {
		log = io.Discard
	}
	// The first studies go first; the others keep their name order.
	var order []string
	for _, first := range []bool{true, false} {
		for _, p := range paths {
			if (stages[p] == spec.ReproduceFirst) == first {
				order = append(order, p)
			}
		}
	}
	var errs []error
	var checked checkResult
	var phase []*studyJobs
	var waiting []string // the studies that read the first studies' selection
	for _, p := range order {
		st, err := o.prepare(log, p, stages[p], stages[p] != spec.ReproduceFirst)
		switch {
		case errors.Is(err, spec.ErrNoLockedConfig) && stages[p] != spec.ReproduceFirst:
			waiting = append(waiting, p)
		case err != nil:
			errs = append(errs, err)
		case st != nil:
			phase = append(phase, st)
		}
	}
	trainErrs, incomplete := o.train(ctx, log, phase, &checked)
	errs = append(errs, trainErrs...)
	if ctx.Err() != nil {
		return errors.Join(append(errs, ctx.Err())...)
	}
	phase = nil
	for _, p := range waiting {
		if len(incomplete) > 0 {
			// Their runs' configurations would come from a selection made
			// on part of the tuning runs, or from an older one.
			err := fmt.Errorf("study %s: not run: it reads the selection of %s, whose runs did not all finish or whose report failed (rerun to finish them)",
				specStem(p), strings.Join(incomplete, ", "))
			fmt.Fprintln(log, err)
			errs = append(errs, err)
			continue
		}
		st, err := o.prepare(log, p, stages[p], false)
		if err != nil {
			errs = append(errs, err)
		} else if st != nil {
			phase = append(phase, st)
		}
	}
	trainErrs, _ = o.train(ctx, log, phase, &checked)
	errs = append(errs, trainErrs...)
	if ctx.Err() != nil {
		return errors.Join(append(errs, ctx.Err())...)
	}
	if _, err := WriteReport(o.report(paths)); err != nil {
		errs = append(errs, err)
	}
	fmt.Fprintf(log, "checked %d finished runs against their committed records in %s: %d identical",
		checked.identical+checked.different, filepath.Join(o.Run.Results, records.Dir), checked.identical)
	if checked.different > 0 {
		fmt.Fprintf(log, ", %d differ (listed above)", checked.different)
		errs = append(errs, fmt.Errorf("harness: %d runs differ from their committed records", checked.different))
	}
	fmt.Fprintln(log)
	return errors.Join(errs...)
}

// studyJobs is a study of a phase of Reproduce: its spec's path and
// `reproduce:` stage, its jobs and its committed records by run ID.
type studyJobs struct {
	path, stage string
	jobs        []spec.Job
	published   map[string]records.Record
}

// prepare loads the study of the spec at path, of the given `reproduce:`
// stage, if it is selected and its data is present, and copies its
// finished runs from o.Import. It returns nil (and prints why) for a study
// left out. With unselected, a spec that reads the selection (`from:
// selected`) fails with spec.ErrNoLockedConfig and prints nothing.
func (o ReproduceOptions) prepare(log io.Writer, path, stage string, unselected bool) (*studyJobs, error) {
	name := specStem(path)
	switch {
	case len(o.Studies) > 0 && !slices.Contains(o.Studies, name):
		fmt.Fprintf(log, "study %s: not run (not in --studies)\n", name)
		return nil, nil
	case len(o.Studies) == 0 && stage == spec.ReproduceDeferred:
		fmt.Fprintf(log, "study %s: not run (reproduce: deferred; ask for it with --studies %s)\n", name, name)
		return nil, nil
	}
	sp, err := spec.Load(path, spec.Options{Results: o.Run.Results, Set: WithSeeds(o.Set, o.Seeds), Quick: o.Quick, Unselected: unselected})
	if err != nil {
		return nil, err
	}
	if len(o.Studies) == 0 && o.Seeds > 0 && !powered(sp) {
		fmt.Fprintf(log, "study %s: not in the powered protocol (datasets %s)\n", name, strings.Join(sp.Datasets, ", "))
		return nil, nil
	}
	if missing := o.Run.missingData(sp); missing != "" {
		fmt.Fprintf(log, "study %s: skipped: %s\n", sp.Study, missing)
		return nil, nil
	}
	jobs := Jobs(sp, o.Seeds)
	fmt.Fprintf(log, "study %s: %d runs (%s)\n", sp.Study, len(jobs), Estimate(jobs))
	published, err := records.Read(records.Path(o.Run.Results, sp.Study))
	if err != nil {
		return nil, err
	}
	n, err := importRuns(o.Import, o.Run.Results, jobs)
	if n > 0 {
		fmt.Fprintf(log, "study %s: copied %d finished runs from %s\n", sp.Study, n, filepath.Join(o.Import, "runs"))
	}
	if err != nil {
		return nil, err
	}
	return &studyJobs{path: path, stage: stage, jobs: jobs, published: published}, nil
}

// train trains the jobs of studies in one worker pool, compares their
// finished runs with their committed records (counted in checked) and then
// writes the report of each first study among them, unless ctx is
// cancelled. It returns every error, naming the studies with runs left
// unfinished (failed, held by another process, interrupted), so that one
// failing study does not stop the others, and the first studies whose
// selection cannot be trusted: some of their runs are unfinished or their
// report failed.
func (o ReproduceOptions) train(ctx context.Context, log io.Writer, studies []*studyJobs, checked *checkResult) (errs []error, incomplete []string) {
	if len(studies) == 0 {
		return nil, nil
	}
	var jobs []spec.Job
	for _, st := range studies {
		jobs = append(jobs, st.jobs...)
	}
	_, runErr := Run(ctx, jobs, o.Run)
	var short []string // the studies with unfinished runs
	for _, st := range studies {
		n, err := checked.check(log, o.Run.Results, st.jobs, st.published)
		if err != nil {
			errs = append(errs, err)
		}
		if n > 0 || err != nil {
			short = append(short, specStem(st.path))
			if st.stage == spec.ReproduceFirst {
				incomplete = append(incomplete, specStem(st.path))
			}
		}
	}
	if runErr != nil {
		if len(short) == 0 { // an error no run's state shows
			for _, st := range studies {
				short = append(short, specStem(st.path))
			}
		}
		errs = append(errs, fmt.Errorf("studies %s: %w", strings.Join(short, ", "), runErr))
	}
	for _, st := range studies {
		if st.stage != spec.ReproduceFirst || ctx.Err() != nil {
			continue
		}
		if _, err := WriteReport(o.report([]string{st.path})); err != nil {
			errs = append(errs, err)
			if !slices.Contains(incomplete, specStem(st.path)) {
				incomplete = append(incomplete, specStem(st.path))
			}
		}
	}
	return errs, incomplete
}

// powered reports whether the powered protocol runs sp by default: all
// its datasets are PoweredDatasets.
func powered(sp *spec.Spec) bool {
	return !slices.ContainsFunc(sp.Datasets, func(d string) bool { return !slices.Contains(PoweredDatasets, d) })
}

// report returns the options of the report of the specs at paths.
func (o ReproduceOptions) report(paths []string) ReportOptions {
	return ReportOptions{Specs: paths, Results: o.Run.Results, Quick: o.Quick, Set: o.Set, Seeds: o.Seeds, Prune: o.Prune, Run: o.Run}
}

// ReportOptions configure WriteReport.
type ReportOptions struct {
	Specs   []string   // spec files or directories, as for ReproduceOptions.Specs
	Results string     // the results directory read and written
	Quick   bool       // the specs' quick profile, and outputs labelled quick
	Set     []string   // --set overrides the runs were made with
	Seeds   int        // the powered protocol's seed count (see ReproduceOptions.Seeds), 0 if not
	Prune   bool       // let the records drop finished runs outside the specs' expansion (see checkDrops)
	Run     RunOptions // how data is found (DataDir, LoadData) for skip reasons; Log lists the files written
}

// WriteReport renders the tables, figures, locked_config.json and README.md
// of every study in o.Specs, and publishes each study's runs to
// records/<study>.jsonl, all under o.Results, and lists every file written
// on o.Run.Log. A study's runs are those of its spec's current expansion,
// from the local store or else from the published records (see loadRuns):
// runs of an edited spec or of an older numerics version count in neither.
// A study with no runs is listed with the reason: its data is missing, it is
// deferred (with its work estimate and the commands that run it), or it is
// outside the powered protocol. When no study has runs it writes nothing
// and returns an error, so the committed results are never replaced by a
// report of nothing; nor, unless o.Prune, when a records file would lose a
// finished run (see checkDrops). It returns the files it wrote, relative
// to o.Results: the records, then the report's in writing order.
func WriteReport(o ReportOptions) ([]string, error) {
	paths, err := SpecPaths(o.Specs)
	if err != nil {
		return nil, err
	}
	if err := o.checkDrops(paths); err != nil {
		return nil, err
	}
	var studies []report.Study
	some := false
	for _, p := range paths {
		st, err := o.study(p)
		if err != nil {
			return nil, err
		}
		studies = append(studies, st)
		some = some || len(st.Runs) > 0
	}
	if !some {
		return nil, fmt.Errorf("harness: no runs of any study in %s or %s: nothing to report, nothing written (run `neuroplastic reproduce` first)",
			filepath.Join(o.Results, "runs"), filepath.Join(o.Results, records.Dir))
	}
	var files []string
	for _, st := range studies {
		f, err := publish(o.Results, st.Name, st.Runs)
		if err != nil {
			return files, err
		}
		if f != "" {
			files = append(files, f)
		}
	}
	dataDir, err := data.Options{Dir: o.Run.DataDir}.Directory()
	if err != nil {
		dataDir = "" // no data directory: no path to rewrite
	}
	wo, err := o.protocols(paths)
	if err != nil {
		return files, err
	}
	wo.Quick, wo.DataDir = o.Quick, dataDir
	wrote, err := report.Write(o.Results, studies, wo)
	files = append(files, wrote...)
	if o.Run.Log != nil {
		fmt.Fprintf(o.Run.Log, "report: wrote %d files under %s:\n", len(files), o.Results)
		for _, f := range files {
			fmt.Fprintf(o.Run.Log, "  %s\n", filepath.Join(o.Results, f))
		}
	}
	return files, err
}

// PoweredDir is the powered protocol's results directory under a results
// directory.
const PoweredDir = "powered"

// protocols returns the report's protocol options: under the paper
// protocol, the studies of the powered protocol (with the seed count of its
// records, see poweredSeeds) from o.Results/powered (store, else records;
// "not run" when absent) to
// show beside its claims; under the powered protocol, the link back when
// o.Results is such a directory.
func (o ReportOptions) protocols(paths []string) (report.WriteOptions, error) {
	const paper, powered = "paper", "powered"
	if o.Seeds > 0 {
		wo := report.WriteOptions{Protocol: fmt.Sprintf("%s (%d seeds)", powered, o.Seeds)}
		if filepath.Base(filepath.Clean(o.Results)) == PoweredDir {
			wo.Up = &report.Protocol{Name: paper, Link: "../README.md"}
		}
		return wo, nil
	}
	p := o
	p.Results, p.Run.Log = filepath.Join(o.Results, PoweredDir), nil
	var err error
	if p.Seeds, err = poweredSeeds(p.Results); err != nil {
		return report.WriteOptions{}, err
	}
	beside := &report.Protocol{Name: powered, Link: PoweredDir + "/README.md"}
	for _, path := range paths {
		st, err := p.study(path)
		if err != nil {
			return report.WriteOptions{}, fmt.Errorf("harness: the powered protocol's %w", err)
		}
		beside.Studies = append(beside.Studies, st)
	}
	return report.WriteOptions{Protocol: paper, Beside: beside}, nil
}

// poweredSeeds returns the seed count N of the powered protocol's results
// under dir: the largest seed of its published records less 40 (its seeds
// are 41..40+N), or PoweredProtocol when it has none.
func poweredSeeds(dir string) (int, error) {
	all, err := records.ReadAll(dir)
	if err != nil {
		return 0, fmt.Errorf("harness: the powered protocol's records: %w", err)
	}
	n := 0
	for _, recs := range all {
		for _, r := range recs {
			n = max(n, int(r.Config.Seed-40))
		}
	}
	if n <= 0 {
		return PoweredProtocol, nil
	}
	return n, nil
}

// expansion loads the spec at path with o's options and returns it with
// the runs of it that the report counts (Jobs).
func (o ReportOptions) expansion(path string) (*spec.Spec, []spec.Job, error) {
	sp, err := spec.Load(path, spec.Options{Results: o.Results, Set: WithSeeds(o.Set, o.Seeds), Quick: o.Quick})
	if err != nil {
		return nil, nil, err
	}
	return sp, Jobs(sp, o.Seeds), nil
}

// study loads the spec at path and the runs of its current expansion.
func (o ReportOptions) study(path string) (report.Study, error) {
	sp, jobs, err := o.expansion(path)
	if err != nil {
		if errors.Is(err, spec.ErrNoLockedConfig) {
			return report.Study{Name: specStem(path), Skipped: err.Error()}, nil
		}
		return report.Study{}, err
	}
	all := sp.Expand()
	runs, err := loadRuns(o.Results, sp.Study, jobs)
	if err != nil {
		return report.Study{}, err
	}
	st := report.Study{Name: sp.Study, Title: sp.Title, Options: sp.Report, Runs: runs, Note: poweredNote(all, jobs)}
	for _, a := range sp.Arms {
		st.Arms = append(st.Arms, a.Name)
	}
	if len(runs) > 0 {
		return st, nil
	}
	if missing := o.Run.missingData(sp); missing != "" {
		st.Skipped = missing
	}
	if sp.Reproduce == spec.ReproduceDeferred {
		st.Note = deferredNote(path, sp, jobs, o.Seeds)
	}
	if o.Seeds > 0 && !powered(sp) {
		st.Skipped = fmt.Sprintf("not in the powered protocol (datasets %s)", strings.Join(sp.Datasets, ", "))
	}
	if st.Skipped == "" && sp.Reproduce != spec.ReproduceDeferred {
		st.Skipped = "no runs in the store yet: run `neuroplastic run " + path + "`"
	}
	return st, nil
}

// deferredNote says what a deferred study costs and how to run it: under
// the powered protocol (seeds > 0) with reproduce --seeds, else also as a
// Slurm array.
func deferredNote(path string, sp *spec.Spec, jobs []spec.Job, seeds int) string {
	w := Estimate(jobs)
	lead := fmt.Sprintf("Deferred (`reproduce: deferred`), so a plain `make reproduce` leaves it out: %s. ", w.Describe(DefaultGFLOPS))
	if seeds > 0 {
		return lead + fmt.Sprintf("Run it with `neuroplastic reproduce --studies %s --seeds %d --workers 1`, then `neuroplastic report --seeds %d`.",
			sp.Study, seeds, seeds)
	}
	shards := len(jobs)
	return lead + fmt.Sprintf("Run it here with `neuroplastic reproduce --studies %s --workers 1`, "+
		"or as a Slurm array of %d tasks: `neuroplastic slurm %s --shards %d --cpus-per-task 2 -o %s.sbatch && sbatch %s.sbatch`, "+
		"then `neuroplastic report`.",
		sp.Study, shards, path, shards, sp.Study, sp.Study)
}

// missingData returns why a spec's datasets are not all present ("" when
// they are), from data.Check (which reads no file), or from o.LoadData when
// it replaces data.Load.
func (o RunOptions) missingData(sp *spec.Spec) string {
	var reasons []string
	for _, name := range sp.Datasets {
		var err error
		if o.LoadData != nil {
			_, err = o.LoadData(name)
		} else {
			err = data.Check(name, data.Options{Dir: o.DataDir})
		}
		if errors.Is(err, data.ErrMissing) {
			reasons = append(reasons, err.Error())
		}
	}
	return strings.Join(reasons, "; ")
}

// SpecPaths expands spec arguments: a file stands for itself, a directory
// for its *.yaml files in name order, and an argument may hold several
// comma-separated entries.
func SpecPaths(args []string) ([]string, error) {
	var paths []string
	for _, arg := range args {
		for _, a := range strings.Split(arg, ",") {
			fi, err := os.Stat(a)
			if err != nil {
				return nil, fmt.Errorf("harness: %w", err)
			}
			if !fi.IsDir() {
				paths = append(paths, a)
				continue
			}
			m, err := filepath.Glob(filepath.Join(a, "*.yaml"))
			if err != nil {
				return nil, fmt.Errorf("harness: %w", err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("harness: no *.yaml specs in %s", a)
			}
			slices.Sort(m)
			paths = append(paths, m...)
		}
	}
	if len(paths) == 0 {
		return nil, errors.New("harness: no specs given")
	}
	return paths, nil
}

// specStem returns a spec file's name without directory and extension,
// which by convention is its study name.
func specStem(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}
