package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testConfig returns a run config of epochs epochs and seed seed.
func testConfig(seed int64, epochs int) RunConfig {
	return RunConfig{Study: "st", Arm: "sgd", Label: "sgd", Dataset: "synthetic", Model: "mlp",
		Epochs: epochs, BatchSize: 8, Seed: seed, Fraction: 1, Optimizer: []byte(`{"name":"sgd"}`), Numerics: 1}
}

// writeRun writes a run of c to results with done epochs of metrics, a
// checkpoint at ckEpoch (0: none) and, when status is not "", a summary.
func writeRun(t *testing.T, results string, c RunConfig, done, ckEpoch int, status string) string {
	t.Helper()
	id := ConfigHash(c)[:IDLen]
	dir := RunDir(results, c.Study, id)
	if err := WriteJSON(filepath.Join(dir, ConfigFile), c); err != nil {
		t.Fatal(err)
	}
	var ms []EpochMetrics
	for e := 1; e <= done; e++ {
		m := EpochMetrics{Epoch: e, TestAcc: float64(e) / 10, Diagnostics: map[string]float64{"alpha": 1}}
		ms = append(ms, m)
		if err := AppendMetrics(dir, m); err != nil {
			t.Fatal(err)
		}
	}
	if ckEpoch > 0 {
		if err := WriteCheckpoint(dir, Checkpoint{ID: id, Epoch: ckEpoch, Model: []byte("m"), Optimizer: []byte("o")}); err != nil {
			t.Fatal(err)
		}
	}
	if status != "" {
		s := Summary{ID: id, Status: status, EpochsDone: done}
		if done > 0 {
			s.Final = &ms[done-1]
		}
		if err := WriteJSON(filepath.Join(dir, SummaryFile), s); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMetricsTruncateAndTornLines(t *testing.T) {
	dir := t.TempDir()
	for e := 1; e <= 3; e++ {
		if err := AppendMetrics(dir, EpochMetrics{Epoch: e, TestAcc: float64(e) / 10}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"epoch":4,"test_a`) // a line cut short by a kill
	f.Close()
	ms, err := ReadMetrics(dir)
	if err != nil || len(ms) != 3 || ms[2].TestAcc != 0.3 {
		t.Fatalf("read %+v, %v", ms, err)
	}
	if ms, err = TruncateMetrics(dir, 2); err != nil || len(ms) != 2 {
		t.Fatalf("truncate: %+v, %v", ms, err)
	}
	if again, _ := ReadMetrics(dir); !reflect.DeepEqual(again, ms) {
		t.Errorf("after truncation read %+v", again)
	}
	if _, err := TruncateMetrics(dir, 5); err == nil {
		t.Error("truncating to more lines than there are did not fail")
	}
	if _, err := TruncateMetrics(dir, 0); err != nil {
		t.Fatal(err)
	}
	if ms, _ := ReadMetrics(dir); len(ms) != 0 {
		t.Errorf("%d lines after truncation to 0", len(ms))
	}
}

func TestCheckpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "abc")
	if _, ok, err := ReadCheckpoint(dir); ok || err != nil {
		t.Fatalf("missing checkpoint: ok %v, err %v", ok, err)
	}
	want := Checkpoint{ID: "abc", Epoch: 7, Model: []byte("model bytes"), Optimizer: []byte("opt")}
	if err := WriteCheckpoint(dir, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ReadCheckpoint(dir)
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read %+v, %v, %v", got, ok, err)
	}
	path := filepath.Join(dir, CheckpointFile)
	good, _ := os.ReadFile(path)
	// The file is its parts, and the CRC covers all before it.
	parts := checkpointParts(want)
	if !bytes.Equal(good, bytes.Join(parts[:], nil)) {
		t.Error("file differs from its parts")
	}
	if body := good[:len(good)-4]; binary.LittleEndian.Uint32(good[len(body):]) != crc32.ChecksumIEEE(body) {
		t.Error("CRC does not cover the bytes before it")
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-6] ^= 1 // a bit of the optimizer bytes
	other := filepath.Join(t.TempDir(), "xyz")
	os.MkdirAll(other, 0o777)
	for _, tc := range []struct {
		name, dir string
		b         []byte
		why       string
	}{
		{"flipped bit", dir, flipped, "checksum"},
		{"short", dir, good[:10], "header"},
		{"another run's", other, good, `belongs to run "abc"`}, // issue 10, failure 5
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(filepath.Join(tc.dir, CheckpointFile), tc.b, 0o644)
			_, ok, err := ReadCheckpoint(tc.dir)
			var ce *CorruptError
			if ok || !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("ok %v, err %v; want a corrupt error saying %q", ok, err, tc.why)
			}
		})
	}
}

// FuzzDecodeCheckpoint feeds arbitrary bytes to the checkpoint decoder: it
// must not panic, and what it accepts must encode back to the same bytes.
func FuzzDecodeCheckpoint(f *testing.F) {
	encodeCheckpoint := func(c Checkpoint) []byte {
		parts := checkpointParts(c)
		return bytes.Join(parts[:], nil)
	}
	f.Add(encodeCheckpoint(Checkpoint{ID: "abc", Epoch: 3, Model: []byte("model"), Optimizer: []byte("opt")}))
	f.Add(encodeCheckpoint(Checkpoint{}))
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		if again := encodeCheckpoint(c); !bytes.Equal(again, b) {
			t.Errorf("decoded %+v re-encodes differently", c)
		}
	})
}

func TestLoadRunChecks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(dir string) // applied to a completed run of 3 epochs
		status string
		why    string // in Damage.Reason
		resume int
	}{
		{"intact", func(string) {}, Completed, "", 0},
		{"truncated metrics (failure 3)", func(dir string) {
			TruncateMetrics(dir, 2)
		}, Damaged, "says 3 epochs were done", 0},
		{"config deleted (failure 4)", func(dir string) {
			os.Remove(filepath.Join(dir, ConfigFile))
		}, Damaged, "config.json is missing", 0},
		{"config edited", func(dir string) {
			WriteJSON(filepath.Join(dir, ConfigFile), testConfig(99, 3))
		}, Damaged, "not to the run ID", 0},
		{"epochs interleaved by two writers (failure 1)", func(dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
			lines := strings.SplitAfter(string(b), "\n")
			os.WriteFile(filepath.Join(dir, MetricsFile), []byte(lines[0]+lines[0]+lines[1]), 0o644)
		}, Damaged, "line 2 is epoch 1", 0},
		{"summary completed early (failure 1)", func(dir string) {
			TruncateMetrics(dir, 1)
			s, _ := ReadSummary(dir)
			s.EpochsDone = 1
			WriteJSON(filepath.Join(dir, SummaryFile), s)
		}, Damaged, "completed after 1 of 3", 0},
		{"summary final differs", func(dir string) {
			s, _ := ReadSummary(dir)
			s.Final.TestAcc = 0.99
			WriteJSON(filepath.Join(dir, SummaryFile), s)
		}, Damaged, "final metrics", 0},
		{"summary garbage, checkpoint intact", func(dir string) {
			os.WriteFile(filepath.Join(dir, SummaryFile), []byte("{"), 0o644)
			WriteCheckpoint(dir, Checkpoint{ID: filepath.Base(dir), Epoch: 2})
		}, Damaged, "summary.json", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRun(t, t.TempDir(), testConfig(41, 3), 3, 0, Completed)
			tc.damage(dir)
			r, err := LoadRun(dir)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status {
				t.Fatalf("status %s (%+v), want %s", r.Status, r.Damage, tc.status)
			}
			if tc.why == "" {
				if r.Damage != nil {
					t.Errorf("damage %+v on an intact run", r.Damage)
				}
				return
			}
			if !strings.Contains(r.Damage.Reason, tc.why) || r.Damage.Resume != tc.resume || r.Damage.Fix == "" {
				t.Errorf("damage %+v, want a reason with %q and resume %d", r.Damage, tc.why, tc.resume)
			}
		})
	}
}

func TestPartialRunsAreNotDamaged(t *testing.T) {
	for _, tc := range []struct {
		name          string
		done, ckEpoch int
	}{
		{"killed before the first checkpoint", 1, 0},
		{"killed between metrics and checkpoint", 2, 1},
		{"killed after a checkpoint", 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRun(t, t.TempDir(), testConfig(41, 3), tc.done, tc.ckEpoch, "")
			f, _ := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"epoch":`) // a torn append
			f.Close()
			if r, err := LoadRun(dir); err != nil || r.Status != Partial {
				t.Errorf("status %s, damage %+v, err %v; want partial", r.Status, r.Damage, err)
			}
		})
	}
}

func TestRepair(t *testing.T) {
	results := t.TempDir()
	// Resumable: a checkpoint at epoch 1 and a bad summary.
	dir := writeRun(t, results, testConfig(41, 3), 2, 1, "")
	WriteJSON(filepath.Join(dir, SummaryFile), Summary{ID: "wrong", Status: Completed})
	r, _ := LoadRun(dir)
	if moved, err := Repair(dir, r); err != nil || moved != "" {
		t.Fatalf("repair: %q, %v", moved, err)
	}
	if r, _ := LoadRun(dir); r.Status != Partial || len(r.Metrics) != 1 {
		t.Errorf("after repair: %s with %d epochs, want partial with 1", r.Status, len(r.Metrics))
	}
	// Not resumable: moved aside, nothing deleted.
	dir = writeRun(t, results, testConfig(42, 3), 3, 0, Completed)
	TruncateMetrics(dir, 2)
	r, _ = LoadRun(dir)
	moved, err := Repair(dir, r)
	if err != nil || !strings.HasPrefix(moved, filepath.Join(results, "quarantine", "st", r.ID+"-")) {
		t.Fatalf("repair moved it to %q, %v", moved, err)
	}
	if _, err := os.Stat(filepath.Join(moved, SummaryFile)); err != nil {
		t.Errorf("the quarantined run lost its summary: %v", err)
	}
	if st, _ := Status(dir); st != Pending {
		t.Errorf("status after quarantine %s, want pending", st)
	}
}

// TestLeftovers is issue 10, failure 6: temporary files of killed writes and
// the checkpoint of a completed run are found and tidied.
func TestLeftovers(t *testing.T) {
	dir := writeRun(t, t.TempDir(), testConfig(41, 2), 2, 2, Completed)
	tmp := filepath.Join(dir, ".checkpoint.bin.tmp123")
	os.WriteFile(tmp, []byte("half"), 0o644)
	r, err := LoadRun(dir)
	if err != nil || r.Status != Completed {
		t.Fatalf("status %s, %v", r.Status, err)
	}
	want := []string{tmp, filepath.Join(dir, CheckpointFile)}
	if !reflect.DeepEqual(r.Leftovers, want) {
		t.Fatalf("leftovers %q, want %q", r.Leftovers, want)
	}
	if err := Tidy(r); err != nil {
		t.Fatal(err)
	}
	if r, _ := LoadRun(dir); len(r.Leftovers) != 0 || r.Status != Completed {
		t.Errorf("after tidying: %s, leftovers %q", r.Status, r.Leftovers)
	}
}

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	l, err := TryLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	_, err = TryLock(dir) // another open file description conflicts like another process
	var held *HeldError
	if !errors.As(err, &held) || !strings.Contains(held.Holder, host) || !strings.Contains(held.Holder, "pid") {
		t.Fatalf("second lock: %v; want held, naming host and pid", err)
	}
	if h, err := Holder(dir); err != nil || h != held.Holder {
		t.Errorf("holder %q, %v; want %q", h, err, held.Holder)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if h, err := Holder(dir); err != nil || h != "" {
		t.Errorf("holder after unlock %q, %v", h, err)
	}
	l, err = TryLock(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l.Unlock()
}

// TestLockDuringHolderProbes checks that Holder's probes (what `check` runs
// on every run directory) never make TryLock report an unheld run as held,
// and that Unlock clears the holder text.
func TestLockDuringHolderProbes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := Holder(dir); err != nil {
				done <- err
				return
			}
		}
	}()
	defer close(stop)
	for i := range 5000 {
		l, err := TryLock(dir)
		if err != nil {
			t.Fatalf("lock %d of an unheld run: %v", i, err)
		}
		if err := l.Unlock(); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, LockFile)); err != nil || len(b) != 0 {
		t.Errorf("lock file after unlock: %q, %v; want it empty", b, err)
	}
}

// TestCheckRepair checks what `check --repair` does: a damaged run whose
// checkpoint is intact is cut back to it (as `run` would), not moved aside,
// and a temporary file outside the run directories is removed only once it
// is older than a report's write could be.
func TestCheckRepair(t *testing.T) {
	results := t.TempDir()
	dir := writeRun(t, results, testConfig(41, 3), 3, 0, Completed)
	if err := os.WriteFile(filepath.Join(dir, SummaryFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteCheckpoint(dir, Checkpoint{ID: filepath.Base(dir), Epoch: 2}); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(results, "tables", ".st.md.tmp-123")
	if err := os.MkdirAll(filepath.Dir(tmp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err := Check(results, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cut back to its checkpoint at epoch 2", "being written, or left by a killed process"}
	if len(found) != 2 || !strings.Contains(found[0].Detail, want[0]) || !strings.Contains(found[1].Detail, want[1]) {
		t.Fatalf("findings %+v, want %q", found, want)
	}
	if r, err := LoadRun(dir); err != nil || r.Status != Partial || len(r.Metrics) != 2 {
		t.Errorf("after repair: %s with %d epochs, %v; want partial with 2", r.Status, len(r.Metrics), err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	old := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(tmp, old, old); err != nil {
		t.Fatal(err)
	}
	if found, err = Check(results, true); err != nil || len(found) != 2 || !strings.HasSuffix(found[1].Detail, "; removed") {
		t.Fatalf("findings %+v, %v; want the stale temporary file removed", found, err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file left: %v", err)
	}
}

func TestLoadStudySorted(t *testing.T) {
	results := t.TempDir()
	configs := []RunConfig{testConfig(42, 1), testConfig(41, 1), testConfig(41, 1), testConfig(41, 1)}
	configs[2].Fraction = 0.1
	configs[3].Label = "zz"
	for _, i := range []int{3, 0, 1, 2} { // written out of order
		writeRun(t, results, configs[i], 1, 0, "")
	}
	os.MkdirAll(RunDir(results, "st", "not-a-run"), 0o755)
	runs, err := LoadStudy(results, "st")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(configs) {
		t.Fatalf("%d runs, want %d", len(runs), len(configs))
	}
	order := []RunConfig{configs[2], configs[1], configs[0], configs[3]}
	for i, r := range runs {
		if c := r.Config; c.Label != order[i].Label || c.Seed != order[i].Seed || c.Fraction != order[i].Fraction || r.Status != Partial {
			t.Errorf("run %d: %+v %s", i, r.Config, r.Status)
		}
	}
	if runs, err := LoadStudy(results, "none"); err != nil || len(runs) != 0 {
		t.Errorf("missing study: %v, %v", runs, err)
	}
}
