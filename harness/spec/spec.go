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
	Validation float64        // `validation`: fraction of the training set held out (data.Holdout); 0, none
	Arms       []Arm          // optimizer arms in spec order, names unique
	Report     report.Options // the `report:` block (zero when absent)
	Reproduce  string         // the `reproduce:` key: ReproduceFirst, ReproduceDeferred or "" (absent)
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
	// Unselected loads the spec as if no configuration had been selected
	// yet: `from: selected` fails with ErrNoLockedConfig even where
	// <Results>/locked_config.json exists. Reproduce uses it to tell the
	// studies that must wait for the tuning study's report.
	Unselected bool
}

// The values of a spec's optional `reproduce:` key, which says when
// `neuroplastic reproduce` runs the study (docs/design.md, "Studies").
const (
	// ReproduceFirst runs the study before the studies that read its
	// selection, and writes its report before they start: a tuning study
	// whose selection (locked_config.json) later specs read with `from:
	// selected`.
	ReproduceFirst = "first"
	// ReproduceDeferred leaves a study out unless it is asked for by name:
	// a cluster-sized one, or one beyond the preprint's studies. Without
	// runs or records the report lists it with its work estimate and the
	// commands that run it.
	ReproduceDeferred = "deferred"
)

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
// The quick profile, if o.Quick, is applied after the overrides. The spec
// must expand into at most 10,000 runs, counted before any value is decoded
// or compared, and every fraction must leave each dataset's training split
// at least one batch of examples. Validation takes time linear in the size
// of the spec. A panic of the YAML library on malformed input is returned
// as an error.
func Parse(name string, src []byte, o Options) (s *Spec, err error) {
	defer recoverYAML(name, &err)
	root, err := parseYAML(name, src)
	if err != nil {
		return nil, err
	}
	p := &parser{file: name, origin: map[*yaml.Node]string{}, results: o.Results, unselected: o.Unselected, applyQuick: o.Quick}
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
	return s, nil
}

// ReproduceStage returns the `reproduce:` value of the spec at path (""
// when absent), validated as Load validates it, without decoding the rest
// of the spec: `neuroplastic reproduce` orders and selects studies by it
// before loading them, since a spec that says `from: selected` loads only
// after the tuning study has run.
func ReproduceStage(path string) (stage string, err error) {
	defer recoverYAML(path, &err)
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("spec: %w", err)
	}
	root, err := parseYAML(path, src)
	if err != nil {
		return "", err
	}
	p := &parser{file: path, origin: map[*yaml.Node]string{}}
	f, _, err := p.mapping(root, "", topKeys, "")
	if err != nil {
		return "", err
	}
	return p.reproduce(f)
}

// reproduce decodes the optional `reproduce:` key of the top-level mapping f.
func (p *parser) reproduce(f map[string]field) (string, error) {
	r, ok := f["reproduce"]
	if !ok {
		return "", nil
	}
	return p.oneOf([]string{ReproduceFirst, ReproduceDeferred})(r.val, "reproduce")
}

// topKeys are the keys of a spec's top-level mapping.
var topKeys = []string{"study", "title", "dataset", "model", "epochs", "batch_size", "seeds", "fractions", "validation", "arms", "report", "quick", "reproduce"}

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
	if q, ok := f["quick"]; ok {
		if s.Quick, err = p.quick(q.val); err != nil {
			return nil, err
		}
	}
	if err := p.checkRunCount(f, s.Quick); err != nil {
		return nil, err
	}
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
	if s.Reproduce, err = p.reproduce(f); err != nil {
		return nil, err
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
	if err := p.checkFractions(s, f["fractions"].val); err != nil {
		return nil, err
	}
	if v, ok := f["validation"]; ok {
		if s.Validation, err = p.validation(v.val); err != nil {
			return nil, err
		}
	}
	if r, ok := f["report"]; ok {
		if s.Report, err = p.report(r.val); err != nil {
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

// checkRunCount rejects a spec that expands into more than maxRuns runs.
// It counts from the lengths of the axes and grids in the node tree alone,
// before any value is decoded or compared, so a huge list costs no more than
// reading it; a malformed or empty part counts as one (decoding reports it).
// The count is exact for a valid spec, with the quick profile q applied if
// the parser's applyQuick is set.
func (p *parser) checkRunCount(f map[string]field, q Quick) error {
	length := func(n *yaml.Node) int {
		if n = deref(n); n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
			return len(n.Content)
		}
		return 1
	}
	points := 0
	if arms := deref(f["arms"].val); arms.Kind == yaml.SequenceNode {
		for _, a := range arms.Content {
			points = satAdd(points, gridPoints(a, length))
		}
	}
	epochs, seeds := length(f["epochs"].val), length(f["seeds"].val)
	if p.applyQuick {
		epochs, seeds = 1, min(seeds, q.Seeds)
	}
	n := points
	for _, k := range []int{length(f["dataset"].val), length(f["model"].val), epochs, length(f["batch_size"].val), seeds, length(f["fractions"].val)} {
		n = satMul(n, k)
	}
	if n <= maxRuns {
		return nil
	}
	count := strconv.Itoa(n)
	if n == math.MaxInt {
		count = "more than " + count
	}
	return fmt.Errorf("spec: %s: the spec expands into %s runs, more than %d", p.file, count, maxRuns)
}

// gridPoints returns the number of grid points of the arm node a: the
// product of the list lengths of its optimizer's hyperparameters.
func gridPoints(a *yaml.Node, length func(*yaml.Node) int) int {
	n := 1
	a = deref(a)
	if a.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(a.Content); i += 2 {
		if deref(a.Content[i]).Value != "optimizer" {
			continue
		}
		opt := deref(a.Content[i+1])
		if opt.Kind != yaml.MappingNode {
			return n
		}
		for j := 0; j+1 < len(opt.Content); j += 2 {
			if k := deref(opt.Content[j]).Value; k != "name" && k != "from" {
				n = satMul(n, length(opt.Content[j+1]))
			}
		}
	}
	return n
}

// satAdd and satMul add and multiply non-negative ints, saturating at
// math.MaxInt.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// checkFractions rejects a fraction whose subset of a dataset's training
// split (after the quick profile's scale, if the parser's applyQuick is set) is
// empty or smaller than one batch of the largest batch size: such runs
// cannot train. n is the fractions node, for positions.
func (p *parser) checkFractions(s *Spec, n *yaml.Node) error {
	batch := slices.Max(s.BatchSizes)
	for _, ds := range s.Datasets {
		info, err := data.Describe(ds)
		if err != nil {
			return p.errAt(deref(n), "dataset", "%v", err) // the axis admits only known datasets
		}
		for i, f := range s.Fractions {
			scaled, note := f, ""
			if p.applyQuick {
				scaled = scaleFraction(f, s.Quick.FractionScale)
				note = fmt.Sprintf(" (%v with --quick)", scaled)
			}
			if k := data.SubsetSize(info.Train, scaled); k < batch {
				item, path := axisItem(n, "fractions", i)
				return p.errAt(item, path, "%v%s of %s's %d training examples is %d examples, fewer than one batch (batch_size %d)",
					f, note, ds, info.Train, k, batch)
			}
		}
	}
	return nil
}

// applyQuick applies the quick profile.
func (s *Spec) applyQuick() {
	s.Epochs = []int{s.Quick.Epochs}
	s.Seeds = s.Seeds[:min(s.Quick.Seeds, len(s.Seeds))]
	for i, f := range s.Fractions {
		s.Fractions[i] = scaleFraction(f, s.Quick.FractionScale)
	}
}

// scaleFraction returns f*scale rounded to 12 significant digits, so that
// 0.1*0.1 is 0.01, not 0.010000000000000002.
func scaleFraction(f, scale float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f*scale, 'g', 12, 64), 64)
	return v
}
