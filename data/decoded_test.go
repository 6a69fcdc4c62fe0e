package data

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDecodedCache checks the decoded cache: the first load writes it, the
// next reads it and gets the same bytes; a changed source, a damaged or
// truncated cache and a cache of another format are not used (the dataset is
// read from its files again and the cache rewritten); an unwritable folder
// costs only the cache.
func TestDecodedCache(t *testing.T) {
	idx := newTinyIDX()
	spec := &datasetSpec{name: "tiny", title: "Tiny", format: idx.set}
	fromFiles, fromCache := "loading Tiny from ", "(decoded from "
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir, cache string) // between a first and second load
		want   string                                // what the second load's log contains
	}{
		{"reused", func(*testing.T, string, string) {}, fromCache},
		{"source touched", func(t *testing.T, dir, _ string) {
			later := time.Now().Add(time.Hour)
			p := filepath.Join(dir, "tiny", "t10k-labels-idx1-ubyte.gz")
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
		}, fromFiles},
		{"payload damaged", func(t *testing.T, _, cache string) {
			b := readTestFile(t, cache)
			b[decodedHeader+3] ^= 1
			writeFile(t, filepath.Dir(cache), filepath.Base(cache), b)
		}, "is damaged: CRC-32C"},
		{"truncated", func(t *testing.T, _, cache string) {
			b := readTestFile(t, cache)
			writeFile(t, filepath.Dir(cache), filepath.Base(cache), b[:len(b)-1])
		}, "its header says"},
		{"header cut", func(t *testing.T, _, cache string) {
			writeFile(t, filepath.Dir(cache), filepath.Base(cache), []byte(decodedMagic))
		}, "header"},
		{"header counts swapped", func(t *testing.T, _, cache string) {
			b := readTestFile(t, cache)
			copy(b[52:56], []byte{3, 0, 0, 0}) // 3 training examples
			copy(b[56:60], []byte{6, 0, 0, 0}) // and 6 test ones: the size still fits
			writeFile(t, filepath.Dir(cache), filepath.Base(cache), b)
		}, "is damaged: its header says 3 training and 6 test examples"},
		{"header shape edited", func(t *testing.T, _, cache string) {
			b := readTestFile(t, cache)
			b[40], b[44] = b[44], b[40] // c and h swapped: the size still fits
			writeFile(t, filepath.Dir(cache), filepath.Base(cache), b)
		}, "is damaged"},
		{"other format", func(t *testing.T, _, cache string) {
			b := readTestFile(t, cache)
			b[7]++ // the layout version
			writeFile(t, filepath.Dir(cache), filepath.Base(cache), b)
		}, fromFiles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			idx.writeGz(t, filepath.Join(dir, "tiny"))
			cache := filepath.Join(dir, "tiny", decodedName)
			var log strings.Builder
			first, err := spec.load(dir, &log)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), fromFiles) || !isFile(cache) {
				t.Fatalf("first load: log %q, cache written %v", log.String(), isFile(cache))
			}
			tc.change(t, dir, cache)
			log.Reset()
			second, err := spec.load(dir, &log)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), tc.want) {
				t.Errorf("second load's log %q lacks %q", log.String(), tc.want)
			}
			for _, s := range [][2]*Split{{first.Train, second.Train}, {first.Test, second.Test}} {
				if !slices.Equal(s[0].Pix, s[1].Pix) || !slices.Equal(s[0].Y, s[1].Y) || s[0].N != s[1].N || s[0].C != s[1].C || s[0].H != s[1].H || s[0].W != s[1].W {
					t.Errorf("second load's split of %d differs from the first's", s[1].N)
				}
			}
			log.Reset()
			if _, err := spec.load(dir, &log); err != nil || !strings.Contains(log.String(), fromCache) {
				t.Errorf("third load (%v) did not use the rewritten cache: %q", err, log.String())
			}
		})
	}
}

// TestDecodedCacheShared checks what processes sharing a data directory
// rely on: one folder reached by another path (a symbolic link) uses the
// same cache; a cache another process put in place is not replaced by one
// that was built meanwhile (they may have mapped it); and temporary files
// of killed writers are removed once they are old, not while fresh.
func TestDecodedCacheShared(t *testing.T) {
	idx := newTinyIDX()
	spec := &datasetSpec{name: "tiny", title: "Tiny", format: idx.set}
	dir := t.TempDir()
	idx.writeGz(t, filepath.Join(dir, "tiny"))
	cache := filepath.Join(dir, "tiny", decodedName)
	if _, err := spec.load(dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	first, err := os.Stat(cache)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "data")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if _, err := spec.load(link, &log); err != nil || !strings.Contains(log.String(), "(decoded from ") {
		t.Fatalf("load through a link: %v, log %q; want the cache used", err, log.String())
	}
	if st, err := os.Stat(cache); err != nil || !os.SameFile(first, st) {
		t.Fatalf("the cache was rewritten: %v", err)
	}

	// Another process replaces the cache seen (first) by a valid one; a
	// process that read first and built its own keeps the other's.
	key, err := spec.decodedKey(filepath.Join(dir, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	b := readTestFile(t, cache)
	if err := os.Remove(cache); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(cache), filepath.Base(cache), b)
	other, err := os.Stat(cache)
	if err != nil || os.SameFile(first, other) {
		t.Fatalf("no new file: %v", err)
	}
	r, err := readDecoded(cache, key, 6, 3)
	if err != nil || r == nil {
		t.Fatalf("reading the cache: %v", err)
	}
	if err := writeDecoded(cache, key, r, first); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(cache); err != nil || !os.SameFile(other, st) {
		t.Errorf("another process's valid cache was replaced: %v", err)
	}

	old, fresh := filepath.Join(dir, "tiny", ".decoded.cache.tmp-old"), filepath.Join(dir, "tiny", ".decoded.cache.tmp-new")
	writeFile(t, filepath.Dir(old), filepath.Base(old), []byte("half"))
	writeFile(t, filepath.Dir(fresh), filepath.Base(fresh), []byte("half"))
	past := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := writeDecoded(cache, key, r, other); err != nil {
		t.Fatal(err)
	}
	if isFile(old) || !isFile(fresh) {
		t.Errorf("temporary files after a write: old one there %v, fresh one there %v; want only the fresh one", isFile(old), isFile(fresh))
	}
}

// TestDecodedCacheUnwritable checks that a data directory where the cache
// cannot be written still loads, saying why there is no cache.
func TestDecodedCacheUnwritable(t *testing.T) {
	idx := newTinyIDX()
	spec := &datasetSpec{name: "tiny", title: "Tiny", format: idx.set}
	dir := t.TempDir()
	idx.writeGz(t, filepath.Join(dir, "tiny"))
	if err := os.Mkdir(filepath.Join(dir, "tiny", decodedName), 0o755); err != nil { // a folder in the cache's place
		t.Fatal(err)
	}
	var log strings.Builder
	ds, err := spec.load(dir, &log)
	if err != nil || ds.Train.N != 6 {
		t.Fatalf("load: %v", err)
	}
	if !strings.Contains(log.String(), "could not write the decoded cache") {
		t.Errorf("log %q does not say the cache was not written", log.String())
	}
}

// readTestFile returns the content of the file at p.
func readTestFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkLoad times preparing MNIST from the default data directory, as
// a new process does: from the decoded cache (cache) and from the verified
// source files (files, which the cache saves). It skips when MNIST is
// absent.
func BenchmarkLoad(b *testing.B) {
	spec, err := lookup("mnist")
	if err != nil {
		b.Fatal(err)
	}
	dir, err := Options{}.dir()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Load("mnist", Options{Dir: dir}); err != nil { // writes the cache
		b.Skipf("MNIST: %v", err)
	}
	b.Run("cache", func(b *testing.B) {
		for b.Loop() {
			if _, err := spec.load(dir, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("files", func(b *testing.B) {
		src := filepath.Join(dir, spec.name)
		for b.Loop() {
			if _, err := spec.format.load(src, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}
