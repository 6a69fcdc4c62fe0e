package data

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// testServer serves files by URL path over HTTPS and counts requests.
type testServer struct {
	*httptest.Server
	files    map[string][]byte
	requests atomic.Int64
}

func newTestServer(t *testing.T, files map[string][]byte) *testServer {
	s := &testServer{files: files}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		b, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

// source returns an HTTPS source for the server's folder folder.
func (s *testServer) source(folder string) httpsSource {
	return httpsSource{base: s.URL + folder, client: s.Client()}
}

// testSpecs returns the specs of a tiny IDX dataset ("tiny", required) and a
// tiny CIFAR dataset ("tinycifar") fetched from the given sources.
func testSpecs(idx tinyIDX, cifar tinyCIFAR, idxSources, cifarSources []source) []*datasetSpec {
	return []*datasetSpec{
		{name: "tiny", title: "Tiny", format: idx.set, sources: idxSources, required: true},
		{name: "tinycifar", title: "TinyCIFAR", format: cifar.files, sources: cifarSources},
	}
}

// serverFiles returns the gzip IDX files under /idx/ and the archive under
// /cifar/.
func serverFiles(t *testing.T, idx tinyIDX, cifar tinyCIFAR) map[string][]byte {
	files := map[string][]byte{"/cifar/" + cifarArchive: cifar.archive}
	for name, b := range idx.content {
		files["/idx/"+name+".gz"] = gzipBytes(t, b)
	}
	return files
}

// tempFiles lists the temporary files left under dir.
func tempFiles(t *testing.T, dir string) []string {
	var left []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			left = append(left, p)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return left
}

// TestFetchHTTPS fetches both tiny datasets from a test HTTPS server, checks
// where they land and what is reported, then checks that a second run only
// verifies and that the fetched files load.
func TestFetchHTTPS(t *testing.T) {
	idx, cifar := newTinyIDX(), newTinyCIFAR(t)
	srv := newTestServer(t, serverFiles(t, idx, cifar))
	specs := testSpecs(idx, cifar, []source{srv.source("/idx/")}, []source{srv.source("/cifar/")})
	dir := t.TempDir()
	var out strings.Builder
	if err := fetch(context.Background(), specs, dir, output{log: &out}); err != nil {
		t.Fatal(err)
	}
	for _, f := range idx.set.files() {
		if !isFile(filepath.Join(dir, "tiny", f.name+".gz")) {
			t.Errorf("%s not installed", f.name)
		}
	}
	if !isFile(filepath.Join(dir, "tinycifar", cifarArchive)) {
		t.Error("archive not installed")
	}
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	for _, want := range []string{"Tiny", srv.URL + "/idx/", "TinyCIFAR", srv.URL + "/cifar/", "present", "ok"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "missing") {
		t.Errorf("output reports something missing:\n%s", out.String())
	}

	before := srv.requests.Load()
	out.Reset()
	if err := fetch(context.Background(), specs, dir, output{log: &out}); err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load() - before; n != 0 {
		t.Errorf("second fetch made %d requests", n)
	}
	if !strings.Contains(out.String(), "data directory") || !strings.Contains(out.String(), "verified") {
		t.Errorf("second fetch output:\n%s", out.String())
	}

	for i, want := range [][2]int{{6, 3}, {10, 2}} { // tiny: 6+3 images; tinycifar: 5 batches of 2 + 1
		ds, err := specs[i].load(dir, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Name != specs[i].name || ds.Train.N != want[0] || ds.Test.N != want[1] {
			t.Errorf("%s: loaded %q with %d training and %d test examples", specs[i].name, ds.Name, ds.Train.N, ds.Test.N)
		}
	}
}

// TestFetchBadChecksum serves a damaged file: it must be discarded (no file,
// no temporary left) and reported; a later source with the good file wins.
func TestFetchBadChecksum(t *testing.T) {
	idx, cifar := newTinyIDX(), newTinyCIFAR(t)
	files := serverFiles(t, idx, cifar)
	bad := map[string][]byte{}
	for p, b := range files {
		bad[strings.Replace(p, "/idx/", "/bad/", 1)] = b
	}
	labels := idx.set.trainLabels.name + ".gz"
	damaged := append([]byte(nil), idx.content[idx.set.trainLabels.name]...)
	damaged[len(damaged)-1] = (damaged[len(damaged)-1] + 1) % numClasses
	bad["/bad/"+labels] = gzipBytes(t, damaged)
	batches := map[string][]byte{}
	for name, b := range cifar.batches {
		batches[cifarBinDir+"/"+name] = b
	}
	batches[cifarBinDir+"/test_batch.bin"] = append([]byte{9}, batches[cifarBinDir+"/test_batch.bin"][1:]...)
	bad["/bad/"+cifarArchive] = tarGz(t, batches) // valid, but not the pinned archive
	srv := newTestServer(t, bad)
	good := newTestServer(t, files)

	t.Run("only source", func(t *testing.T) {
		dir := t.TempDir()
		var out strings.Builder
		err := fetch(context.Background(), testSpecs(idx, cifar, []source{srv.source("/bad/")}, []source{srv.source("/bad/")}), dir, output{log: &out})
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		wantErr(t, err, "data: "+labels+" from "+srv.URL+"/bad/: SHA-256 of the decompressed content is", "it was discarded",
			"data: "+cifarArchive+" from "+srv.URL+"/bad/: MD5 of the archive is ", "expected "+cifar.files.md5)
		if isFile(filepath.Join(dir, "tiny", labels)) || isFile(filepath.Join(dir, "tinycifar", cifarArchive)) {
			t.Error("a damaged file was installed")
		}
		if left := tempFiles(t, dir); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
		if !strings.Contains(out.String(), "missing") {
			t.Errorf("output does not report the datasets missing:\n%s", out.String())
		}
	})
	t.Run("good second source", func(t *testing.T) {
		dir := t.TempDir()
		var out strings.Builder
		err := fetch(context.Background(), testSpecs(idx, cifar,
			[]source{srv.source("/bad/"), good.source("/idx/")}, []source{srv.source("/bad/"), good.source("/cifar/")}), dir, output{log: &out})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), good.URL+"/idx/") || !strings.Contains(out.String(), "it was discarded") {
			t.Errorf("output:\n%s", out.String())
		}
	})
}

// TestFetchUnreachable checks that unreachable and 404 sources leave a
// required dataset missing (an error) and CIFAR missing with the
// instruction (no error).
func TestFetchUnreachable(t *testing.T) {
	idx, cifar := newTinyIDX(), newTinyCIFAR(t)
	closed := newTestServer(t, nil)
	closed.Close()
	empty := newTestServer(t, nil)
	dir := t.TempDir()
	var out strings.Builder
	err := fetch(context.Background(), testSpecs(idx, cifar,
		[]source{closed.source("/idx/"), empty.source("/idx/")}, []source{empty.source("/cifar/")}), dir, output{log: &out})
	if !errors.Is(err, ErrMissing) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("error %v, want ErrMissing only", err)
	}
	wantErr(t, err, "data: dataset files missing: no source could provide Tiny")
	for _, want := range []string{
		"404 Not Found",
		"TinyCIFAR is missing: download https://example.invalid/cifar-10-binary.tar.gz (MD5 " + cifar.files.md5 + ")",
		"put it at " + filepath.Join(dir, "tinycifar", cifarArchive),
		"Tiny is missing: run `make data`",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	// CIFAR alone missing is not an error.
	specs := testSpecs(idx, cifar, nil, []source{closed.source("/cifar/")})
	idx.writeGz(t, filepath.Join(dir, "tiny"))
	if err := fetch(context.Background(), specs, dir, output{log: io.Discard}); err != nil {
		t.Errorf("missing CIFAR gave error %v", err)
	}
}

// TestFetchCorruptDataDir checks that a damaged file already in the data
// directory is reported as an error and left alone.
func TestFetchCorruptDataDir(t *testing.T) {
	idx, cifar := newTinyIDX(), newTinyCIFAR(t)
	dir := t.TempDir()
	idx.writeGz(t, filepath.Join(dir, "tiny"))
	p := writeFile(t, filepath.Join(dir, "tiny"), idx.set.testImages.name+".gz", []byte("not gzip"))
	writeFile(t, filepath.Join(dir, "tinycifar"), cifarArchive, cifar.archive)
	var out strings.Builder
	err := fetch(context.Background(), testSpecs(idx, cifar, nil, nil), dir, output{log: &out})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("error %v does not wrap ErrCorrupt", err)
	}
	wantErr(t, err, "data: "+p+": not an IDX file", "delete the file and rerun `make data`")
	if !strings.Contains(out.String(), "FAILED") {
		t.Errorf("table does not show the failure:\n%s", out.String())
	}
	if b, _ := os.ReadFile(p); string(b) != "not gzip" {
		t.Error("the damaged file was changed")
	}
}

// TestWriteAtomic checks that a failed copy or verification leaves nothing.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "sub", "f")
	fail := errors.New("bad")
	if err := writeAtomic(dst, strings.NewReader("x"), func(string) error { return fail }); !errors.Is(err, fail) {
		t.Errorf("error %v, want the verifier's", err)
	}
	if err := writeAtomic(dst, iotest(fail), nil); !errors.Is(err, fail) {
		t.Errorf("error %v, want the reader's", err)
	}
	if isFile(dst) || len(tempFiles(t, dir)) > 0 {
		t.Error("a file was left behind")
	}
	if err := writeAtomic(dst, strings.NewReader("x"), func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != "x" {
		t.Errorf("read %q, %v", b, err)
	}
}

// iotest returns a reader that fails with err after a few bytes.
func iotest(err error) io.Reader {
	return io.MultiReader(strings.NewReader("partial"), errReader{err})
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestFetchProgressAndCancel checks that downloads are reported to the
// progress function given instead of as lines, and that a cancelled context
// stops a fetch before it installs anything.
func TestFetchProgressAndCancel(t *testing.T) {
	idx, cifar := newTinyIDX(), newTinyCIFAR(t)
	srv := newTestServer(t, serverFiles(t, idx, cifar))
	specs := testSpecs(idx, cifar, []source{srv.source("/idx/")}, []source{srv.source("/cifar/")})

	var labels []string
	var bytesRead int64
	progress := func(r io.Reader, size int64, label string) (io.Reader, func(error)) {
		labels = append(labels, label)
		return &countingReader{r: r, n: &bytesRead}, func(err error) {
			if err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
	}
	var out strings.Builder
	if err := fetch(context.Background(), specs, t.TempDir(), output{log: &out, progress: progress}); err != nil {
		t.Fatal(err)
	}
	if len(labels) != 5 || bytesRead == 0 { // four IDX files and the archive
		t.Errorf("progress saw %d downloads (%q), %d bytes", len(labels), labels, bytesRead)
	}
	if strings.Contains(out.String(), "downloading") {
		t.Errorf("download lines written although a progress function was given:\n%s", out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	before := srv.requests.Load()
	if err := fetch(ctx, specs, dir, output{log: io.Discard}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fetch: error %v", err)
	}
	if n := srv.requests.Load() - before; n != 0 {
		t.Errorf("cancelled fetch made %d requests", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cancelled fetch left %d entries in the data directory", len(entries))
	}
}

// countingReader counts the bytes read through it into *n.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	*c.n += int64(k)
	return k, err
}

// folderSource is a source whose files sit in a local folder, as the Go
// module cache holds MNIST's.
type folderSource struct{ dir string }

func (s folderSource) String() string   { return "folder " + s.dir }
func (s folderSource) localDir() string { return s.dir }
func (s folderSource) fetch(_ context.Context, names []string, put putFunc, _ output) error {
	return putFiles(s.dir, names, put)
}

// TestFetchUnwritable checks a data directory where the dataset's folder
// cannot be made (a file is in its place): Fetch stops at the first source
// with an error naming the cause, instead of trying every other source and
// calling the dataset missing; when a source's own folder holds the whole
// set, the dataset is reported present there (Load reads it in place).
func TestFetchUnwritable(t *testing.T) {
	idx, cifar := newTinyIDX(), newTinyCIFAR(t)
	srv := newTestServer(t, serverFiles(t, idx, cifar))
	dir := t.TempDir()
	writeFile(t, dir, "tiny", []byte("a file where the folder should be"))
	specs := testSpecs(idx, cifar, []source{srv.source("/idx/"), srv.source("/idx/")}, nil)[:1]
	var out strings.Builder
	err := fetch(context.Background(), specs, dir, output{log: &out})
	if err == nil || !strings.Contains(err.Error(), "cannot write "+filepath.Join(dir, "tiny")) ||
		!strings.Contains(err.Error(), "use a writable data directory") {
		t.Fatalf("fetch: %v, want the unwritable folder named\n%s", err, out.String())
	}
	if n := srv.requests.Load(); n > 1 {
		t.Errorf("%d requests: the second source was tried too", n)
	}
	if strings.Contains(out.String(), "is missing") {
		t.Errorf("output calls the dataset missing:\n%s", out.String())
	}

	folder := t.TempDir()
	idx.writeGz(t, folder)
	specs[0].sources = []source{folderSource{folder}}
	out.Reset()
	if err := fetch(context.Background(), specs, dir, output{log: &out}); err != nil {
		t.Fatalf("fetch with the set in a source's folder: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "verified in place in "+folder) {
		t.Errorf("output does not report the set in place:\n%s", out.String())
	}
}
