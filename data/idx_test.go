package data

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// TestReadIDX reads valid files, gzip and raw, and checks the values.
func TestReadIDX(t *testing.T) {
	d := newTinyIDX()
	f := d.set.trainImages
	raw := d.content[f.name]
	for _, tc := range []struct {
		name, file string
		content    []byte
	}{
		{"raw", f.name, raw},
		{"gzip", f.name + ".gz", gzipBytes(t, raw)},
		{"gzip under a raw name", f.name, gzipBytes(t, raw)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), tc.file, tc.content)
			got, err := readIDX(p, f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, raw[4+4*3:]) {
				t.Error("values differ from the file's data")
			}
		})
	}
}

// TestReadIDXErrors checks that every kind of damage gives a clear error
// that wraps ErrCorrupt, names the file and says what to do.
func TestReadIDXErrors(t *testing.T) {
	d := newTinyIDX()
	img, lab := d.set.trainImages, d.set.trainLabels
	good := d.content[img.name]
	gz := gzipBytes(t, good)
	flipped := slices.Clone(gz)
	flipped[len(flipped)/2] ^= 0xff
	badCRC := slices.Clone(gz)
	badCRC[len(badCRC)-6] ^= 0xff // inside the CRC-32 trailer
	badLabels := slices.Clone(d.content[lab.name])
	badLabels[len(badLabels)-1] = 10

	for _, tc := range []struct {
		name   string
		f      idxFile
		file   []byte
		sameSH bool     // the case's own content hash is pinned, so the format check is what fails
		want   []string // fragments of the message
	}{
		{"empty", img, nil, true, []string{"truncated: the IDX header has 0 of 4 bytes"}},
		{"wrong magic", img, append([]byte{0x1f, 0x00}, good[2:]...), true, []string{"not an IDX file: magic 1f 00 08 03"}},
		{"wrong type", img, append([]byte{0, 0, 0x0d}, good[3:]...), true, []string{"IDX data type 0x0d, expected 0x08"}},
		{"zero dims", img, append([]byte{0, 0, 8, 0}, good[4:]...), true, []string{"IDX header has 0 dimensions"}},
		{"wrong shape", img, idxBytes([]int{5, 4, 5}, good[16:16+100]), true, []string{"IDX dimensions [5 4 5], expected [6 4 5]"}},
		{"huge shape", img, idxBytes([]int{1 << 16, 1 << 16, 4}, nil), true, []string{"too large or zero"}},
		{"truncated header", img, good[:10], true, []string{"truncated: the IDX header has 6 of 12 bytes"}},
		{"truncated data", img, good[:len(good)-7], true, []string{"truncated: the IDX data has 113 of 120 bytes"}},
		{"truncated gzip", img, gz[:len(gz)/2], false, []string{"truncated"}},
		{"corrupt gzip", img, flipped, false, []string{"unreadable content"}},
		{"gzip checksum", img, badCRC, false, []string{"unreadable content: gzip: invalid checksum"}},
		{"trailing bytes", img, append(slices.Clone(good), 1, 2, 3), true, []string{"3 unexpected bytes after the data"}},
		{"label out of range", lab, badLabels, true, []string{"label 10 of example 5 is outside 0-9"}},
		{"wrong hash", img, append(good[:len(good)-1:len(good)-1], good[len(good)-1]+1), false, []string{
			"SHA-256 of the decompressed content is ", "expected " + img.sha256, "not the original",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if tc.sameSH {
				f.sha256 = sha256Hex(tc.file)
			}
			p := writeFile(t, t.TempDir(), f.name+".gz", tc.file)
			_, err := readIDX(p, f)
			wantErr(t, err, append(tc.want, "data: "+p+": ", "delete the file and rerun `make data`")...)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %v does not wrap ErrCorrupt", err)
			}
		})
	}
}

// TestReadIDXMissingFile checks that an absent file is not reported as
// corrupt.
func TestReadIDXMissingFile(t *testing.T) {
	_, err := readIDX(t.TempDir()+"/absent", newTinyIDX().set.trainImages)
	wantErr(t, err, "no such file")
	if errors.Is(err, ErrCorrupt) {
		t.Error("a missing file is reported as corrupt")
	}
}

// FuzzIDXHeader checks that the header parser never panics and that what it
// accepts is a valid header.
func FuzzIDXHeader(f *testing.F) {
	f.Add(idxBytes([]int{60000, 28, 28}, nil))
	f.Add(idxBytes([]int{10000}, nil))
	f.Add(idxBytes([]int{1, 2, 3, 4}, nil))
	f.Add([]byte{0, 0, 8, 5, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2})
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		dims, err := parseIDXHeader(r)
		if err != nil {
			if dims != nil {
				t.Errorf("dims %v returned with error %v", dims, err)
			}
			return
		}
		if len(dims) < 1 || len(dims) > idxMaxDims || int(b[3]) != len(dims) {
			t.Fatalf("accepted %d dimensions", len(dims))
		}
		if used := len(b) - r.Len(); used != 4+4*len(dims) {
			t.Errorf("consumed %d bytes, header is %d", used, 4+4*len(dims))
		}
		size := 1
		for _, d := range dims {
			if d <= 0 {
				t.Fatalf("accepted dimension %d", d)
			}
			size *= d
		}
		if size > idxMaxSize {
			t.Errorf("accepted %d elements", size)
		}
		if !bytes.Equal(idxBytes(dims, nil), b[:4+4*len(dims)]) {
			t.Error("dimensions do not re-encode to the header")
		}
	})
}
