package data

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
)

// ErrCorrupt is wrapped by every error about a data file that is present but
// damaged or not the original: a bad checksum, a wrong magic number or shape,
// a truncated or over-long file, an out-of-range label, a broken gzip stream.
var ErrCorrupt = errors.New("data: corrupt data file")

// remedy is what every corrupt-file message tells the user to do.
const remedy = "delete the file and rerun `make data`"

// corruptError is a problem with one data file. It matches ErrCorrupt.
type corruptError struct {
	path    string // the file
	problem string // what is wrong with it
	remedy  string // what the user should do
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("data: %s: %s; %s", e.path, e.problem, e.remedy)
}

// Is reports whether target is ErrCorrupt.
func (e *corruptError) Is(target error) bool { return target == ErrCorrupt }

// corrupt returns the error for a problem with the file at path.
func corrupt(path, format string, args ...any) error {
	return &corruptError{path: path, problem: fmt.Sprintf(format, args...), remedy: remedy}
}

// relabel returns err with the file named what and the remedy replaced when
// err is a corruptError (a fetched file checked under a temporary name), and
// err itself otherwise.
func relabel(err error, what, remedy string) error {
	var ce *corruptError
	if errors.As(err, &ce) {
		return &corruptError{path: what, problem: ce.problem, remedy: remedy}
	}
	return err
}

// gzipMagic starts every gzip stream.
var gzipMagic = [2]byte{0x1f, 0x8b}

// decoded is one file's content stream: decompressed when the file is gzip
// (recognised by its magic, whatever its name), hashed as it is read.
type decoded struct {
	io.Reader           // the content
	sum       hash.Hash // SHA-256 of the content read so far
}

// openDecoded wraps r, the bytes of a file, into its content stream.
func openDecoded(r io.Reader) (*decoded, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var content io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == gzipMagic[0] && head[1] == gzipMagic[1] {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("bad gzip header: %v", err)
		}
		content = zr
	}
	d := &decoded{sum: sha256.New()}
	d.Reader = io.TeeReader(content, d.sum)
	return d, nil
}

// finish checks that nothing follows the parsed content and returns the
// hex SHA-256 of the whole content.
func (d *decoded) finish() (string, error) {
	n, err := io.Copy(io.Discard, d)
	if err != nil {
		return "", readProblem(err)
	}
	if n > 0 {
		return "", fmt.Errorf("%d unexpected bytes after the data", n)
	}
	return hex.EncodeToString(d.sum.Sum(nil)), nil
}

// readProblem describes an error met while reading a content stream.
func readProblem(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated or damaged compressed stream")
	}
	return fmt.Errorf("unreadable content: %v", err)
}

// readFull reads exactly len(buf) bytes of what, reporting a short read as
// a truncated file.
func readFull(r io.Reader, buf []byte, what string) error {
	n, err := io.ReadFull(r, buf)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("truncated: %s has %d of %d bytes", what, n, len(buf))
	default:
		return readProblem(err)
	}
}

// readFile parses the file at path with parse, checks that nothing follows
// and that the SHA-256 of its (decompressed) content is want, and returns
// that SHA-256. An empty want accepts any content; callers record the
// returned sum then. Problems with the content are corruptErrors naming the
// file; failing to open it is an ordinary error.
func readFile(path, want string, parse func(r io.Reader) error) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	d, err := openDecoded(f)
	if err != nil {
		return "", corrupt(path, "%v", err)
	}
	if err := parse(d); err != nil {
		return "", corrupt(path, "%v", err)
	}
	got, err := d.finish()
	if err != nil {
		return "", corrupt(path, "%v", err)
	}
	if want != "" && got != want {
		return "", corrupt(path, "SHA-256 of the decompressed content is %s, expected %s (the file is damaged or not the original)", got, want)
	}
	return got, nil
}
