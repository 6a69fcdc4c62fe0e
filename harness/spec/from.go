package spec

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/neuroplastic/neuroplastic/optim"
)

// paperLocked is the preprint's locked NeuroPlastic configuration, filled in
// by `from: paper` under the keys the arm leaves out.
var paperLocked = []kv{{"lr", 0.1}, {"warmup_epochs", 2}, {"plasticity_scale", 2.0}}

// LockedConfigFile is the file, under the results directory, that `from:
// selected` reads: a JSON object whose "optimizer" field is a canonical
// optimizer configuration, written by the report of the mnist_tuning study.
const LockedConfigFile = "locked_config.json"

// ErrNoLockedConfig is wrapped by the spec error of `from: selected` when
// the locked configuration has not been written yet.
var ErrNoLockedConfig = errors.New("spec: no locked configuration yet")

// isError is an error that also matches target under errors.Is.
type isError struct {
	error
	target error
}

// Is reports whether target is e's target.
func (e isError) Is(target error) bool { return target == e.target }

// from resolves `from: paper` or `from: selected` into base values and the
// optimizer name they imply (set into *name, which must agree if given).
func (p *parser) from(n *yaml.Node, path string, name *string) ([]kv, error) {
	src, err := p.str(n, path)
	if err != nil {
		return nil, err
	}
	n = deref(n)
	switch src {
	case "paper":
		if *name != "" && *name != "neuroplastic" {
			return nil, p.errAt(n, path, "from: paper is a neuroplastic configuration, but name is %q", *name)
		}
		*name = "neuroplastic"
		return slices.Clone(paperLocked), nil
	case "selected":
		file := filepath.Join(p.results, LockedConfigFile)
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, isError{p.errAt(n, path, "selected: %s is missing: run the mnist_tuning study and `neuroplastic report` first", file), ErrNoLockedConfig}
		}
		if err != nil {
			return nil, p.errAt(n, path, "selected: %v", err)
		}
		var locked struct {
			Optimizer json.RawMessage `json:"optimizer"`
		}
		if err := json.Unmarshal(b, &locked); err != nil || len(locked.Optimizer) == 0 {
			return nil, p.errAt(n, path, "selected: %s: want a JSON object with an \"optimizer\" object", file)
		}
		cfg, err := optim.DecodeConfig(locked.Optimizer)
		if err != nil {
			return nil, p.errAt(n, path, "selected: %s: %v", file, err)
		}
		if *name != "" && *name != cfg.Name {
			return nil, p.errAt(n, path, "selected: %s holds a %s configuration, but name is %q", file, cfg.Name, *name)
		}
		*name = cfg.Name
		var m map[string]any
		if err := json.Unmarshal(locked.Optimizer, &m); err != nil {
			return nil, p.errAt(n, path, "selected: %s: %v", file, err)
		}
		var base []kv
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if k != "name" {
				base = append(base, kv{k, m[k]})
			}
		}
		return base, nil
	}
	return nil, p.errAt(n, path, "unknown source %q (want paper or selected)", src)
}
