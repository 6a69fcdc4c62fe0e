package data

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// source is a place Fetch can get a dataset's files from.
type source interface {
	// String describes the source for reports.
	String() string
	// localDir returns a folder that already holds the files and can be
	// read without network, or "" when there is none.
	localDir() string
	// fetch obtains the named files and hands each to put with its
	// content, reporting to out.
	fetch(ctx context.Context, names []string, put putFunc, out output) error
}

// putFunc installs one fetched file.
type putFunc func(name string, r io.Reader) error

// Time limits of the sources. Generous for slow links, short enough that a
// machine without network learns it at once.
const (
	goDownloadTimeout = 5 * time.Minute
	aptTimeout        = 15 * time.Minute
	dialTimeout       = 10 * time.Second
	headerTimeout     = 30 * time.Second
	stallTimeout      = time.Minute // a download that delivers nothing for this long is abandoned
)

// putFiles opens each name in dir and hands it to put.
func putFiles(dir string, names []string, put putFunc) error {
	for _, name := range names {
		if err := putFile(filepath.Join(dir, name), name, put); err != nil {
			return err
		}
	}
	return nil
}

// putFile hands the file at p to put as name.
func putFile(p, name string, put putFunc) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return put(name, f)
}

// goModuleSource is a Go module that ships the files in its folder sub,
// downloaded through the module proxy with `go mod download`.
type goModuleSource struct {
	path, version, sub string
}

func (s goModuleSource) String() string { return "Go module " + s.path + "@" + s.version }

// localDir returns the files' folder when the module is in the module
// cache already (asked with GOPROXY=off, so without network).
func (s goModuleSource) localDir() string {
	ctx, cancel := context.WithTimeout(context.Background(), goDownloadTimeout)
	defer cancel()
	dir, err := s.download(ctx, true)
	if err != nil {
		return ""
	}
	return dir
}

func (s goModuleSource) fetch(ctx context.Context, names []string, put putFunc, _ output) error {
	ctx, cancel := context.WithTimeout(ctx, goDownloadTimeout)
	defer cancel()
	dir, err := s.download(ctx, false)
	if err != nil {
		return err
	}
	return putFiles(dir, names, put)
}

// download runs `go mod download -json` for the module (only from the
// module cache when offline) and returns the folder holding the files. It
// runs outside any module so that no go.mod or go.sum is touched.
func (s goModuleSource) download(ctx context.Context, offline bool) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not installed")
	}
	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", s.path+"@"+s.version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if offline {
		cmd.Env = append(cmd.Env, "GOPROXY=off")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.Error != "" || runErr != nil {
		return "", fmt.Errorf("go mod download failed: %s", firstOf(info.Error, stderr.String(), errString(runErr), errString(err)))
	}
	return filepath.Join(info.Dir, s.sub), nil
}

// debianSource is a Debian package that ships the files in its folder sub:
// read in place when the package is installed, else fetched with
// `apt-get download` and unpacked with `dpkg-deb -x` into a temporary
// folder.
type debianSource struct {
	pkg, sub string
}

func (s debianSource) String() string { return "Debian package " + s.pkg }

func (s debianSource) localDir() string {
	dir := filepath.Join(string(filepath.Separator), s.sub)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir
	}
	return ""
}

func (s debianSource) fetch(ctx context.Context, names []string, put putFunc, out output) error {
	log := out.log
	if dir := s.localDir(); dir != "" {
		return putFiles(dir, names, put)
	}
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("skipped: %s is not installed (not a Debian or Ubuntu system)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, aptTimeout)
	defer cancel()
	tmp, err := os.MkdirTemp("", "neuroplastic-deb-")
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := run(ctx, tmp, "apt-get", "download", s.pkg); err != nil {
		// Stale or absent package lists are the usual cause; refreshing
		// them needs root.
		if os.Geteuid() != 0 {
			return fmt.Errorf("skipped: %v; refreshing the package lists (apt-get update) needs root", err)
		}
		fmt.Fprintf(log, "%s: apt-get download failed, refreshing the package lists (apt-get update)\n", s)
		if _, err := run(ctx, tmp, "apt-get", "-o", "DPkg::Lock::Timeout=600", "update"); err != nil {
			return err
		}
		if _, err := run(ctx, tmp, "apt-get", "download", s.pkg); err != nil {
			return err
		}
	}
	debs, err := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if err != nil || len(debs) != 1 {
		return fmt.Errorf("apt-get download left %d .deb files, expected 1", len(debs))
	}
	root := filepath.Join(tmp, "root")
	if _, err := run(ctx, tmp, "dpkg-deb", "-x", debs[0], root); err != nil {
		return err
	}
	return putFiles(filepath.Join(root, s.sub), names, put)
}

// run runs a command in dir and returns its combined output; the error
// quotes the output's last line.
func run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return out, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, lines[len(lines)-1])
	}
	return out, nil
}

// httpsSource is a web folder holding the files under their names.
type httpsSource struct {
	base   string       // URL of the folder, ending in "/"
	client *http.Client // nil: a client with short connection time limits
}

func (s httpsSource) String() string { return s.base }

func (s httpsSource) localDir() string { return "" }

func (s httpsSource) fetch(ctx context.Context, names []string, put putFunc, out output) error {
	client := s.client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: dialTimeout}).DialContext,
			TLSHandshakeTimeout:   dialTimeout,
			ResponseHeaderTimeout: headerTimeout,
		}}
	}
	for _, name := range names {
		if err := s.get(ctx, client, name, put, out); err != nil {
			return err
		}
	}
	return nil
}

// get downloads one file and hands it to put, abandoning it when it stalls.
func (s httpsSource) get(ctx context.Context, client *http.Client, name string, put putFunc, out output) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	url := s.base + name
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	watchdog := time.AfterFunc(stallTimeout, cancel)
	defer watchdog.Stop()
	body := &stallReader{r: resp.Body, watchdog: watchdog}
	r, done := out.download(body, resp.ContentLength, url)
	err = put(name, r)
	done(err)
	return err
}

// stallReader re-arms its watchdog on every read.
type stallReader struct {
	r        io.Reader
	watchdog *time.Timer
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.watchdog.Reset(stallTimeout)
	return n, err
}

// ProgressFunc reports the progress of one download of size bytes (-1 when
// unknown) named label: it is called as the download starts and returns the
// reader to read the download from instead of r (r wrapped to count bytes,
// typically) and a function to call with the outcome when it ends.
type ProgressFunc func(r io.Reader, size int64, label string) (io.Reader, func(error))

// output is where a fetch reports: lines to log and each download's
// progress to progress, or when that is nil, one line to log as a download
// starts and one as it ends.
type output struct {
	log      io.Writer
	progress ProgressFunc
}

// download reports the download r of size bytes named label (see
// ProgressFunc).
func (o output) download(r io.Reader, size int64, label string) (io.Reader, func(error)) {
	if o.progress != nil {
		return o.progress(r, size, label)
	}
	fmt.Fprintf(o.log, "downloading %s (%s)\n", label, formatSize(size))
	return r, func(err error) {
		if err == nil {
			fmt.Fprintf(o.log, "downloaded %s\n", label)
		}
	}
}

// formatSize formats a byte count for progress lines.
func formatSize(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// writeAtomic writes the content of r to dst through a temporary file in
// the same folder, which verify (nil: no check) checks before it is renamed
// to dst. On any error the temporary file is removed and dst is untouched,
// so no half-written or unverified file is ever left under dst's name.
func writeAtomic(dst string, r io.Reader, verify func(tmp string) error) error {
	if err := atomicfile.WriteFrom(dst, r, verify); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// isFile reports whether p is an existing regular file (or a link to one).
func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// firstOf returns the first non-blank string, trimmed.
func firstOf(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return "unknown error"
}

// errString returns err's message, or "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
