package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/neuroplastic/neuroplastic/harness"
	"github.com/neuroplastic/neuroplastic/harness/spec"
)

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

// addSpecFlags registers the spec flags on fs; powered says whether the
// command also has --seeds, which its --results help then mentions.
func addSpecFlags(fs *flag.FlagSet, powered bool) *specFlags {
	f := &specFlags{}
	usage := "results `DIR` (default results, or results/quick with --quick)"
	if powered {
		usage = "results `DIR` (default results, or results/quick with --quick; with --seeds, the powered/ folder of that default; a DIR given is used as it is, so with --seeds give the powered folder itself: a report that would drop finished runs from DIR/records refuses, see --prune)"
	}
	// The default is resolved by resultsDir, not given here.
	fs.StringVar(&f.results, "results", "", usage)
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

// studyFlags are the flags of the commands that work on a set of specs.
type studyFlags struct {
	*specFlags
	specs, dataDir string
	seeds          *int
	prune          *bool
}

func addStudyFlags(fs *flag.FlagSet) *studyFlags {
	f := &studyFlags{specFlags: addSpecFlags(fs, true)}
	fs.StringVar(&f.specs, "specs", "experiments", "spec files or directories, comma-separated")
	fs.StringVar(&f.dataDir, "data-dir", "", "data `DIR` (default $NEUROPLASTIC_DATA or the user cache directory)")
	f.seeds = fs.Int("seeds", 0, "the powered protocol: replace every spec's seeds by 41..40+`N` (recorded in each run's config) and default --results to results/powered")
	f.prune = fs.Bool("prune", false, "let the report drop from DIR/records the finished runs that are no longer in their spec's expansion (after a spec edit); without it, a report that would drop any refuses and writes nothing")
	return f
}

// addWorkers registers --workers on fs: runs trained at once, 0 (the
// default) for one per CPU (harness.RunOptions.Workers).
func addWorkers(fs *flag.FlagSet) *int {
	return fs.Int("workers", 0, "runs trained at once (default: one per CPU); each gets max(1, cores/workers) threads")
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
