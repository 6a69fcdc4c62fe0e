package data

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// subsetCase is one case of a testdata/subsets*.json file, produced by the
// reference rule in CPython.
type subsetCase struct {
	N        int     `json:"n"`
	Seed     int64   `json:"seed"`
	Fraction float64 `json:"fraction"`
	Count    int     `json:"count"`
	First    []int   `json:"first"`
	Last     []int   `json:"last"`
	Sum      int     `json:"sum"`
	SHA256   string  `json:"sha256"` // over the decimal indices joined by ","
}

// TestSubsets checks every case of every testdata/subsets*.json file.
func TestSubsets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "subsets*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/subsets*.json files")
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var golden struct{ Cases []subsetCase }
		if err := json.Unmarshal(raw, &golden); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(golden.Cases) == 0 {
			t.Fatalf("%s: no cases", file)
		}
		stem := strings.TrimSuffix(filepath.Base(file), ".json")
		for _, c := range golden.Cases {
			name := fmt.Sprintf("%s/n=%d/seed=%d/fraction=%v", stem, c.N, c.Seed, c.Fraction)
			t.Run(name, func(t *testing.T) { checkSubset(t, c) })
		}
	}
}

func checkSubset(t *testing.T, c subsetCase) {
	got := Subset(c.N, c.Fraction, c.Seed)
	if len(got) != c.Count {
		t.Fatalf("count %d, want %d", len(got), c.Count)
	}
	if !slices.IsSorted(got) {
		t.Error("indices not sorted")
	}
	if head := got[:min(len(c.First), len(got))]; !slices.Equal(head, c.First) {
		t.Errorf("first %v, want %v", head, c.First)
	}
	if tail := got[max(len(got)-len(c.Last), 0):]; !slices.Equal(tail, c.Last) {
		t.Errorf("last %v, want %v", tail, c.Last)
	}
	sum := 0
	text := make([]string, len(got))
	for i, v := range got {
		sum += v
		text[i] = strconv.Itoa(v)
	}
	if sum != c.Sum {
		t.Errorf("sum %d, want %d", sum, c.Sum)
	}
	h := sha256.Sum256([]byte(strings.Join(text, ",")))
	if hex.EncodeToString(h[:]) != c.SHA256 {
		t.Errorf("sha256 %x, want %s", h, c.SHA256)
	}
}

// TestSubsetNested checks that the subsets of one seed grow by inclusion
// with the fraction, which the low-data study relies on.
func TestSubsetNested(t *testing.T) {
	prev := []int{}
	for _, f := range []float64{0.1, 0.25, 0.5, 1} {
		cur := Subset(1000, f, 42)
		for _, v := range prev {
			if _, found := slices.BinarySearch(cur, v); !found {
				t.Fatalf("fraction %v: index %d of the smaller subset is missing", f, v)
			}
		}
		prev = cur
	}
}

// TestSubsetPanics checks the programmer-error panics.
func TestSubsetPanics(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n        int
		fraction float64
	}{
		{"negative n", -1, 0.5},
		{"zero fraction", 10, 0},
		{"fraction above one", 10, 1.5},
		{"NaN fraction", 10, math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "data: Subset: ") {
					t.Errorf("recovered %v, want a data: Subset panic", r)
				}
			}()
			Subset(tc.n, tc.fraction, 1)
		})
	}
}
