package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// LoadRun loads everything the store holds about the run in dir and checks
// it (see the package documentation). A run that fails a check has status
// Damaged and a Damage; the error is only for files that cannot be read at
// all (permission denied, I/O errors). A directory that does not exist, or
// holds no metrics, checkpoint or summary yet, is Pending.
func LoadRun(dir string) (Run, error) {
	r := Run{ID: filepath.Base(dir), Status: Pending}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("store: reading run: %w", err)
	}
	present := map[string]bool{}
	for _, e := range entries {
		present[e.Name()] = true
		if atomicfile.IsTemp(e.Name()) {
			r.Leftovers = append(r.Leftovers, filepath.Join(dir, e.Name()))
		}
	}
	if !present[MetricsFile] && !present[CheckpointFile] && !present[SummaryFile] {
		return r, nil // nothing trained yet (at most a config and a lock)
	}
	mf, err := readMetricsFile(dir)
	if err != nil {
		return r, err
	}
	r.Metrics = mf.lines
	var reason, summaryBad string
	if r.Summary, err = ReadSummary(dir); err != nil {
		if !isCorrupt(err) {
			return r, err
		}
		summaryBad = err.Error()
	}
	ck, hasCk, ckErr := ReadCheckpoint(dir)
	if ckErr != nil && !isCorrupt(ckErr) {
		return r, ckErr
	}
	r.Config, err = ReadConfig(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = fmt.Sprintf("%s is missing", filepath.Join(dir, ConfigFile))
	case err != nil && !isCorrupt(err):
		return r, err
	case err != nil:
		reason = err.Error()
	case ConfigHash(r.Config)[:IDLen] != r.ID:
		reason = fmt.Sprintf("%s hashes to %s, not to the run ID %s", filepath.Join(dir, ConfigFile), ConfigHash(r.Config)[:IDLen], r.ID)
	}
	configOK := reason == ""
	switch {
	case !configOK:
	case summaryBad != "":
		reason = summaryBad
	default:
		reason = consistency(dir, r, mf, ck, hasCk, ckErr)
	}
	switch {
	case reason != "":
		r.Status = Damaged
		r.Damage = &Damage{Reason: reason}
		// The checkpoint is a sound base to resume from when it is intact
		// and the config, the summary and the metrics up to its epoch are.
		if configOK && hasCk && ck.Epoch <= len(mf.lines) && ck.Epoch <= r.Config.Epochs {
			r.Damage.Resume = ck.Epoch
			r.Damage.Fix = fmt.Sprintf("`run` resumes it from its checkpoint at epoch %d, dropping later metrics and the summary", ck.Epoch)
		} else {
			r.Damage.Fix = "`run` (or `check --repair`) moves it to " + quarantineRoot(dir) + " and trains it again"
		}
	case r.Summary != nil:
		r.Status = r.Summary.Status
		if hasCk && (r.Status == Completed || r.Status == Diverged) {
			r.Leftovers = append(r.Leftovers, filepath.Join(dir, CheckpointFile))
		}
	default:
		r.Status = Partial
	}
	return r, nil
}

// consistency checks the metrics, summary and checkpoint of a run whose
// config is sound against each other and returns what is wrong, or "".
func consistency(dir string, r Run, mf metricsFile, ck Checkpoint, hasCk bool, ckErr error) string {
	metrics := filepath.Join(dir, MetricsFile)
	summary := filepath.Join(dir, SummaryFile)
	n := len(mf.lines)
	switch s := r.Summary; {
	case ckErr != nil:
		return ckErr.Error()
	case mf.bad != "":
		return mf.bad
	case n > r.Config.Epochs:
		return fmt.Sprintf("%s has %d epochs, the config asks for %d", metrics, n, r.Config.Epochs)
	case hasCk && ck.Epoch > n:
		return fmt.Sprintf("%s is at epoch %d but %s has only %d epochs", filepath.Join(dir, CheckpointFile), ck.Epoch, metrics, n)
	case s == nil:
		return ""
	case s.ID != r.ID:
		return fmt.Sprintf("%s is the summary of run %q", summary, s.ID)
	case s.Status != Completed && s.Status != Diverged && s.Status != Failed:
		return fmt.Sprintf("%s has unknown status %q", summary, s.Status)
	case s.Status == Failed:
		return "" // rerun anyway; its metrics were checked above
	case mf.torn:
		return fmt.Sprintf("%s ends in a cut-short line after the run ended", metrics)
	case s.EpochsDone != n:
		return fmt.Sprintf("%s says %d epochs were done, %s has %d", summary, s.EpochsDone, metrics, n)
	case s.Status == Completed && n != r.Config.Epochs:
		return fmt.Sprintf("%s says completed after %d of %d epochs", summary, n, r.Config.Epochs)
	case n > 0 && (s.Final == nil || !reflect.DeepEqual(*s.Final, mf.lines[n-1])):
		return fmt.Sprintf("the final metrics in %s differ from the last line of %s", summary, metrics)
	}
	return ""
}

// isCorrupt reports whether err is a *CorruptError.
func isCorrupt(err error) bool {
	var ce *CorruptError
	return errors.As(err, &ce)
}

// quarantineRoot returns <results>/quarantine/<study> for the run in dir
// (<results>/runs/<study>/<id>).
func quarantineRoot(dir string) string {
	study := filepath.Dir(dir)
	return filepath.Join(filepath.Dir(filepath.Dir(study)), "quarantine", filepath.Base(study))
}

// Quarantine moves the run in dir aside, to
// <results>/quarantine/<study>/<id>-<UTC time>, and returns where. Nothing is
// deleted: the files stay there for inspection.
func Quarantine(dir string) (string, error) {
	root := quarantineRoot(dir)
	if err := atomicfile.MkdirAll(root); err != nil {
		return "", fmt.Errorf("store: quarantining %s: %w", dir, err)
	}
	dst := filepath.Join(root, filepath.Base(dir)+"-"+time.Now().UTC().Format("20060102T150405.000000000Z"))
	if err := os.Rename(dir, dst); err != nil {
		return "", fmt.Errorf("store: quarantining: %w", err)
	}
	for _, d := range []string{filepath.Dir(dir), root} {
		if err := atomicfile.SyncDir(d); err != nil {
			return "", fmt.Errorf("store: %w", err)
		}
	}
	return dst, nil
}

// Repair repairs the damaged run r in dir as r.Damage.Fix says: it drops the
// metrics beyond the checkpoint and the summary when the run can resume
// from its checkpoint, and otherwise moves the run aside (Quarantine).
// moved is where the run went, or "". The caller holds the run's lock.
func Repair(dir string, r Run) (moved string, err error) {
	if r.Damage == nil {
		return "", nil
	}
	if r.Damage.Resume == 0 {
		return Quarantine(dir)
	}
	if _, err := TruncateMetrics(dir, r.Damage.Resume); err != nil {
		return "", err
	}
	if err := os.Remove(filepath.Join(dir, SummaryFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("store: repairing: %w", err)
	}
	return "", nil
}

// Tidy removes r's leftovers (see Run.Leftovers). The caller holds the
// run's lock.
func Tidy(r Run) error {
	for _, p := range r.Leftovers {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: removing a leftover: %w", err)
		}
	}
	return nil
}
