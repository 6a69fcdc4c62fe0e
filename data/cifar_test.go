package data

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkTinyCIFAR fails t unless r holds d's batches in order.
func checkTinyCIFAR(t *testing.T, d tinyCIFAR, r *raw) {
	t.Helper()
	for k, name := range cifarBatches {
		images, labels := cifarBatch(r, k, d.files.records)
		b := d.batches[name]
		for r := range labels {
			rec := b[r*(1+cifarImage) : (r+1)*(1+cifarImage)]
			if labels[r] != rec[0] || !bytes.Equal(images[r*cifarImage:(r+1)*cifarImage], rec[1:]) {
				t.Fatalf("%s record %d differs", name, r)
			}
		}
	}
	if len(r.train.y) != 5*d.files.records || len(r.test.y) != d.files.records {
		t.Errorf("%d training and %d test labels", len(r.train.y), len(r.test.y))
	}
}

// TestReadCIFAR reads the archive and the extracted batches (in
// cifar-10-batches-bin/ and directly in the folder, raw and gzip), and
// checks that the batch checksums are recorded and then enforced.
func TestReadCIFAR(t *testing.T) {
	d := newTinyCIFAR(t)
	layouts := []struct {
		name  string
		write func(dir string)
	}{
		{"archive", func(dir string) { writeFile(t, dir, cifarArchive, d.archive) }},
		{"extracted", func(dir string) {
			for name, b := range d.batches {
				writeFile(t, dir, filepath.Join(cifarBinDir, name), b)
			}
		}},
		{"flat gzip batches", func(dir string) {
			for name, b := range d.batches {
				writeFile(t, dir, name, gzipBytes(t, b))
			}
		}},
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			dir := t.TempDir()
			if l.name != "archive" {
				// The record is made from the verified archive, then the
				// archive is replaced by the extracted batches.
				layouts[0].write(dir)
				loc, _ := locateCIFAR(dir)
				if _, err := readCIFAR(loc, d.files, io.Discard); err != nil {
					t.Fatal(err)
				}
				os.Remove(filepath.Join(dir, cifarArchive))
			}
			l.write(dir)
			loc, ok := locateCIFAR(dir)
			if !ok {
				t.Fatal("files not found")
			}
			var log strings.Builder
			raw, err := readCIFAR(loc, d.files, &log)
			if err != nil {
				t.Fatal(err)
			}
			checkTinyCIFAR(t, d, raw)
			sums, ok, err := readSums(filepath.Join(dir, cifarSums), d.files)
			if err != nil || !ok {
				t.Fatalf("record: ok %v, %v", ok, err)
			}
			for name, b := range d.batches {
				if sums[name] != sha256Hex(b) {
					t.Errorf("recorded %s for %s, want %s", sums[name], name, sha256Hex(b))
				}
			}
			if l.name == "archive" && !strings.Contains(log.String(), "recorded the SHA-256 of the CIFAR-10 batches") {
				t.Errorf("log %q does not mention the record", log.String())
			}
		})
	}
	// Issue 10, failure 14: an extracted folder is not trusted on first use.
	t.Run("extracted without a record from the archive", func(t *testing.T) {
		dir := t.TempDir()
		layouts[1].write(dir)
		loc, _ := locateCIFAR(dir)
		_, err := readCIFAR(loc, d.files, io.Discard)
		wantErr(t, err, "the extracted CIFAR-10 batches cannot be verified", "put "+cifarArchive+" in "+dir)
		os.WriteFile(filepath.Join(dir, cifarSums), []byte("# made by hand\n"), 0o644)
		_, err = readCIFAR(loc, d.files, io.Discard)
		wantErr(t, err, "the extracted CIFAR-10 batches cannot be verified")
	})
	t.Run("changed batch after record", func(t *testing.T) {
		dir := t.TempDir()
		layouts[0].write(dir)
		loc, _ := locateCIFAR(dir)
		if _, err := readCIFAR(loc, d.files, io.Discard); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, cifarArchive))
		layouts[1].write(dir)
		loc, _ = locateCIFAR(dir)
		b := slices.Clone(d.batches["data_batch_3.bin"])
		b[100]++
		p := writeFile(t, dir, filepath.Join(cifarBinDir, "data_batch_3.bin"), b)
		_, err := readCIFAR(loc, d.files, io.Discard)
		wantErr(t, err, "data: "+p+": SHA-256 of the decompressed content is "+sha256Hex(b), "expected "+sha256Hex(d.batches["data_batch_3.bin"]))
	})
}

// TestReadCIFARErrors checks damaged archives and batches.
func TestReadCIFARErrors(t *testing.T) {
	d := newTinyCIFAR(t)
	archive := func(t *testing.T, b []byte) error {
		p := writeFile(t, t.TempDir(), cifarArchive, b)
		_, _, err := readCIFARArchive(p, d.files)
		return err
	}
	batch := func(t *testing.T, b []byte) error {
		p := writeFile(t, t.TempDir(), "data_batch_1.bin", b)
		_, err := readFile(p, "", func(r io.Reader) error {
			return parseCIFARBatch(r, make([]byte, d.files.records*cifarImage), make([]byte, d.files.records))
		})
		return err
	}
	good := d.batches["data_batch_1.bin"]
	badLabel := slices.Clone(good)
	badLabel[1+cifarImage] = 11
	for _, tc := range []struct {
		name string
		err  func(t *testing.T) error
		want []string
	}{
		{"wrong md5", func(t *testing.T) error {
			f := d.files
			f.md5 = "c32a1d4ab5d03f1284b67883e8d87530"
			p := writeFile(t, t.TempDir(), cifarArchive, d.archive)
			_, _, err := readCIFARArchive(p, f)
			return err
		}, []string{"MD5 of the archive is " + d.files.md5 + ", expected c32a1d4ab5d03f1284b67883e8d87530"}},
		{"truncated archive", func(t *testing.T) error { return archive(t, d.archive[:len(d.archive)-40]) }, []string{cifarArchive + ": "}},
		{"not gzip", func(t *testing.T) error { return archive(t, []byte("hello, world")) }, []string{"bad tar archive"}},
		{"archive lacking a batch", func(t *testing.T) error {
			return archive(t, tarGz(t, map[string][]byte{"cifar-10-batches-bin/data_batch_1.bin": good}))
		}, []string{"archive lacks data_batch_2.bin"}},
		{"truncated batch in archive", func(t *testing.T) error {
			return archive(t, tarGz(t, map[string][]byte{"cifar-10-batches-bin/data_batch_1.bin": good[:100]}))
		}, []string{"cifar-10-batches-bin/data_batch_1.bin: truncated: the batch (2 records of 3073 bytes) has 100 of 6146 bytes"}},
		{"truncated batch", func(t *testing.T) error { return batch(t, good[:len(good)-1]) }, []string{"truncated: the batch (2 records of 3073 bytes) has 6145 of 6146 bytes"}},
		{"long batch", func(t *testing.T) error { return batch(t, append(slices.Clone(good), 0)) }, []string{"1 unexpected bytes after the data"}},
		{"label out of range", func(t *testing.T) error { return batch(t, badLabel) }, []string{"label 11 of example 1 is outside 0-9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			wantErr(t, err, append(tc.want, "delete the file and rerun `make data`")...)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %v does not wrap ErrCorrupt", err)
			}
		})
	}
}

// tarGz builds a tar.gz holding files.
func tarGz(t *testing.T, files map[string][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		b := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return gzipBytes(t, buf.Bytes())
}

// TestLocateCIFAR checks that incomplete folders are not taken for data.
func TestLocateCIFAR(t *testing.T) {
	dir := t.TempDir()
	if _, ok := locateCIFAR(dir); ok {
		t.Error("empty folder located")
	}
	writeFile(t, dir, filepath.Join(cifarBinDir, "data_batch_1.bin"), []byte{1})
	if _, ok := locateCIFAR(dir); ok {
		t.Error("folder with one batch located")
	}
	if err := os.Mkdir(filepath.Join(dir, cifarArchive), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := locateCIFAR(dir); ok {
		t.Error("a folder named like the archive located")
	}
}
