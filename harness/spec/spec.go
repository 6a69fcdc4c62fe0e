package spec

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/report"
	"github.com/neuroplastic/neuroplastic/models"
	"github.com/neuroplastic/neuroplastic/optim"
)

// Spec is a parsed and validated sweep spec (experiments/*.yaml), after any
// --set overrides and the quick profile have been applied. Every axis holds
// at least one value and no value twice.
type Spec struct {
	Path       string         // file the spec was read from, as given
	Study      string         // names results/runs/<study>/ and the study's table
	Title      string         // optional human-readable title
	Datasets   []string       // axis `dataset`
	Models     []string       // axis `model`
	Epochs     []int          // axis `epochs`
	BatchSizes []int          // axis `batch_size`
	Seeds      []int64        // axis `seeds`
	Fractions  []float64      // axis `fractions`, each in (0, 1]
	Arms       []Arm          // optimizer arms in spec order, names unique
	Report     report.Options // the `report:` block (zero when absent)
	Quick      Quick          // the quick profile (defaults when absent)
	Overrides  []string       // every --set key=value applied, in order
}

// Arm is one optimizer arm of a spec: a name and the grid points of its
// hyperparameters, in expansion order.
type Arm struct {
	Name      string
	Points    []Point
	Overrides []string // the --set overrides that apply to this arm, in order
}

// Point is one grid point of an arm: a validated optimizer configuration and
// its run label (the arm name plus the grid keys that vary, such as
// "full lr=0.1 warmup_epochs=2").
type Point struct {
	Label  string
	Config optim.Config
}

// Quick is the quick profile of a spec (`quick:`), used with --quick: epochs
// become Epochs, only the first Seeds seeds are kept and every fraction is
// multiplied by FractionScale.
type Quick struct {
	Epochs        int
	Seeds         int
	FractionScale float64
}

// DefaultQuick is the quick profile of a spec that has no `quick:` block.
func DefaultQuick() Quick { return Quick{Epochs: 2, Seeds: 2, FractionScale: 0.1} }

// Options are the command-line inputs to Load.
type Options struct {
	// Results is the results directory; `from: selected` reads
	// <Results>/locked_config.json.
	Results string
	// Set holds --set key=value overrides, applied in order before
	// validation (see Parse).
	Set []string
	// Quick applies the spec's quick profile after the overrides.
	Quick bool
}

// Range limits of the scalar axes.
const (
	maxEpochs    = 10000
	maxBatchSize = 1 << 16
	maxRuns      = 10000 // far above any study; guards against typos that explode a grid
)

var namePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// Load reads, decodes and validates the spec file at path, applying the
// overrides and the quick profile of o. Errors name the file, the line and
// the field.
func Load(path string, o Options) (*Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return Parse(path, src, o)
}

// Parse decodes and validates the spec src read from the file name.
//
// Decoding is strict: unknown and duplicate keys, values of the wrong type
// and out-of-range values are errors of the form "name:line: field: problem".
// Each --set key=value of o.Set replaces one value before validation, with
// the same checks (errors then name the override instead of a line): a
// top-level key (`epochs=3`), a key of the quick or report block
// (`quick.epochs=1`), a hyperparameter of one arm (`full.lr=0.05`) or a
// hyperparameter of every arm (`lr=0.05`). The value is YAML (`seeds=[1,2]`).
// The quick profile, if o.Quick, is applied after the overrides. A panic of
// the YAML library on malformed input is returned as an error.
func Parse(name string, src []byte, o Options) (s *Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("spec: %s: malformed YAML: %v", name, r)
		}
	}()
	root, err := parseYAML(name, src)
	if err != nil {
		return nil, err
	}
	p := &parser{file: name, origin: map[*yaml.Node]string{}, results: o.Results}
	armSets, err := p.applySets(root, o.Set)
	if err != nil {
		return nil, err
	}
	s, err = p.spec(root, armSets)
	if err != nil {
		return nil, err
	}
	s.Path = name
	s.Overrides = slices.Clone(o.Set)
	if o.Quick {
		s.applyQuick()
	}
	if n := s.runCount(); n > maxRuns {
		return nil, fmt.Errorf("spec: %s: the spec expands into %d runs, more than %d", name, n, maxRuns)
	}
	return s, nil
}

// topKeys are the keys of a spec's top-level mapping.
var topKeys = []string{"study", "title", "dataset", "model", "epochs", "batch_size", "seeds", "fractions", "arms", "report", "quick"}

// spec decodes the root mapping. armSets holds, per arm name ("" for every
// arm), the overrides applying to it.
func (p *parser) spec(root *yaml.Node, armSets map[string][]string) (*Spec, error) {
	f, _, err := p.mapping(root, "", topKeys, "")
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"study", "dataset", "model", "epochs", "batch_size", "seeds", "fractions", "arms"} {
		if _, ok := f[k]; !ok {
			return nil, p.errAt(deref(root), "", "missing required key %q", k)
		}
	}
	s := &Spec{Quick: DefaultQuick()}
	if s.Study, err = p.str(f["study"].val, "study"); err != nil {
		return nil, err
	}
	if !namePattern.MatchString(s.Study) {
		return nil, p.errAt(deref(f["study"].val), "study", "%q must match [a-z0-9_]+", s.Study)
	}
	if t, ok := f["title"]; ok {
		if s.Title, err = p.str(t.val, "title"); err != nil {
			return nil, err
		}
	}
	if s.Datasets, err = axis(p, f["dataset"].val, "dataset", p.oneOf(append(data.Names(), data.Synthetic))); err != nil {
		return nil, err
	}
	if s.Models, err = axis(p, f["model"].val, "model", p.oneOf(models.Names())); err != nil {
		return nil, err
	}
	if s.Epochs, err = axis(p, f["epochs"].val, "epochs", intIn[int](p, 1, maxEpochs)); err != nil {
		return nil, err
	}
	if s.BatchSizes, err = axis(p, f["batch_size"].val, "batch_size", intIn[int](p, 1, maxBatchSize)); err != nil {
		return nil, err
	}
	if s.Seeds, err = axis(p, f["seeds"].val, "seeds", intIn[int64](p, 0, math.MaxInt64)); err != nil {
		return nil, err
	}
	if s.Fractions, err = axis(p, f["fractions"].val, "fractions", p.unitFraction); err != nil {
		return nil, err
	}
	if r, ok := f["report"]; ok {
		if s.Report, err = p.report(r.val); err != nil {
			return nil, err
		}
	}
	if q, ok := f["quick"]; ok {
		if s.Quick, err = p.quick(q.val); err != nil {
			return nil, err
		}
	}
	if s.Arms, err = p.arms(f["arms"].val, armSets); err != nil {
		return nil, err
	}
	return s, nil
}

// yamlKeys returns the yaml tag names of the fields of the struct v.
func yamlKeys(v any) []string {
	var keys []string
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// report decodes the report block strictly into report.Options and validates it.
func (p *parser) report(n *yaml.Node) (report.Options, error) {
	var o report.Options
	if _, _, err := p.mapping(n, "report", yamlKeys(o), ""); err != nil {
		return o, err
	}
	if err := p.decode(deref(n), "report", &o); err != nil {
		return o, err
	}
	if err := o.Validate(); err != nil {
		return o, p.errAt(deref(n), "report", "%s", strings.TrimPrefix(err.Error(), "report: "))
	}
	return o, nil
}

// quick decodes the quick block.
func (p *parser) quick(n *yaml.Node) (Quick, error) {
	q := DefaultQuick()
	f, _, err := p.mapping(n, "quick", []string{"epochs", "seeds", "fraction_scale"}, "")
	if err != nil {
		return q, err
	}
	if e, ok := f["epochs"]; ok {
		v, err := p.integer(e.val, "quick.epochs", 1, maxEpochs)
		if err != nil {
			return q, err
		}
		q.Epochs = int(v)
	}
	if e, ok := f["seeds"]; ok {
		v, err := p.integer(e.val, "quick.seeds", 1, math.MaxInt32)
		if err != nil {
			return q, err
		}
		q.Seeds = int(v)
	}
	if e, ok := f["fraction_scale"]; ok {
		if q.FractionScale, err = p.unitFraction(e.val, "quick.fraction_scale"); err != nil {
			return q, err
		}
	}
	return q, nil
}

// runCount returns the number of runs Expand gives, saturating so it
// cannot overflow.
func (s *Spec) runCount() int {
	points := 0
	for _, a := range s.Arms {
		points += len(a.Points)
	}
	n := points
	for _, k := range []int{len(s.Datasets), len(s.Models), len(s.Epochs), len(s.BatchSizes), len(s.Seeds), len(s.Fractions)} {
		n = min(n*k, maxRuns+1)
	}
	return n
}

// applyQuick applies the quick profile.
func (s *Spec) applyQuick() {
	s.Epochs = []int{s.Quick.Epochs}
	s.Seeds = s.Seeds[:min(s.Quick.Seeds, len(s.Seeds))]
	for i, f := range s.Fractions {
		// Round to 12 significant digits so 0.1*0.1 is 0.01, not 0.010000000000000002.
		s.Fractions[i], _ = strconv.ParseFloat(strconv.FormatFloat(f*s.Quick.FractionScale, 'g', 12, 64), 64)
	}
}
