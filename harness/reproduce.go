package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/report"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
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
}

// Reproduce runs the studies of o.Specs: those whose spec says `reproduce:
// first` before the others, each with its report right after it (so `from:
// selected` can read its selection), then every other selected study whose
// data is present, in file name order, and finally writes the report of all
// of them into o.Run.Results. A spec whose `reproduce:` key does not decode
// stops Reproduce before anything runs; a study that fails does not stop
// the others, and the error lists every failure.
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
	for _, p := range order {
		name := specStem(p)
		if !o.selects(name, stages[p]) {
			if stages[p] == spec.ReproduceDeferred {
				fmt.Fprintf(log, "study %s: not run (cluster-sized; ask for it with --studies %s)\n", name, name)
			} else {
				fmt.Fprintf(log, "study %s: not run (not in --studies)\n", name)
			}
			continue
		}
		sp, err := spec.Load(p, spec.Options{Results: o.Run.Results, Set: o.Set, Quick: o.Quick})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if missing := o.Run.missingData(sp); missing != "" {
			fmt.Fprintf(log, "study %s: skipped: %s\n", sp.Study, missing)
			continue
		}
		jobs := sp.Expand()
		fmt.Fprintf(log, "study %s: %d runs (%s)\n", sp.Study, len(jobs), Estimate(jobs))
		if _, err := Run(ctx, jobs, o.Run); err != nil {
			errs = append(errs, fmt.Errorf("study %s: %w", sp.Study, err))
		}
		if ctx.Err() != nil {
			return errors.Join(append(errs, ctx.Err())...)
		}
		if sp.Reproduce == spec.ReproduceFirst {
			if _, err := WriteReport(o.report([]string{p})); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if _, err := WriteReport(o.report(paths)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// selects reports whether Reproduce runs the study name of the given
// `reproduce:` stage.
func (o ReproduceOptions) selects(name, stage string) bool {
	if len(o.Studies) > 0 {
		return slices.Contains(o.Studies, name)
	}
	return stage != spec.ReproduceDeferred
}

// report returns the options of the report of the specs at paths.
func (o ReproduceOptions) report(paths []string) ReportOptions {
	return ReportOptions{Specs: paths, Results: o.Run.Results, Quick: o.Quick, Set: o.Set, Run: o.Run}
}

// ReportOptions configure WriteReport.
type ReportOptions struct {
	Specs   []string   // spec files or directories, as for ReproduceOptions.Specs
	Results string     // the results directory read and written
	Quick   bool       // the specs' quick profile, and outputs labelled quick
	Set     []string   // --set overrides the runs were made with
	Run     RunOptions // how data is found (DataDir, LoadData) for skip reasons
}

// WriteReport renders the tables, figures, locked_config.json and README.md
// of every study in o.Specs from the runs in the store. Only the runs of a
// spec's current expansion count: runs of an edited spec or of an older
// numerics version stay in the store but not in the report. A study with no
// runs is listed with the reason: its data is missing, or it is deferred
// (with its work estimate and the commands that run it). It returns the
// files it wrote, relative to o.Results, in writing order.
func WriteReport(o ReportOptions) ([]string, error) {
	paths, err := SpecPaths(o.Specs)
	if err != nil {
		return nil, err
	}
	var studies []report.Study
	for _, p := range paths {
		st, err := o.study(p)
		if err != nil {
			return nil, err
		}
		studies = append(studies, st)
	}
	dataDir, err := data.Options{Dir: o.Run.DataDir}.Directory()
	if err != nil {
		dataDir = "" // no data directory: no path to rewrite
	}
	return report.Write(o.Results, studies, report.WriteOptions{Quick: o.Quick, DataDir: dataDir})
}

// study loads the spec at path and the runs of its current expansion.
func (o ReportOptions) study(path string) (report.Study, error) {
	sp, err := spec.Load(path, spec.Options{Results: o.Results, Set: o.Set, Quick: o.Quick})
	if err != nil {
		if errors.Is(err, spec.ErrNoLockedConfig) {
			return report.Study{Name: specStem(path), Skipped: err.Error()}, nil
		}
		return report.Study{}, err
	}
	jobs := sp.Expand()
	want := make(map[string]store.RunConfig, len(jobs))
	for _, j := range jobs {
		want[j.ID] = j.Config
	}
	all, err := store.LoadStudy(o.Results, sp.Study)
	if err != nil {
		return report.Study{}, err
	}
	var runs []store.Run
	for _, r := range all {
		if c, ok := want[r.ID]; ok {
			if r.Status == store.Damaged {
				r.Config = c // its own may be missing or wrong
			}
			runs = append(runs, r)
		}
	}
	st := report.Study{Name: sp.Study, Title: sp.Title, Options: sp.Report, Runs: runs}
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
		st.Note = deferredNote(path, sp, jobs)
	}
	if st.Skipped == "" && st.Note == "" {
		st.Skipped = "no runs in the store yet: run `neuroplastic run " + path + "`"
	}
	return st, nil
}

// deferredNote says what a deferred study costs and how to run it.
func deferredNote(path string, sp *spec.Spec, jobs []spec.Job) string {
	w := Estimate(jobs)
	shards := len(jobs)
	return fmt.Sprintf("Cluster-sized, so `make reproduce` leaves it out: %s. "+
		"Run it here with `neuroplastic reproduce --studies %s --workers 1`, "+
		"or as a Slurm array of %d tasks: `neuroplastic slurm %s --shards %d --cpus-per-task 2 -o %s.sbatch && sbatch %s.sbatch`, "+
		"then `neuroplastic report`.",
		w.Describe(DefaultGFLOPS), sp.Study, shards, path, shards, sp.Study, sp.Study)
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
