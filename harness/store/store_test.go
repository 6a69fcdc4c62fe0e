package store

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"one", "two, longer"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("content %q, want %q", b, content)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the directory, want 1", len(entries))
	}
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
	dir := t.TempDir()
	if _, ok, err := ReadCheckpoint(dir); ok || err != nil {
		t.Fatalf("missing checkpoint: ok %v, err %v", ok, err)
	}
	want := Checkpoint{Epoch: 7, Model: []byte("model bytes"), Optimizer: []byte("opt")}
	if err := WriteCheckpoint(dir, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ReadCheckpoint(dir)
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read %+v, %v, %v", got, ok, err)
	}
	path := filepath.Join(dir, CheckpointFile)
	b, _ := os.ReadFile(path)
	b[len(b)-6] ^= 1 // flip a bit of the optimizer bytes
	os.WriteFile(path, b, 0o644)
	if _, _, err := ReadCheckpoint(dir); err == nil {
		t.Error("corrupt checkpoint read without error")
	}
	os.WriteFile(path, b[:10], 0o644)
	if _, _, err := ReadCheckpoint(dir); err == nil {
		t.Error("short checkpoint read without error")
	}
}

func TestStatus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	check := func(want string) {
		t.Helper()
		if got, err := Status(dir); err != nil || got != want {
			t.Errorf("status %q, %v; want %q", got, err, want)
		}
	}
	check(Pending)
	os.MkdirAll(dir, 0o755)
	check(Pending)
	AppendMetrics(dir, EpochMetrics{Epoch: 1})
	check(Partial)
	WriteJSON(filepath.Join(dir, SummaryFile), Summary{Status: Failed})
	check(Failed)
	WriteJSON(filepath.Join(dir, SummaryFile), Summary{Status: Completed})
	check(Completed)
}

func TestLoadStudySorted(t *testing.T) {
	results := t.TempDir()
	configs := []RunConfig{
		{Label: "full", Seed: 42, Fraction: 1},
		{Label: "full", Seed: 41, Fraction: 1},
		{Label: "full", Seed: 41, Fraction: 0.1},
		{Label: "grad_only", Seed: 41, Fraction: 1},
	}
	for i, c := range []int{3, 0, 1, 2} { // written out of order
		c := configs[c]
		dir := RunDir(results, "st", string(rune('a'+i)))
		os.MkdirAll(dir, 0o755)
		if err := WriteJSON(filepath.Join(dir, ConfigFile), c); err != nil {
			t.Fatal(err)
		}
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
		if r.Config.Label != order[i].Label || r.Config.Seed != order[i].Seed || r.Config.Fraction != order[i].Fraction || r.Status != Pending {
			t.Errorf("run %d: %+v %s", i, r.Config, r.Status)
		}
	}
	if runs, err := LoadStudy(results, "none"); err != nil || len(runs) != 0 {
		t.Errorf("missing study: %v, %v", runs, err)
	}
}
