package data

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestNames checks the dataset names of the contract.
func TestNames(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"mnist", "fashion_mnist", "cifar10"}) {
		t.Errorf("Names() = %v", got)
	}
}

// TestLoadErrors checks an unknown name and a missing dataset.
func TestLoadErrors(t *testing.T) {
	_, err := Load("imagenet", Options{Dir: t.TempDir()})
	wantErr(t, err, `data: unknown dataset "imagenet" (known: mnist, fashion_mnist, cifar10)`)
	if errors.Is(err, ErrMissing) {
		t.Error("an unknown name is reported as missing data")
	}

	dir := t.TempDir()
	_, err = Load("cifar10", Options{Dir: dir})
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("error %v does not wrap ErrMissing", err)
	}
	wantErr(t, err, "data: dataset files missing: CIFAR-10 is not in "+filepath.Join(dir, "cifar10")+"; download ",
		"put it at "+filepath.Join(dir, "cifar10", cifarArchive))
}

// TestCheck checks that Check reports a missing dataset as Load does, and a
// present one without reading it.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	err := Check("cifar10", Options{Dir: dir})
	_, lerr := Load("cifar10", Options{Dir: dir})
	if !errors.Is(err, ErrMissing) || errString(err) != errString(lerr) {
		t.Errorf("Check error %v, Load error %v", err, lerr)
	}
	// A file that is present but not a CIFAR-10 archive: Check does not read it.
	if err := os.MkdirAll(filepath.Join(dir, "cifar10"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cifar10", cifarArchive), []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check("cifar10", Options{Dir: dir}); err != nil {
		t.Errorf("Check of a present file: %v", err)
	}
	if err := Check(Synthetic, Options{Dir: dir}); err != nil {
		t.Errorf("Check(Synthetic): %v", err)
	}
	if err := Check("imagenet", Options{Dir: dir}); err == nil || errors.Is(err, ErrMissing) {
		t.Errorf("Check of an unknown dataset: %v", err)
	}
}

// TestOptionsDir checks the data directory's precedence: Options.Dir, then
// NEUROPLASTIC_DATA, then the user cache directory.
func TestOptionsDir(t *testing.T) {
	t.Setenv("NEUROPLASTIC_DATA", "/from/env")
	t.Setenv("XDG_CACHE_HOME", "/cache")
	t.Setenv("HOME", "/home/u")
	for _, tc := range []struct {
		name string
		o    Options
		env  string
		want string
	}{
		{"option", Options{Dir: "/opt/d"}, "/from/env", "/opt/d"},
		{"environment", Options{}, "/from/env", "/from/env"},
		{"user cache", Options{}, "", "/cache/neuroplastic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NEUROPLASTIC_DATA", tc.env)
			got, err := tc.o.dir()
			if err != nil || got != tc.want {
				t.Errorf("dir() = %q, %v, want %q", got, err, tc.want)
			}
		})
	}
}

// TestLoadCached checks that concurrent loads share one prepared dataset,
// and that a failure (files missing) is not remembered.
func TestLoadCached(t *testing.T) {
	idx := newTinyIDX()
	spec := &datasetSpec{name: "tiny", title: "Tiny", format: idx.set}
	dir := t.TempDir()
	if _, err := loadCached(spec, dir, io.Discard); !errors.Is(err, ErrMissing) {
		t.Fatalf("error %v does not wrap ErrMissing", err)
	}
	idx.writeGz(t, filepath.Join(dir, "tiny"))
	var wg sync.WaitGroup
	got := make([]*Dataset, 8)
	for i := range got {
		wg.Go(func() {
			ds, err := loadCached(spec, dir, io.Discard)
			if err != nil {
				t.Error(err)
			}
			got[i] = ds
		})
	}
	wg.Wait()
	for _, ds := range got {
		if ds == nil || ds != got[0] {
			t.Fatal("loads returned different datasets")
		}
	}
	ds := got[0]
	if ds.Name != "tiny" || ds.Train.N != 6 || ds.Test.N != 3 || ds.Train.C != 1 || ds.Train.H != 4 || ds.Train.W != 5 {
		t.Errorf("loaded %q: train %d x %dx%dx%d, test %d", ds.Name, ds.Train.N, ds.Train.C, ds.Train.H, ds.Train.W, ds.Test.N)
	}
	if !slices.Equal(ds.Train.Pix, idx.content[idx.set.trainImages.name][16:]) {
		t.Error("training pixels differ from the file")
	}
	if !slices.Equal(ds.Test.Y, idx.content[idx.set.testLabels.name][8:]) {
		t.Error("test labels differ from the file")
	}
}

// TestNormalisation checks exact values of the two normalisations,
// computed in float32 as torchvision does (ToTensor, then Normalize), and
// that a Loader yields, for every byte value, bit for bit the float32 the
// datasets held before they were kept as bytes: (float32(p)/255 - mean)/std
// per channel.
func TestNormalisation(t *testing.T) {
	mnist := normTable(0.5, 0.5)
	for _, tc := range []struct {
		p    int
		want float32
	}{{0, -1}, {255, 1}, {128, 0.003921628}} {
		if mnist[tc.p] != tc.want {
			t.Errorf("MNIST %d -> %v, want %v", tc.p, mnist[tc.p], tc.want)
		}
	}
	cifarMean, cifarStd := cifarFiles{}.normalisation()
	cifar := newSplit(rawSplit{[]byte{0, 255, 0, 255, 0, 255}, []byte{1}}, 3, 1, 2, cifarMean, cifarStd)
	x := loaderEpoch0(cifar)
	if want := []float32{-1.9878543, 2.0607288, -1.9835391, 2.1316872, -1.7061069, 2.1106870}; !slices.Equal(x, want) {
		t.Errorf("CIFAR values %v, want %v", x, want)
	}
	mnistMean, mnistStd := idxSet{}.normalisation()
	for _, tc := range []struct {
		name      string
		mean, std []float32
	}{
		{"MNIST", mnistMean, mnistStd},
		{"CIFAR-10", cifarMean, cifarStd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := len(tc.mean)
			images := make([]byte, c*256) // one image of c x 16 x 16: every byte in every channel
			for i := range images {
				images[i] = byte(i)
			}
			x := loaderEpoch0(newSplit(rawSplit{images, []byte{3}}, c, 16, 16, tc.mean, tc.std))
			for i, p := range images {
				ch := i / 256
				v := float32(p) / 255
				if want := (v - tc.mean[ch]) / tc.std[ch]; math.Float32bits(x[i]) != math.Float32bits(want) {
					t.Errorf("channel %d, byte %d: %v, want %v", ch, p, x[i], want)
				}
			}
		})
	}
}

// loaderEpoch0 returns the images of the first batch of epoch 0 of a Loader
// over s with batches of up to 1000 examples.
func loaderEpoch0(s *Split) []float32 {
	l := NewLoader(s, nil, 1000, 1, false)
	l.Epoch(0)
	x, _, _ := l.Next()
	return x
}

// TestHowToGet checks the instructions printed for missing datasets.
func TestHowToGet(t *testing.T) {
	for _, s := range datasets() {
		msg := s.format.howToGet("/d/" + s.name)
		if !strings.Contains(msg, "/d/"+s.name) || !strings.Contains(msg, "make data") {
			t.Errorf("%s: %q", s.name, msg)
		}
	}
}

// TestUnreadableDataDir is issue 10, failure 8: a dataset folder that is
// there but cannot be read is an error naming the folder and the cause, not
// missing data. (chmod 000 does not stop root, so the test uses a file where
// the folder should be; the check is the same.)
func TestUnreadableDataDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cifar10")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load("cifar10", Options{Dir: dir})
	if err == nil || errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("error %v: want one naming %s and the cause, not missing data", err, path)
	}
}
