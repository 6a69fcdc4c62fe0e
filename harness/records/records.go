// Package records is the published, committed form of the run store: one
// JSON-lines file per study, <results>/records/<study>.jsonl, one Record per
// finished (completed or diverged) run, sorted by run ID. A record is a
// run's resolved configuration, its
// status and the summary's facts, and its per-epoch metrics without wall
// time (so the same run gives the same bytes on every machine); checkpoints
// and manifests stay in the store. A fresh clone re-renders the report and
// re-trains runs to compare from these files alone.
package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// Dir is the folder of the record files under a results directory.
const Dir = "records"

// Path returns the record file of study under the results directory:
// <results>/records/<study>.jsonl.
func Path(results, study string) string {
	return filepath.Join(results, Dir, study+".jsonl")
}

// Record is one run as published: one line of a record file.
type Record struct {
	ID        string               `json:"id"`
	Status    string               `json:"status"`
	Error     string               `json:"error,omitempty"`
	BestAcc   float64              `json:"best_test_acc"`
	BestEpoch int                  `json:"best_epoch"`
	Config    store.RunConfig      `json:"config"`
	Metrics   []store.EpochMetrics `json:"metrics"` // wall time cleared
}

// FromRun returns the record of a finished (completed or diverged) run
// loaded from the store: its summary's status, error and best epoch are
// kept, wall times cleared.
func FromRun(r store.Run) Record {
	rec := Record{ID: r.ID, Status: r.Status, Config: r.Config, Metrics: make([]store.EpochMetrics, len(r.Metrics))}
	for i, m := range r.Metrics {
		m.WallSeconds = 0
		rec.Metrics[i] = m
	}
	if s := r.Summary; s != nil {
		rec.Error, rec.BestAcc, rec.BestEpoch = s.Error, s.BestAcc, s.BestEpoch
	}
	return rec
}

// Run returns the record as the store would load it, its summary rebuilt
// from the record's facts (no manifest).
func (r Record) Run() store.Run {
	run := store.Run{ID: r.ID, Config: r.Config, Status: r.Status, Metrics: slices.Clone(r.Metrics)}
	s := &store.Summary{ID: r.ID, Status: r.Status, Error: r.Error, EpochsDone: len(r.Metrics),
		BestAcc: r.BestAcc, BestEpoch: r.BestEpoch}
	if n := len(run.Metrics); n > 0 {
		last := run.Metrics[n-1]
		s.Final = &last
	}
	run.Summary = s
	return run
}

// Encode returns the record file holding recs: one JSON object per line,
// sorted by ID. It fails on two records with one ID.
func Encode(recs []Record) ([]byte, error) {
	recs = slices.Clone(recs)
	slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
	var buf bytes.Buffer
	for i, r := range recs {
		if i > 0 && recs[i-1].ID == r.ID {
			return nil, fmt.Errorf("records: run %s listed twice", r.ID)
		}
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("records: run %s: %w", r.ID, err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// Write writes recs to path atomically (see Encode), creating its folder.
func Write(path string, recs []Record) error {
	b, err := Encode(recs)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := atomicfile.Write(path, b); err != nil {
		return fmt.Errorf("records: %w", err)
	}
	return nil
}

// Read reads the record file at path, keyed by run ID. A missing file is no
// records; a malformed line, a record whose config does not hash to its ID,
// one of a run not finished and one whose metrics do not make a finished
// run (see inconsistency) are errors naming the file and line.
func Read(path string) (map[string]Record, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Record{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	recs := map[string]Record{}
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r Record
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("records: %s:%d: %w", path, i+1, err)
		}
		if r.ID == "" {
			return nil, fmt.Errorf("records: %s:%d: no run id", path, i+1)
		}
		if id := store.ConfigHash(r.Config)[:store.IDLen]; id != r.ID {
			return nil, fmt.Errorf("records: %s:%d: run %s: its config hashes to %s (the record was edited or mislabelled)", path, i+1, r.ID, id)
		}
		if r.Status != store.Completed && r.Status != store.Diverged {
			return nil, fmt.Errorf("records: %s:%d: run %s has status %q; records hold finished runs only (completed or diverged)", path, i+1, r.ID, r.Status)
		}
		if why := r.inconsistency(); why != "" {
			return nil, fmt.Errorf("records: %s:%d: run %s: %s (the record was edited or cut short)", path, i+1, r.ID, why)
		}
		if _, dup := recs[r.ID]; dup {
			return nil, fmt.Errorf("records: %s:%d: run %s listed twice", path, i+1, r.ID)
		}
		recs[r.ID] = r
	}
	return recs, nil
}

// inconsistency returns why r's metrics cannot be those of the finished run
// it says it is, or "": epochs must run 1..k in order, a completed run has
// all of its config's epochs (a diverged one at most that many), and the
// best epoch is the one its metrics give (store.Best).
func (r Record) inconsistency() string {
	n := len(r.Metrics)
	for i, m := range r.Metrics {
		if m.Epoch != i+1 {
			return fmt.Sprintf("metrics line %d is epoch %d, want %d (epochs must be 1..k in order)", i+1, m.Epoch, i+1)
		}
	}
	switch {
	case r.Status == store.Completed && n != r.Config.Epochs:
		return fmt.Sprintf("completed after %d of %d epochs", n, r.Config.Epochs)
	case n > r.Config.Epochs:
		return fmt.Sprintf("%d epochs, the config asks for %d", n, r.Config.Epochs)
	}
	if acc, epoch := store.Best(r.Metrics); acc != r.BestAcc || epoch != r.BestEpoch {
		return fmt.Sprintf("best test accuracy %v at epoch %d, but its metrics give %v at epoch %d", r.BestAcc, r.BestEpoch, acc, epoch)
	}
	return ""
}

// ReadAll reads every record file under results/records, keyed by study
// (the file name without .jsonl). No folder is no records.
func ReadAll(results string) (map[string]map[string]Record, error) {
	files, err := filepath.Glob(filepath.Join(results, Dir, "*.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	out := map[string]map[string]Record{}
	for _, f := range files {
		recs, err := Read(f)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(filepath.Base(f), ".jsonl")] = recs
	}
	return out, nil
}

// Diff compares the per-epoch metrics of a re-run (got) with a record's
// (want), wall time excepted, byte for byte as JSON. It returns "" when they
// are identical, else the first difference: the epoch and the field with
// both values, or the epoch counts.
func Diff(want, got []store.EpochMetrics) string {
	for i := range min(len(want), len(got)) {
		w, g := want[i], got[i]
		w.WallSeconds, g.WallSeconds = 0, 0
		wb, err1 := json.Marshal(w)
		gb, err2 := json.Marshal(g)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Sprintf("epoch %d: %v", i+1, err)
		}
		if d := diffJSON("", wb, gb); d != "" {
			return fmt.Sprintf("epoch %d: %s", i+1, d)
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d epochs recorded, %d re-run", len(want), len(got))
	}
	return ""
}

// diffJSON returns the first difference of two JSON values as "field:
// committed A, got B", descending into objects in key order; "" when the
// bytes are equal.
func diffJSON(field string, a, b json.RawMessage) string {
	if bytes.Equal(a, b) {
		return ""
	}
	var ao, bo map[string]json.RawMessage
	if json.Unmarshal(a, &ao) != nil || json.Unmarshal(b, &bo) != nil {
		return fmt.Sprintf("%s: committed %s, got %s", field, a, b)
	}
	keys := make([]string, 0, len(ao)+len(bo))
	for k := range ao {
		keys = append(keys, k)
	}
	for k := range bo {
		if _, ok := ao[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		sub := k
		if field != "" {
			sub = field + "." + k
		}
		av, aok := ao[k]
		bv, bok := bo[k]
		switch {
		case !aok:
			return fmt.Sprintf("%s: not committed, got %s", sub, bv)
		case !bok:
			return fmt.Sprintf("%s: committed %s, not in the re-run", sub, av)
		}
		if d := diffJSON(sub, av, bv); d != "" {
			return d
		}
	}
	return fmt.Sprintf("%s: committed %s, got %s", field, a, b)
}

// Describe names a record's run in one line: study, ID, label, model,
// dataset and fraction.
func (r Record) Describe() string {
	c := r.Config
	return fmt.Sprintf("%s %s (%s; %s on %s, fraction %s, seed %d)", c.Study, r.ID, c.Label, c.Model, c.Dataset,
		strconv.FormatFloat(c.Fraction, 'g', -1, 64), c.Seed)
}
