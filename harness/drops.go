package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/models"
)

// checkDrops returns an error, and lets nothing be written, when the
// report of the specs at paths with o's options would drop from
// o.Results/records/<study>.jsonl a finished run it holds, unless o.Prune.
// A report rewrites each study's records with the runs of its spec's
// current expansion (see loadRuns and publish), so a record falls out
// exactly when its run is not one of them. WriteReport checks every study
// of the call before it writes any file, so a refusal leaves every file as
// it was; Reproduce checks before it trains anything.
//
// In ordinary use records only grow: a record's run stays in its spec's
// expansion, and a report takes it from the record whenever the store has
// no finished copy (a run deleted, partial, damaged or moved to quarantine
// by `check --repair`), so re-rendering and adding runs never drops one. A
// store run with a record's ID replaces it, which is no drop (reproduce
// compares the two). A record falls outside the expansion in three ways:
//
//   - The options do not match the folder: --seeds N into the paper
//     protocol's folder, fewer seeds than the powered folder holds, --quick or
//     --set. That is the mistake this check exists for: refused.
//   - A spec was edited (an arm, seed or grid value removed, a
//     hyperparameter changed). Dropping its old runs is then meant, but it
//     throws committed results away, so it takes o.Prune (--prune); git
//     keeps the old file.
//   - The numerics version was bumped. Records of an older version are
//     superseded: this build can neither render, compare nor verify them
//     (verify refuses them), and re-running a study is how its records are
//     renewed, so they are dropped without o.Prune. Records of a newer
//     version mean a build older than the results, and are kept: refused.
func (o ReportOptions) checkDrops(paths []string) error {
	if o.Prune {
		return nil
	}
	var files []string
	for _, p := range paths {
		sp, jobs, err := o.expansion(p)
		if errors.Is(err, spec.ErrNoLockedConfig) {
			continue // no expansion: the report writes no records for it
		}
		if err != nil {
			return err
		}
		path := records.Path(o.Results, sp.Study)
		published, err := records.Read(path)
		if err != nil {
			return err
		}
		counted := make(map[string]bool, len(jobs))
		for _, j := range jobs {
			counted[j.ID] = true
		}
		var dropped []records.Record
		for id, r := range published {
			if !counted[id] && r.Config.Numerics >= models.Numerics(r.Config.Model) {
				dropped = append(dropped, r)
			}
		}
		if len(dropped) > 0 {
			first := slices.MinFunc(dropped, func(a, b records.Record) int { return strings.Compare(a.ID, b.ID) })
			files = append(files, fmt.Sprintf("  %s: %d finished runs, e.g. %s", path, len(dropped), first.Describe()))
		}
	}
	if len(files) == 0 {
		return nil
	}
	return fmt.Errorf("harness: nothing written: the records would lose finished runs that this report does not count:\n%s\n"+
		"A report counts the runs of each spec's current expansion, here with %s, and rewrites each study's records with them. "+
		"Give --results the folder of this protocol (left out, it follows --quick and --seeds: results, results/quick, results/powered) "+
		"and the options its records were written with, or, to drop the runs listed on purpose (after a spec edit), rerun with --prune",
		strings.Join(files, "\n"), o.options())
}

// options describes the options that choose a report's runs, for a message.
func (o ReportOptions) options() string {
	var opts []string
	if o.Seeds > 0 {
		opts = append(opts, fmt.Sprintf("--seeds %d (seeds 41..%d)", o.Seeds, 40+o.Seeds))
	}
	if o.Quick {
		opts = append(opts, "--quick")
	}
	for _, s := range o.Set {
		opts = append(opts, "--set "+s)
	}
	if len(opts) == 0 {
		return "no --seeds, --quick or --set"
	}
	return strings.Join(opts, " ")
}
