package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes encodes values as an unsigned-byte IDX file with dims.
func idxBytes(dims []int, values []byte) []byte {
	b := []byte{0, 0, idxUbyte, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, values...)
}

// gzipBytes compresses b.
func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sha256Hex returns the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// md5Hex returns the hex MD5 of b.
func md5Hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

// writeFile writes b to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pattern returns n deterministic bytes, each below mod.
func pattern(n int, seed, mod byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i*7 + int(seed)*13 + i/5) % int(mod))
	}
	return b
}

// tinyIDX is a small MNIST-layout dataset the tests generate: 6 training and
// 3 test images of 4x5 pixels, with the decompressed content of each file.
type tinyIDX struct {
	set     idxSet
	content map[string][]byte // by file name without .gz
}

// newTinyIDX builds the tiny IDX dataset.
func newTinyIDX() tinyIDX {
	d := tinyIDX{content: map[string][]byte{}}
	mk := func(name string, dims []int, seed byte, labels bool) idxFile {
		mod := byte(255)
		if labels {
			mod = numClasses
		}
		b := idxBytes(dims, pattern(product(dims), seed, mod))
		d.content[name] = b
		return idxFile{name: name, shape: dims, sha256: sha256Hex(b), labels: labels}
	}
	d.set = idxSet{
		trainImages: mk("train-images-idx3-ubyte", []int{6, 4, 5}, 1, false),
		trainLabels: mk("train-labels-idx1-ubyte", []int{6}, 2, true),
		testImages:  mk("t10k-images-idx3-ubyte", []int{3, 4, 5}, 3, false),
		testLabels:  mk("t10k-labels-idx1-ubyte", []int{3}, 4, true),
	}
	return d
}

// writeGz writes every file of d, gzip-compressed, into dir.
func (d tinyIDX) writeGz(t testing.TB, dir string) {
	for name, b := range d.content {
		writeFile(t, dir, name+".gz", gzipBytes(t, b))
	}
}

// tinyCIFAR is a small CIFAR-10-layout dataset: 6 batches of 2 records.
type tinyCIFAR struct {
	files   cifarFiles
	batches map[string][]byte // content by batch name
	archive []byte            // the tar.gz of cifar-10-batches-bin/
}

// newTinyCIFAR builds the tiny CIFAR dataset and its archive.
func newTinyCIFAR(t testing.TB) tinyCIFAR {
	const records = 2
	d := tinyCIFAR{batches: map[string][]byte{}}
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	add := func(name string, b []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	add(cifarBinDir+"/batches.meta.txt", []byte("airplane\nautomobile\n"))
	for k, name := range cifarBatches {
		var b []byte
		for r := range records {
			b = append(b, byte((k+r)%numClasses))
			b = append(b, pattern(cifarImage, byte(k*records+r), 255)...)
		}
		d.batches[name] = b
		add(cifarBinDir+"/"+name, b)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	d.archive = gzipBytes(t, tarBuf.Bytes())
	d.files = cifarFiles{records: records, md5: md5Hex(d.archive), url: "https://example.invalid/" + cifarArchive}
	return d
}

// wantErr fails t unless err is non-nil and its message contains every
// fragment.
func wantErr(t testing.TB, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q lacks %q", err, f)
		}
	}
}
