package harness

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// loadRuns returns the runs of jobs (all of one study) in the jobs' order,
// each from the local store where it has the run final (completed or
// diverged), else from the published record under results/records, else
// the store's run of any other status (failed, partial). Jobs found in
// neither are left out. So a fresh clone renders the committed runs, and a
// local store adds to them and takes precedence.
func loadRuns(results, study string, jobs []spec.Job) ([]store.Run, error) {
	published, err := records.Read(records.Path(results, study))
	if err != nil {
		return nil, err
	}
	var runs []store.Run
	for _, j := range jobs {
		r, ok, err := storeRun(results, j)
		if err != nil {
			return nil, err
		}
		rec, has := published[j.ID]
		switch {
		case ok && final(r.Status):
			runs = append(runs, r)
		case has:
			runs = append(runs, rec.Run())
		case ok:
			runs = append(runs, r)
		}
	}
	return runs, nil
}

// storeRun loads job's run from the store; ok is false when the store has
// nothing of it (Pending). A damaged run keeps job's configuration, as its
// own may be missing or wrong.
func storeRun(results string, j spec.Job) (r store.Run, ok bool, err error) {
	r, err = store.LoadRun(store.RunDir(results, j.Config.Study, j.ID))
	if err != nil || r.Status == store.Pending {
		return r, false, err
	}
	if r.Status == store.Damaged {
		r.Config = j.Config
	}
	return r, true, nil
}

// final reports whether a status is final (completed or diverged).
func final(status string) bool { return status == store.Completed || status == store.Diverged }

// publish writes the records of the finished runs of runs, a study's runs
// as loadRuns returns them, to results/records/<study>.jsonl and returns the
// file's path relative to results; with none it writes nothing and returns
// "". Runs of other statuses (failed, partial, damaged) are local states of
// a store, not results, and are left out. It is the one writer of record
// files; WriteReport calls it only once checkDrops has passed for every
// study of the report.
func publish(results, study string, runs []store.Run) (string, error) {
	var recs []records.Record
	for _, r := range runs {
		if final(r.Status) {
			recs = append(recs, records.FromRun(r))
		}
	}
	if len(recs) == 0 {
		return "", nil
	}
	path := records.Path(results, study)
	rel, err := filepath.Rel(results, path)
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	return rel, records.Write(path, recs)
}

// importRuns copies into the store under results every run of jobs that is
// final in the store under from and has nothing under results yet, by ID
// (the same ID is the same configuration, so the same numbers). It holds
// the destination run's lock while copying, never moves or changes the
// source, and returns how many runs it copied.
func importRuns(from, results string, jobs []spec.Job) (int, error) {
	if from == "" || filepath.Clean(from) == filepath.Clean(results) {
		return 0, nil
	}
	n := 0
	for _, j := range jobs {
		src := store.RunDir(from, j.Config.Study, j.ID)
		dst := store.RunDir(results, j.Config.Study, j.ID)
		if st, err := store.Status(src); err != nil || !final(st) {
			continue // an unreadable source run is trained, not imported
		}
		copied, err := importRun(src, dst)
		if err != nil {
			return n, err
		}
		if copied {
			n++
		}
	}
	return n, nil
}

// importRun copies the run in src to dst under dst's lock if dst holds
// nothing yet, and reports whether it did. A run another process holds is
// left to it.
func importRun(src, dst string) (bool, error) {
	if st, err := store.Status(dst); err != nil || st != store.Pending {
		return false, err
	}
	lock, err := store.TryLock(dst)
	var held *store.HeldError
	if errors.As(err, &held) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer lock.Unlock()
	if st, err := store.Status(dst); err != nil || st != store.Pending {
		return false, err
	}
	return true, copyRun(src, dst)
}

// copyRun copies the files of the final run in src into dst, but its lock,
// its checkpoint (a final run needs none) and hidden files (temporary files
// of atomic writes), writing summary.json last so that dst never looks
// final before it is whole.
func copyRun(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("harness: importing %s: %w", src, err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		skip := name == store.SummaryFile || name == store.LockFile || name == store.CheckpointFile || strings.HasPrefix(name, ".")
		if e.Type().IsRegular() && !skip {
			names = append(names, name)
		}
	}
	for _, name := range append(names, store.SummaryFile) {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return fmt.Errorf("harness: importing %s: %w", src, err)
		}
		if err := atomicfile.Write(filepath.Join(dst, name), b); err != nil {
			return fmt.Errorf("harness: importing %s: %w", src, err)
		}
	}
	return nil
}

// checkResult counts the runs compared with their committed records.
type checkResult struct {
	identical, different int
}

// check compares every run of jobs that is final in the store with its
// record in published, printing one line per difference to log, and
// returns how many of the runs are not final (unfinished).
func (c *checkResult) check(log io.Writer, results string, jobs []spec.Job, published map[string]records.Record) (unfinished int, err error) {
	for _, j := range jobs {
		r, ok, err := storeRun(results, j)
		if err != nil {
			return unfinished, err
		}
		if !ok || !final(r.Status) {
			unfinished++
			continue
		}
		rec, ok := published[j.ID]
		if !ok {
			continue
		}
		if d := compareRun(rec, r); d != "" {
			c.different++
			fmt.Fprintf(log, "differs from its committed record: %s: %s\n", rec.Describe(), d)
			continue
		}
		c.identical++
	}
	return unfinished, nil
}

// compareRun returns "" when run r has the status and the per-epoch metrics
// (wall time excepted) of its record, else the first difference.
func compareRun(rec records.Record, r store.Run) string {
	if d := records.Diff(rec.Metrics, r.Metrics); d != "" {
		return d
	}
	if rec.Status != r.Status {
		return fmt.Sprintf("status: committed %s, got %s", rec.Status, r.Status)
	}
	return ""
}
