package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// WriteFileAtomic writes data to path so that path holds either its old
// content or all of data, never a part: it writes a temporary file in the same
// directory, syncs it, renames it over path and syncs the directory.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: syncing %s: %w", dir, err)
	}
	return nil
}

// WriteJSON writes v as indented JSON to path atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("store: %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("store: %s: %w", path, err)
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

// ReadMetrics reads metrics.jsonl of the run in dir, one EpochMetrics per
// line. A missing file is no metrics. Reading stops at the first line that is
// incomplete or does not continue the epoch sequence 1, 2, ...; such a tail
// can only be left by a killed process and is discarded on resume.
func ReadMetrics(dir string) ([]EpochMetrics, error) {
	b, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var ms []EpochMetrics
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break // a line without its newline was cut short
		}
		var m EpochMetrics
		if json.Unmarshal(b[:i], &m) != nil || m.Epoch != len(ms)+1 {
			break
		}
		ms = append(ms, m)
		b = b[i+1:]
	}
	return ms, nil
}

// AppendMetrics appends m as one line to metrics.jsonl of the run in dir and
// syncs the file, so the line is on disk before the checkpoint that follows.
func AppendMetrics(dir string, m EpochMetrics) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, MetricsFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("store: %w", err)
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
	if epochs == 0 {
		if err := os.Remove(filepath.Join(dir, MetricsFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: %w", err)
		}
		return nil, nil
	}
	if len(ms) < epochs {
		return nil, fmt.Errorf("store: %s: %d metrics lines, checkpoint is at epoch %d", dir, len(ms), epochs)
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
	return ms, WriteFileAtomic(filepath.Join(dir, MetricsFile), buf.Bytes())
}

// Status reports the status of the run in dir: the summary's status if
// summary.json exists; Partial if metrics or a checkpoint exist; otherwise
// Pending (also when dir does not exist).
func Status(dir string) (string, error) {
	s, err := ReadSummary(dir)
	if err != nil {
		return "", err
	}
	if s != nil {
		return s.Status, nil
	}
	for _, name := range []string{CheckpointFile, MetricsFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return Partial, nil
		}
	}
	return Pending, nil
}

// ListRuns returns the IDs of the runs of study under the results directory
// (the directories holding a config.json), sorted. A study with no runs
// directory has no runs.
func ListRuns(results, study string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(results, "runs", study))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(results, "runs", study, e.Name(), ConfigFile)); err == nil {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// LoadRun loads everything the store holds about the run in dir.
func LoadRun(dir string) (Run, error) {
	r := Run{ID: filepath.Base(dir)}
	var err error
	if r.Config, err = ReadConfig(dir); err != nil {
		return r, err
	}
	if r.Metrics, err = ReadMetrics(dir); err != nil {
		return r, err
	}
	if r.Summary, err = ReadSummary(dir); err != nil {
		return r, err
	}
	r.Status, err = Status(dir)
	return r, err
}

// LoadStudy loads every run of study under the results directory, of any
// status, sorted by config label, then seed, then fraction (then dataset,
// model, epochs, batch size and ID, so the order is total). It returns runs of
// every numerics version found; callers that must not mix versions compare
// Config.Numerics. A study with no runs gives an empty slice and no error.
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
		runs = append(runs, r)
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
