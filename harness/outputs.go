package harness

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// nestedDirs are the folders of a results directory that outputs never
// include: the run store and the results trees nested in it.
var nestedDirs = []string{"runs", "quick", "powered", "slurm"}

// snapshot is the file state of a results directory's outputs, by path.
type snapshot map[string]fs.FileInfo

// takeSnapshot records every file under dir except those in nestedDirs.
// A missing dir is an empty snapshot.
func takeSnapshot(dir string) (snapshot, error) {
	s := snapshot{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist) && path == dir:
			return filepath.SkipAll
		case err != nil:
			return err
		case d.IsDir() && filepath.Dir(path) == filepath.Clean(dir) && slices.Contains(nestedDirs, d.Name()):
			return filepath.SkipDir
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			s[path] = fi
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("harness: listing the outputs in %s: %w", dir, err)
	}
	return s, nil
}

// written returns, sorted, the files under dir written since the snapshot:
// new ones, and ones replaced (every output is written to a new file and
// renamed) or modified in place.
func (s snapshot) written(dir string) ([]string, error) {
	now, err := takeSnapshot(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for path, fi := range now {
		old, ok := s[path]
		if !ok || !os.SameFile(old, fi) || !old.ModTime().Equal(fi.ModTime()) || old.Size() != fi.Size() {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out, nil
}

// printWritten prints the files written under dir, one per line.
func printWritten(log io.Writer, dir string, files []string) {
	fmt.Fprintf(log, "report: wrote %d files under %s:\n", len(files), dir)
	for _, f := range files {
		fmt.Fprintf(log, "  %s\n", f)
	}
}
