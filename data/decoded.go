package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// The decoded cache. Reading a dataset from its files (decompressing,
// SHA-256 over every byte, parsing) costs about a second per process; the
// first Load of a dataset therefore writes its verified raw bytes to
// decodedName in the dataset's folder of the data directory, and later Loads
// map that file instead (docs/performance.md, "Start-up"). The file is used
// only when its key matches: a SHA-256 over the cache layout version, the
// dataset's format description (its pinned checksums and shapes) and the
// name, size and modification time of every input file, so replacing or
// touching a source invalidates it (names, not paths: one folder reached by
// two spellings, a symbolic link say, has one cache). Its own content is
// checked on every open by its size, a CRC-32C over the header's fields and
// the payload (about 7 ms for MNIST) and the split sizes the format
// expects, and its labels are validated again. A missing, stale or damaged
// cache is simply rebuilt from the files; failing to write one costs only
// speed. A valid cache is never replaced: processes map it (MAP_SHARED),
// and replacing a mapped file on a network filesystem can fault them.
//
// Layout, little-endian: the 64-byte header
//
//	magic   [8]byte  decodedMagic
//	key     [32]byte
//	c, h, w uint32   shape of one image
//	nTrain  uint32   training examples
//	nTest   uint32   test examples
//	crc     uint32   CRC-32C (Castagnoli) of header bytes 8-59, then the payload
//
// then the payload: training images, test images, training labels, test
// labels (raw bytes, images CHW).

// decodedName is the cache's file name in a dataset's folder.
const decodedName = "decoded.cache"

// decodedMagic starts every cache file; its last byte is the layout version.
const decodedMagic = "NPDECOD\x02"

// decodedHeader is the size of the header in bytes.
const decodedHeader = 64

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// decodedKey returns the key of the cache of s when read from the files in
// dir: it changes when the format's description or any input file's path,
// size or modification time changes.
func (s *datasetSpec) decodedKey(dir string) ([32]byte, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%#v\n", decodedMagic, s.name, s.format)
	for _, p := range s.format.inputs(dir) {
		st, err := os.Stat(p)
		if err != nil {
			return [32]byte{}, fmt.Errorf("data: %w", err)
		}
		fmt.Fprintf(h, "%s\n%d %d\n", filepath.Base(p), st.Size(), st.ModTime().UnixNano())
	}
	var key [32]byte
	h.Sum(key[:0])
	return key, nil
}

// decodedHead is the header of a cache file, with the file's size.
type decodedHead struct {
	c, h, w       int    // shape of one image
	nTrain, nTest int    // examples of the splits
	crc           uint32 // of header bytes 8-59 and the payload
	fileSize      int64
}

// size is the file size the header implies.
func (h decodedHead) size() int64 {
	return decodedHeader + int64(h.nTrain+h.nTest)*(int64(h.c)*int64(h.h)*int64(h.w)+1)
}

// openCache opens the cache at path and reads its header. The file is
// nil, with no error, when there is no cache or its magic or key is not
// key's; an unreadable header is an error naming the file. The caller
// closes the file.
func openCache(path string, key [32]byte) (*os.File, decodedHead, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, decodedHead{}, nil
	}
	if err != nil {
		return nil, decodedHead{}, fmt.Errorf("data: %w", err)
	}
	var hdr [decodedHeader]byte
	st, err := f.Stat()
	if err == nil {
		_, err = io.ReadFull(f, hdr[:])
	}
	if err != nil {
		f.Close()
		return nil, decodedHead{}, fmt.Errorf("data: %s: header: %w", path, err)
	}
	if string(hdr[:8]) != decodedMagic || !bytes.Equal(hdr[8:40], key[:]) {
		f.Close()
		return nil, decodedHead{}, nil
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint32(hdr[40+4*i:])) }
	return f, decodedHead{c: u(0), h: u(1), w: u(2), nTrain: u(3), nTest: u(4), crc: uint32(u(5)), fileSize: st.Size()}, nil
}

// readDecoded returns the dataset cached at path when its key is key and
// its splits have nTrain and nTest examples. It returns nil and no error
// when there is no cache or it is stale, and nil and an error naming the
// file when the cache is unreadable or damaged.
func readDecoded(path string, key [32]byte, nTrain, nTest int) (*raw, error) {
	f, h, err := openCache(path, key)
	if f == nil || err != nil {
		return nil, err
	}
	defer f.Close()
	if h.nTrain != nTrain || h.nTest != nTest || h.c > 4 || h.h > 1<<12 || h.w > 1<<12 {
		return nil, fmt.Errorf("data: %s is damaged: its header says %d training and %d test examples of %dx%dx%d, want %d and %d",
			path, h.nTrain, h.nTest, h.c, h.h, h.w, nTrain, nTest)
	}
	if h.fileSize != h.size() {
		return nil, fmt.Errorf("data: %s has %d bytes, its header says %d", path, h.fileSize, h.size())
	}
	b, release, err := mapFile(f, int(h.size()))
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	r := &raw{c: h.c, h: h.h, w: h.w}
	if err := splitDecoded(r, b[8:decodedHeader-4], b[decodedHeader:], nTrain, nTest, h.crc); err != nil {
		release()
		return nil, fmt.Errorf("data: %s is damaged: %w", path, err)
	}
	return r, nil
}

// splitDecoded checks the header fields hdr and the payload b against
// their CRC-32C, and the labels, and points r's splits into b.
func splitDecoded(r *raw, hdr, b []byte, nTrain, nTest int, crc uint32) error {
	if got := crc32.Update(crc32.Checksum(hdr, castagnoli), castagnoli, b); got != crc {
		return fmt.Errorf("CRC-32C %08x, its header says %08x", got, crc)
	}
	take := func(n int) []byte {
		s := b[:n:n]
		b = b[n:]
		return s
	}
	img := r.c * r.h * r.w
	r.train.x, r.test.x = take(nTrain*img), take(nTest*img)
	r.train.y, r.test.y = take(nTrain), take(nTest)
	if err := checkLabels(r.train.y); err != nil {
		return err
	}
	return checkLabels(r.test.y)
}

// writeDecoded writes r with key to path, atomically, unless another
// process has put a cache of key there since seen (the file at path when
// the caller read it, nil for none): a cache others may have mapped is not
// replaced, while the stale or damaged one seen is. Temporary files of
// killed writers older than staleTemp are removed first.
func writeDecoded(path string, key [32]byte, r *raw, seen os.FileInfo) error {
	removeStaleTemps(path)
	hdr := make([]byte, 0, decodedHeader)
	hdr = append(append(hdr, decodedMagic...), key[:]...)
	for _, v := range []int{r.c, r.h, r.w, len(r.train.y), len(r.test.y)} {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(v))
	}
	payload := [][]byte{r.train.x, r.test.x, r.train.y, r.test.y}
	crc := crc32.Checksum(hdr[8:], castagnoli)
	for _, p := range payload {
		crc = crc32.Update(crc, castagnoli, p)
	}
	hdr = binary.LittleEndian.AppendUint32(hdr, crc)
	parts := []io.Reader{bytes.NewReader(hdr)}
	for _, p := range payload {
		parts = append(parts, bytes.NewReader(p))
	}
	err := writeAtomic(path, io.MultiReader(parts...), func(string) error {
		st, err := os.Stat(path)
		if err == nil && (seen == nil || !os.SameFile(seen, st)) && decodedPresent(path, key) {
			return errDecodedPresent
		}
		return nil
	})
	if errors.Is(err, errDecodedPresent) {
		return nil
	}
	return err
}

// errDecodedPresent stops writeDecoded when another process's cache of the
// same key is in place.
var errDecodedPresent = errors.New("data: the decoded cache is already there")

// decodedPresent reports whether path holds a cache of key whose size
// matches its header (its content is checked when it is read).
func decodedPresent(path string, key [32]byte) bool {
	f, h, err := openCache(path, key)
	if f == nil || err != nil {
		return false
	}
	f.Close()
	return h.fileSize == h.size()
}

// staleTemp is the age from which a temporary file next to the cache is
// taken for a killed writer's: writing a cache takes seconds.
const staleTemp = time.Hour

// removeStaleTemps removes the temporary files of path (atomicfile's
// ".<name>.tmp-*") older than staleTemp, which killed writers left.
func removeStaleTemps(path string) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "."+base) || !atomicfile.IsTemp(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
