package data

import (
	"archive/tar"
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html):
// each batch file is a sequence of records of one label byte followed by
// the 32x32 image as 1024 red, 1024 green and 1024 blue bytes (row-major),
// which is already the CHW layout. The archive cifar-10-binary.tar.gz holds
// the batches under cifar-10-batches-bin/.

const (
	cifarArchive = "cifar-10-binary.tar.gz"  // the canonical archive
	cifarBinDir  = "cifar-10-batches-bin"    // the folder the archive extracts to
	cifarSums    = "cifar-10-batches.sha256" // SHA-256 of each batch, recorded from the verified archive
	cifarImage   = 3 * 32 * 32               // bytes of one image
	cifarTrain   = 5                         // the first five batches are the training set
)

// cifarBatches names the batch files in the order their records are used:
// data_batch_1..5 make the training set, test_batch the test set.
var cifarBatches = [...]string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}

// cifarFiles describes the CIFAR-10 files.
type cifarFiles struct {
	records int    // records per batch file
	md5     string // hex MD5 of the archive file
	url     string // where the archive can be downloaded, for messages
}

// newCIFARRaw allocates the raw arrays for f.
func newCIFARRaw(f cifarFiles) *raw {
	train := cifarTrain * f.records
	return &raw{
		c: 3, h: 32, w: 32,
		train: rawSplit{make([]byte, train*cifarImage), make([]byte, train)},
		test:  rawSplit{make([]byte, f.records*cifarImage), make([]byte, f.records)},
	}
}

// cifarBatch returns the destination in r of batch k (an index into
// cifarBatches) of records records.
func cifarBatch(r *raw, k, records int) (images, labels []byte) {
	if k == cifarTrain {
		return r.test.x, r.test.y
	}
	return r.train.x[k*records*cifarImage : (k+1)*records*cifarImage], r.train.y[k*records : (k+1)*records]
}

// parseCIFARBatch reads one batch of len(labels) records from r.
func parseCIFARBatch(r io.Reader, images, labels []byte) error {
	const record = 1 + cifarImage
	buf := make([]byte, len(labels)*record)
	if err := readFull(r, buf, fmt.Sprintf("the batch (%d records of %d bytes)", len(labels), record)); err != nil {
		return err
	}
	for i := range labels {
		labels[i] = buf[i*record]
		copy(images[i*cifarImage:(i+1)*cifarImage], buf[i*record+1:(i+1)*record])
	}
	return checkLabels(labels)
}

// cifarLocation is where the CIFAR-10 files of one directory are: the
// archive, or the folder of extracted batches.
type cifarLocation struct {
	archive string // path of cifar-10-binary.tar.gz, or ""
	bins    string // folder holding all six .bin batches, or ""
	sums    string // path of the file recording the batches' SHA-256
}

// locateCIFAR looks for the archive in dir, then for the six batches in
// dir/cifar-10-batches-bin and in dir itself.
func locateCIFAR(dir string) (cifarLocation, bool) {
	loc := cifarLocation{sums: filepath.Join(dir, cifarSums)}
	if p := filepath.Join(dir, cifarArchive); isFile(p) {
		loc.archive = p
		return loc, true
	}
	for _, d := range []string{filepath.Join(dir, cifarBinDir), dir} {
		if !slices.ContainsFunc(cifarBatches[:], func(b string) bool { return !isFile(filepath.Join(d, b)) }) {
			loc.bins = d
			return loc, true
		}
	}
	return loc, false
}

// readCIFAR reads and verifies the CIFAR-10 files at loc. The archive is
// checked against f's MD5, and the SHA-256 of its batches is recorded in
// loc.sums (with a line to log), marked as coming from the archive of that
// MD5. Extracted batches are accepted only when such a record exists and
// they match it: the dataset's authors publish only the archive's MD5
// (https://www.cs.toronto.edu/~kriz/cifar.html), no hash of the batch
// files, so a folder that never came out of a verified archive cannot be
// verified and is refused.
func readCIFAR(loc cifarLocation, f cifarFiles, log io.Writer) (*raw, error) {
	if loc.archive == "" {
		r, _, err := readCIFARBins(loc, f)
		return r, err
	}
	r, sums, err := readCIFARArchive(loc.archive, f)
	if err != nil {
		return nil, err
	}
	if recorded, ok, err := readSums(loc.sums, f); err != nil || !ok || !maps.Equal(recorded, sums) {
		if err := writeSums(loc.sums, sums, f); err != nil {
			fmt.Fprintf(log, "data: could not record the CIFAR-10 batch checksums: %v\n", err)
		} else {
			fmt.Fprintf(log, "data: recorded the SHA-256 of the CIFAR-10 batches in %s\n", loc.sums)
		}
	}
	return r, nil
}

// readCIFARArchive reads the batches from the tar.gz archive at p, checks
// each batch's format, and the MD5 of the whole archive file.
func readCIFARArchive(p string, f cifarFiles) (*raw, map[string]string, error) {
	file, err := os.Open(p)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	defer file.Close()
	h := md5.New()
	whole := io.TeeReader(file, h) // every byte of the file passes here once
	d, err := openDecoded(whole)
	if err != nil {
		return nil, nil, corrupt(p, "%v", err)
	}
	r := newCIFARRaw(f)
	sums := map[string]string{}
	tr := tar.NewReader(d)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, corrupt(p, "bad tar archive: %v", err)
		}
		name := path.Base(hdr.Name)
		k := slices.Index(cifarBatches[:], name)
		if k < 0 || hdr.Typeflag != tar.TypeReg {
			continue
		}
		if _, dup := sums[name]; dup {
			return nil, nil, corrupt(p, "archive holds %s twice", name)
		}
		images, labels := cifarBatch(r, k, f.records)
		entry, err := openDecoded(tr)
		if err == nil {
			err = parseCIFARBatch(entry, images, labels)
		}
		if err == nil {
			sums[name], err = entry.finish()
		}
		if err != nil {
			return nil, nil, corrupt(p, "%s: %v", hdr.Name, err)
		}
	}
	// Drain the compressed stream (checking its CRC) and the file, so the
	// MD5 covers every byte.
	if _, err := io.Copy(io.Discard, d); err != nil {
		return nil, nil, corrupt(p, "%v", readProblem(err))
	}
	if _, err := io.Copy(io.Discard, whole); err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", p, err)
	}
	for _, b := range cifarBatches {
		if _, ok := sums[b]; !ok {
			return nil, nil, corrupt(p, "archive lacks %s", b)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.md5 {
		return nil, nil, corrupt(p, "MD5 of the archive is %s, expected %s (the file is damaged or not the original)", got, f.md5)
	}
	return r, sums, nil
}

// readCIFARBins reads the six extracted batch files in loc.bins, checking
// them against the SHA-256 recorded from the verified archive.
func readCIFARBins(loc cifarLocation, f cifarFiles) (*raw, map[string]string, error) {
	recorded, ok, err := readSums(loc.sums, f)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("data: %s: the extracted CIFAR-10 batches cannot be verified: %s holds no SHA-256 "+
			"recorded from the archive with MD5 %s; put %s in %s and run `make data` once to record them",
			loc.bins, loc.sums, f.md5, cifarArchive, filepath.Dir(loc.sums))
	}
	r := newCIFARRaw(f)
	sums := map[string]string{}
	for k, b := range cifarBatches {
		images, labels := cifarBatch(r, k, f.records)
		sum, err := readFile(filepath.Join(loc.bins, b), recorded[b], func(r io.Reader) error {
			return parseCIFARBatch(r, images, labels)
		})
		if err != nil {
			return nil, nil, err
		}
		sums[b] = sum
	}
	return r, sums, nil
}

// sumsHeader is the first line of the record of the batches' SHA-256: it
// marks the record as made from the archive with MD5 md5.
func sumsHeader(md5 string) string {
	return "# SHA-256 of the batches of " + cifarArchive + " with MD5 " + md5 + ", read by neuroplastic"
}

// readSums reads the record at p: sumsHeader, then sha256sum-style
// "<hex>  <name>" lines. ok is true only when the file exists, starts with
// the header of f's archive and names every batch.
func readSums(p string, f cifarFiles) (sums map[string]string, ok bool, err error) {
	sums = map[string]string{}
	file, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return sums, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("data: %w", err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			ok = sc.Text() == sumsHeader(f.md5)
			continue
		}
		sum, name, found := strings.Cut(sc.Text(), "  ")
		if !found || len(sum) != 64 {
			return nil, false, corrupt(p, "line %d is not \"<sha256>  <file>\"", line)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, false, fmt.Errorf("data: %s: %w", p, err)
	}
	for _, b := range cifarBatches {
		ok = ok && sums[b] != ""
	}
	return sums, ok, nil
}

// writeSums records the batches' SHA-256 read from f's archive at p,
// atomically.
func writeSums(p string, sums map[string]string, f cifarFiles) error {
	var b strings.Builder
	b.WriteString(sumsHeader(f.md5) + "\n")
	for _, name := range cifarBatches {
		fmt.Fprintf(&b, "%s  %s\n", sums[name], name)
	}
	return writeAtomic(p, strings.NewReader(b.String()), nil)
}

func (f cifarFiles) missing(dir string) []string {
	if _, ok := locateCIFAR(dir); ok {
		return nil
	}
	return []string{cifarArchive}
}

func (f cifarFiles) verify(dir string, log io.Writer) error {
	loc, ok := locateCIFAR(dir)
	if !ok {
		return nil
	}
	_, err := readCIFAR(loc, f, log)
	return err
}

func (f cifarFiles) verifyFetched(path, _ string) error {
	_, _, err := readCIFARArchive(path, f)
	return err
}

// inputs are the archive, or the extracted batches and the record of their
// SHA-256 that vouches for them (so removing or changing the record
// invalidates the decoded cache too).
func (f cifarFiles) inputs(dir string) []string {
	loc, _ := locateCIFAR(dir)
	if loc.archive != "" {
		return []string{loc.archive}
	}
	paths := []string{loc.sums}
	for _, b := range cifarBatches {
		paths = append(paths, filepath.Join(loc.bins, b))
	}
	return paths
}

func (f cifarFiles) load(dir string, log io.Writer) (*raw, error) {
	loc, ok := locateCIFAR(dir)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrMissing, filepath.Join(dir, cifarArchive))
	}
	return readCIFAR(loc, f, log)
}

// normalisation is the reference's per-channel one.
func (f cifarFiles) normalisation() (mean, std []float32) {
	return []float32{0.491, 0.482, 0.447}, []float32{0.247, 0.243, 0.262}
}

func (f cifarFiles) howToGet(dir string) string {
	return fmt.Sprintf("download %s (MD5 %s) on a machine with internet "+
		"and put it at %s (or put its extracted %s/ folder in %s), then run `make data` to verify it",
		f.url, f.md5, filepath.Join(dir, cifarArchive), cifarBinDir, dir)
}

func (f cifarFiles) sizes() (train, test int) { return cifarTrain * f.records, f.records }
