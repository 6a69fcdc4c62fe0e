package store

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.jsonl"
	CheckpointFile = "checkpoint.bin"
	SummaryFile    = "summary.json"
)

// RunDir returns the directory of run id of study under the results directory:
// <results>/runs/<study>/<id>.
func RunDir(results, study, id string) string {
	return filepath.Join(results, "runs", study, id)
}

// ConfigHash returns the hex SHA-256 of the canonical JSON of c with its
// Overrides cleared: every object's keys sorted, no insignificant space. The
// overrides are left out because their effect is already in the config. A
// run's ID is the first IDLen hex digits.
func ConfigHash(c RunConfig) string {
	c.Overrides = nil
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("store: marshal of a run config: %v", err))
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		panic(fmt.Sprintf("store: re-decoding a run config: %v", err))
	}
	canon, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		panic(fmt.Sprintf("store: marshal of a run config: %v", err))
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}

// IDLen is the length of a run ID, a prefix of its ConfigHash.
const IDLen = 12

// WriteJSON writes v as indented JSON to path atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("store: %s: %w", path, err)
	}
	if err := atomicfile.Write(path, append(b, '\n')); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// readJSON decodes the JSON file at path into v. A file that does not
// decode is a *CorruptError; a missing file wraps fs.ErrNotExist.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("store: reading: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &CorruptError{path, err.Error()}
	}
	return nil
}

// ReadConfig reads config.json of the run in dir.
func ReadConfig(dir string) (RunConfig, error) {
	var c RunConfig
	err := readJSON(filepath.Join(dir, ConfigFile), &c)
	return c, err
}

// ReadSummary reads summary.json of the run in dir; it returns nil and no
// error when the run has no summary yet.
func ReadSummary(dir string) (*Summary, error) {
	var s Summary
	err := readJSON(filepath.Join(dir, SummaryFile), &s)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// metricsFile is metrics.jsonl as read: the lines of epochs 1..k, whether a
// last line was cut short (a kill during an append: harmless, discarded on
// resume) and the first line that breaks the sequence, if any (damage).
type metricsFile struct {
	lines []EpochMetrics
	torn  bool
	bad   string
}

// readMetricsFile reads and checks metrics.jsonl of the run in dir. A
// missing file is no metrics.
func readMetricsFile(dir string) (metricsFile, error) {
	var mf metricsFile
	path := filepath.Join(dir, MetricsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return mf, nil
	}
	if err != nil {
		return mf, fmt.Errorf("store: reading metrics: %w", err)
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			mf.torn = true // a line without its newline was cut short
			break
		}
		var m EpochMetrics
		if err := json.Unmarshal(b[:i], &m); err != nil {
			mf.bad = fmt.Sprintf("%s: line %d does not decode: %v", path, len(mf.lines)+1, err)
			break
		}
		if m.Epoch != len(mf.lines)+1 {
			mf.bad = fmt.Sprintf("%s: line %d is epoch %d, want %d (epochs must be 1..k in order)", path, len(mf.lines)+1, m.Epoch, len(mf.lines)+1)
			break
		}
		mf.lines = append(mf.lines, m)
		b = b[i+1:]
	}
	return mf, nil
}

// ReadMetrics reads metrics.jsonl of the run in dir, one EpochMetrics per
// line, up to the first line that is incomplete or does not continue the
// epoch sequence 1, 2, ... (LoadRun reports such lines). A missing file is no
// metrics.
func ReadMetrics(dir string) ([]EpochMetrics, error) {
	mf, err := readMetricsFile(dir)
	return mf.lines, err
}

// AppendMetrics appends m as one line to metrics.jsonl of the run in dir and
// syncs the file, so the line is on disk before the checkpoint that follows.
func AppendMetrics(dir string, m EpochMetrics) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, MetricsFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, atomicfile.FileMode)
	if err != nil {
		return fmt.Errorf("store: appending metrics: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: appending to %s: %w", path, err)
	}
	return nil
}

// TruncateMetrics rewrites metrics.jsonl of the run in dir atomically so that
// it holds only the valid lines of epochs 1..epochs, and returns them. Resume
// calls it with the checkpoint's epoch: lines of later epochs are discarded
// and recomputed. With epochs 0 the file is removed.
func TruncateMetrics(dir string, epochs int) ([]EpochMetrics, error) {
	ms, err := ReadMetrics(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, MetricsFile)
	if epochs == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: %w", err)
		}
		return nil, nil
	}
	if len(ms) < epochs {
		return nil, fmt.Errorf("store: %s: %d metrics lines, checkpoint is at epoch %d", path, len(ms), epochs)
	}
	ms = ms[:epochs]
	var buf bytes.Buffer
	for _, m := range ms {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return ms, nil
}

// Status reports the status of the run in dir as LoadRun finds it.
func Status(dir string) (string, error) {
	r, err := LoadRun(dir)
	return r.Status, err
}

// ListRuns returns the IDs of the runs of study under the results directory
// (its directories, whatever they hold), sorted. A study with no runs
// directory has no runs.
func ListRuns(results, study string) ([]string, error) {
	dir := filepath.Join(results, "runs", study)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: listing runs: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// LoadStudy loads every run of study under the results directory, of any
// status, sorted by config label, then seed, then fraction (then dataset,
// model, epochs, batch size and ID, so the order is total). It returns runs of
// every numerics version found; callers that must not mix versions compare
// Config.Numerics. Directories that hold no run (Pending) are left out. A
// study with no runs gives an empty slice and no error.
func LoadStudy(resultsDir, study string) ([]Run, error) {
	ids, err := ListRuns(resultsDir, study)
	if err != nil {
		return nil, err
	}
	runs := make([]Run, 0, len(ids))
	for _, id := range ids {
		r, err := LoadRun(RunDir(resultsDir, study, id))
		if err != nil {
			return nil, err
		}
		if r.Status != Pending {
			runs = append(runs, r)
		}
	}
	slices.SortFunc(runs, func(a, b Run) int {
		x, y := a.Config, b.Config
		return cmp.Or(
			strings.Compare(x.Label, y.Label),
			cmp.Compare(x.Seed, y.Seed),
			cmp.Compare(x.Fraction, y.Fraction),
			strings.Compare(x.Dataset, y.Dataset),
			strings.Compare(x.Model, y.Model),
			cmp.Compare(x.Epochs, y.Epochs),
			cmp.Compare(x.BatchSize, y.BatchSize),
			strings.Compare(a.ID, b.ID))
	})
	return runs, nil
}
