package spec

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/neuroplastic/neuroplastic/optim"
)

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

// from resolves `from: paper` or `from: selected` into the configuration
// the arm's keys apply to. name is the arm's optimizer name, if it gives
// one: the configuration must be of that optimizer.
func (p *parser) from(n *yaml.Node, path, name string) (optim.Config, error) {
	src, err := p.str(n, path)
	if err != nil {
		return optim.Config{}, err
	}
	n = deref(n)
	switch src {
	case "paper":
		if name != "" && name != optim.NameNeuroPlastic {
			return optim.Config{}, p.errAt(n, path, "from: paper is a neuroplastic configuration, but name is %q", name)
		}
		return optim.PaperConfig(), nil
	case "selected":
		if p.unselected {
			return optim.Config{}, isError{p.errAt(n, path, "selected: no configuration is selected yet"), ErrNoLockedConfig}
		}
		file := filepath.Join(p.results, LockedConfigFile)
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			return optim.Config{}, isError{p.errAt(n, path, "selected: %s is missing: run the mnist_tuning study and `neuroplastic report` first", file), ErrNoLockedConfig}
		}
		if err != nil {
			return optim.Config{}, p.errAt(n, path, "selected: %v", err)
		}
		var locked struct {
			Optimizer json.RawMessage `json:"optimizer"`
		}
		if err := json.Unmarshal(b, &locked); err != nil || len(locked.Optimizer) == 0 {
			return optim.Config{}, p.errAt(n, path, "selected: %s: want a JSON object with an \"optimizer\" object", file)
		}
		cfg, err := optim.DecodeConfig(locked.Optimizer)
		if err != nil {
			return optim.Config{}, p.errAt(n, path, "selected: %s: %v", file, err)
		}
		if name != "" && name != cfg.Name {
			return optim.Config{}, p.errAt(n, path, "selected: %s holds a %s configuration, but name is %q", file, cfg.Name, name)
		}
		return cfg, nil
	}
	return optim.Config{}, p.errAt(n, path, "unknown source %q (want paper or selected)", src)
}
