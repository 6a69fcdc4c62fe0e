package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
)

// IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian header
// 0x00 0x00 <type> <ndim> followed by ndim uint32 dimensions, then the
// values in row-major order. MNIST and Fashion-MNIST use type 0x08
// (unsigned byte) with 1 (labels) or 3 (images) dimensions.

const (
	idxUbyte   = 0x08    // type code of unsigned bytes, the only one we read
	idxMaxDims = 4       // more dimensions than any image data set needs
	idxMaxSize = 1 << 31 // bound on the element count, so a bad header cannot ask for more memory
)

// idxFile is one IDX file of a dataset.
type idxFile struct {
	name   string // base name without .gz, e.g. "train-images-idx3-ubyte"
	shape  []int  // the dimensions it must have
	sha256 string // hex SHA-256 of the decompressed content
	labels bool   // the values are class labels, each must be below numClasses
}

// parseIDXHeader reads an IDX header from r and returns its dimensions. It
// accepts only unsigned-byte data with 1 to idxMaxDims positive dimensions
// whose product is at most idxMaxSize.
func parseIDXHeader(r io.Reader) ([]int, error) {
	var magic [4]byte
	if err := readFull(r, magic[:], "the IDX header"); err != nil {
		return nil, err
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: magic % x, expected 00 00 08 <dims>", magic)
	}
	if magic[2] != idxUbyte {
		return nil, fmt.Errorf("IDX data type 0x%02x, expected 0x08 (unsigned byte)", magic[2])
	}
	ndim := int(magic[3])
	if ndim < 1 || ndim > idxMaxDims {
		return nil, fmt.Errorf("IDX header has %d dimensions, expected 1 to %d", ndim, idxMaxDims)
	}
	raw := make([]byte, 4*ndim)
	if err := readFull(r, raw, "the IDX header"); err != nil {
		return nil, err
	}
	dims := make([]int, ndim)
	size := 1
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4*i:])
		if d == 0 || uint64(size)*uint64(d) > idxMaxSize {
			return nil, fmt.Errorf("IDX dimensions %v too large or zero", dimsOf(raw))
		}
		dims[i] = int(d)
		size *= int(d)
	}
	return dims, nil
}

// dimsOf decodes the raw big-endian dimensions for an error message.
func dimsOf(raw []byte) []uint32 {
	out := make([]uint32, len(raw)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(raw[4*i:])
	}
	return out
}

// readIDX reads, validates and checksums the IDX file at path (gzip or
// raw), which must have f's shape and hash, and returns its values.
func readIDX(path string, f idxFile) ([]byte, error) {
	var values []byte
	_, err := readFile(path, f.sha256, func(r io.Reader) error {
		dims, err := parseIDXHeader(r)
		if err != nil {
			return err
		}
		if !slices.Equal(dims, f.shape) {
			return fmt.Errorf("IDX dimensions %v, expected %v", dims, f.shape)
		}
		values = make([]byte, product(dims))
		if err := readFull(r, values, "the IDX data"); err != nil {
			return err
		}
		if f.labels {
			return checkLabels(values)
		}
		return nil
	})
	return values, err
}

// checkLabels returns an error naming the first label that is not one of
// the numClasses classes.
func checkLabels(labels []byte) error {
	for i, l := range labels {
		if l >= numClasses {
			return fmt.Errorf("label %d of example %d is outside 0-%d", l, i, numClasses-1)
		}
	}
	return nil
}

// product returns the product of dims.
func product(dims []int) int {
	p := 1
	for _, d := range dims {
		p *= d
	}
	return p
}

// idxSet is a dataset stored as four IDX files, MNIST style: 1-channel
// images of shape [N, H, W] and labels of shape [N] for each split. The
// files may be gzip (name.gz, as sources supply them) or raw (name).
type idxSet struct {
	trainImages, trainLabels, testImages, testLabels idxFile
}

// mnistFiles returns the idxSet of an MNIST-layout dataset (60000 training
// and 10000 test images of 28x28) with the given SHA-256 of the
// decompressed files.
func mnistFiles(trainImages, trainLabels, testImages, testLabels string) idxSet {
	return idxSet{
		trainImages: idxFile{name: "train-images-idx3-ubyte", shape: []int{60000, 28, 28}, sha256: trainImages},
		trainLabels: idxFile{name: "train-labels-idx1-ubyte", shape: []int{60000}, sha256: trainLabels, labels: true},
		testImages:  idxFile{name: "t10k-images-idx3-ubyte", shape: []int{10000, 28, 28}, sha256: testImages},
		testLabels:  idxFile{name: "t10k-labels-idx1-ubyte", shape: []int{10000}, sha256: testLabels, labels: true},
	}
}

// files returns the four files in a fixed order.
func (s idxSet) files() [4]idxFile {
	return [4]idxFile{s.trainImages, s.trainLabels, s.testImages, s.testLabels}
}

// find returns the path of f in dir, gzip first, or "" when absent.
func (f idxFile) find(dir string) string {
	for _, p := range []string{filepath.Join(dir, f.name+".gz"), filepath.Join(dir, f.name)} {
		if isFile(p) {
			return p
		}
	}
	return ""
}

func (s idxSet) missing(dir string) []string {
	var names []string
	for _, f := range s.files() {
		if f.find(dir) == "" {
			names = append(names, f.name+".gz")
		}
	}
	return names
}

func (s idxSet) verify(dir string, _ io.Writer) error {
	var errs []error
	for _, f := range s.files() {
		if p := f.find(dir); p != "" {
			if _, err := readIDX(p, f); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (s idxSet) verifyFetched(path, name string) error {
	for _, f := range s.files() {
		if f.name+".gz" == name {
			_, err := readIDX(path, f)
			return err
		}
	}
	return fmt.Errorf("data: %s is not a file of this dataset", name)
}

func (s idxSet) inputs(dir string) []string {
	var paths []string
	for _, f := range s.files() {
		paths = append(paths, f.find(dir))
	}
	return paths
}

func (s idxSet) load(dir string, _ io.Writer) (*raw, error) {
	var values [4][]byte
	for i, f := range s.files() {
		p := f.find(dir)
		if p == "" {
			return nil, fmt.Errorf("%w: %s", ErrMissing, filepath.Join(dir, f.name))
		}
		v, err := readIDX(p, f)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	shape := s.trainImages.shape
	return &raw{
		c: 1, h: shape[1], w: shape[2],
		train: rawSplit{values[0], values[1]},
		test:  rawSplit{values[2], values[3]},
	}, nil
}

// normalisation is the reference's: pixels map to (p/255 - 0.5)/0.5.
func (s idxSet) normalisation() (mean, std []float32) { return []float32{0.5}, []float32{0.5} }

func (s idxSet) howToGet(dir string) string {
	return fmt.Sprintf("run `make data` (or `neuroplastic data`) to fetch it into %s", dir)
}

func (s idxSet) sizes() (train, test int) { return s.trainImages.shape[0], s.testImages.shape[0] }
