package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// Kinds of Finding.
const (
	FindDamaged  = "damaged"  // a run that failed a check (Run.Damage)
	FindPartial  = "partial"  // a run with epochs but no summary, or a failed one
	FindHeld     = "held"     // a run a process is training now
	FindOrphaned = "orphaned" // a run directory with nothing trained in it
	FindLeftover = "leftover" // a temporary file, or the checkpoint of a finished run
)

// Finding is one thing Check reports about a results directory.
type Finding struct {
	Kind   string // one of the Find* constants
	Path   string // the run directory or the file
	Detail string // the reason, the holder, or what repair did
}

// Check walks the run store under the results directory and reports its
// damaged, partial, held and orphaned runs and its leftover files (also
// those outside runs/, e.g. of tables). With repair it removes leftovers
// (outside run directories only those older than staleTemp) and repairs
// the damaged runs that no process holds as `run` does (Repair: back to
// their checkpoint, or into quarantine), deciding under each run's lock.
// Findings are in path order.
func Check(results string, repair bool) ([]Finding, error) {
	var out []Finding
	runs := filepath.Join(results, "runs")
	err := filepath.WalkDir(results, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("store: checking: %w", err)
		}
		switch {
		case d.IsDir() && path == filepath.Join(results, "quarantine"):
			return filepath.SkipDir
		case d.IsDir() && filepath.Dir(filepath.Dir(path)) == runs:
			f, err := checkRun(path, repair)
			out = append(out, f...)
			if err != nil {
				return err
			}
			return filepath.SkipDir
		case !d.IsDir() && atomicfile.IsTemp(d.Name()):
			// Outside run directories no lock guards a file being
			// written (a report's tables, figures and records): only
			// temporary files older than staleTemp are a killed
			// process's.
			info, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil // renamed into place meanwhile
				}
				return fmt.Errorf("store: checking: %w", err)
			}
			if age := time.Since(info.ModTime()); age < staleTemp {
				out = append(out, Finding{FindLeftover, path, fmt.Sprintf("a temporary file %s old: being written, or left by a killed process; kept until it is %s old", age.Round(time.Second), staleTemp)})
			} else {
				out = append(out, leftover(path, repair))
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// staleTemp is the age from which Check takes a temporary file outside run
// directories for a killed process's: a report writes and renames its
// files within seconds.
const staleTemp = 10 * time.Minute

// checkRun reports on the run in dir, repairing it when asked and nobody
// holds it.
func checkRun(dir string, repair bool) ([]Finding, error) {
	holder, err := Holder(dir)
	if err != nil {
		return nil, err
	}
	r, err := LoadRun(dir)
	if err != nil {
		return nil, err
	}
	var out []Finding
	if holder != "" {
		// Whatever else is there is the holder's work in progress.
		return []Finding{{FindHeld, dir, holder}}, nil
	}
	if repair && (r.Damage != nil || len(r.Leftovers) > 0) {
		lock, err := TryLock(dir)
		if err != nil {
			return []Finding{{FindHeld, dir, err.Error()}}, nil
		}
		defer lock.Unlock()
		// Decide from what is there now that the run is ours: a process
		// may have repaired or finished it since it was read.
		if r, err = LoadRun(dir); err != nil {
			return nil, err
		}
	}
	for _, p := range r.Leftovers {
		out = append(out, leftover(p, repair))
	}
	switch r.Status {
	case Damaged:
		f := Finding{FindDamaged, dir, r.Damage.Reason + "; fix: " + r.Damage.Fix}
		if repair {
			// As `run` repairs it: back to its checkpoint, or aside.
			switch moved, err := Repair(dir, r); {
			case err != nil:
				f.Detail += "; repair failed: " + err.Error()
			case moved != "":
				f.Detail = r.Damage.Reason + "; moved to " + moved
			default:
				f.Detail = fmt.Sprintf("%s; cut back to its checkpoint at epoch %d: `run` resumes it", r.Damage.Reason, r.Damage.Resume)
			}
		}
		out = append(out, f)
	case Partial:
		out = append(out, Finding{FindPartial, dir, fmt.Sprintf("%d epochs done; `run` resumes it", len(r.Metrics))})
	case Failed:
		out = append(out, Finding{FindPartial, dir, "failed: " + r.Summary.Error + "; `run` retries it"})
	case Pending:
		out = append(out, Finding{FindOrphaned, dir, "nothing trained yet (a process stopped before its first epoch)"})
	}
	return out, nil
}

// leftover reports the leftover file at path, removing it when asked.
func leftover(path string, repair bool) Finding {
	f := Finding{FindLeftover, path, "left by a killed process"}
	if repair {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			f.Detail += "; removing failed: " + err.Error()
		} else {
			f.Detail += "; removed"
		}
	}
	return f
}
