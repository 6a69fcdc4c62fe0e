package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
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

// SpecOptions are the command-line inputs to LoadSpec.
type SpecOptions struct {
	// Results is the results directory; `from: selected` reads
	// <Results>/locked_config.json.
	Results string
	// Set holds --set key=value overrides, applied in order before
	// validation (see ParseSpec).
	Set []string
	// Quick applies the spec's quick profile after the overrides.
	Quick bool
}

// Synthetic is the name of a tiny generated dataset (see SyntheticDataset)
// that exists only so the harness's pipeline tests run without downloads. No
// spec under experiments/ uses it.
const Synthetic = "synthetic"

// paperLocked is the preprint's locked NeuroPlastic configuration, filled in
// by `from: paper` under the keys the arm leaves out.
var paperLocked = []kv{{"lr", 0.1}, {"warmup_epochs", 2}, {"plasticity_scale", 2.0}}

// LockedConfigFile is the file, under the results directory, that `from:
// selected` reads: a JSON object whose "optimizer" field is a canonical
// optimizer configuration, written by the report of the mnist_tuning study.
const LockedConfigFile = "locked_config.json"

// errNoLockedConfig is wrapped by the spec error of `from: selected` when
// the locked configuration has not been written yet.
var errNoLockedConfig = errors.New("harness: no locked configuration yet")

// isError is an error that also matches target under errors.Is.
type isError struct {
	error
	target error
}

// Is reports whether target is e's target.
func (e isError) Is(target error) bool { return target == e.target }

// Range limits of the scalar axes.
const (
	maxEpochs    = 10000
	maxBatchSize = 1 << 16
	maxRuns      = 10000 // far above any study; guards against typos that explode a grid
)

var namePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// LoadSpec reads, decodes and validates the spec file at path, applying the
// overrides and the quick profile of o. Errors name the file, the line and
// the field.
func LoadSpec(path string, o SpecOptions) (*Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	return ParseSpec(path, src, o)
}

// ParseSpec decodes and validates the spec src read from the file name.
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
func ParseSpec(name string, src []byte, o SpecOptions) (s *Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("harness: %s: malformed YAML: %v", name, r)
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
		return nil, fmt.Errorf("harness: %s: the spec expands into %d runs, more than %d", name, n, maxRuns)
	}
	return s, nil
}

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses src into its root node, rewriting the YAML library's
// "yaml: line N: msg" errors as "name:N: msg".
func parseYAML(name string, src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("harness: %s: empty spec", name)
	}
	if err == nil {
		var extra yaml.Node
		if dec.Decode(&extra) != io.EOF {
			return nil, fmt.Errorf("harness: %s:%d: more than one YAML document", name, extra.Line)
		}
	}
	if err != nil {
		if m := yamlLineErr.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("harness: %s:%s: %s", name, m[1], m[2])
		}
		return nil, fmt.Errorf("harness: %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return doc.Content[0], nil
}

// kv is one key and decoded scalar value of an ordered mapping.
type kv struct {
	key string
	val any
}

// parser walks a spec's node tree. origin maps the nodes that came from a
// --set override to that override, so errors can name it instead of a line.
type parser struct {
	file    string
	origin  map[*yaml.Node]string
	results string
}

// errAt returns an error positioned at node n with the field path.
func (p *parser) errAt(n *yaml.Node, path, format string, args ...any) error {
	pos := p.origin[n]
	if pos == "" {
		pos = fmt.Sprintf("%s:%d", p.file, n.Line)
	}
	if path != "" {
		pos += ": " + path
	}
	return fmt.Errorf("harness: %s: %s", pos, fmt.Sprintf(format, args...))
}

// field is a mapping entry: its key node and value node.
type field struct {
	key, val *yaml.Node
}

// mapping checks that n is a mapping with string keys, no key twice and
// (when known is not nil) only known keys, and returns its entries by key
// and the keys in order.
func (p *parser) mapping(n *yaml.Node, path string, known []string, what string) (map[string]field, []string, error) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, nil, p.errAt(n, path, "want a mapping, got %s", describe(n))
	}
	fields := map[string]field{}
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, nil, p.errAt(k, path, "want a string key, got %s", describe(k))
		}
		if f, dup := fields[k.Value]; dup {
			return nil, nil, p.errAt(k, path, "duplicate key %q (first at line %d)", k.Value, f.key.Line)
		}
		if known != nil && !slices.Contains(known, k.Value) {
			return nil, nil, p.errAt(k, path, "unknown key %q%s", k.Value, what)
		}
		fields[k.Value] = field{k, v}
		order = append(order, k.Value)
	}
	return fields, order, nil
}

// deref resolves a YAML alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names the type of n for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		names := map[string]string{"!!str": "string", "!!int": "integer", "!!float": "number", "!!bool": "boolean", "!!null": "null"}
		if t, ok := names[n.ShortTag()]; ok {
			return fmt.Sprintf("%s %q", t, n.Value)
		}
		return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
	}
	return "an unsupported node"
}

// scalar decodes the scalar node n as a string, int64, float64 or bool, per
// its tag. Non-finite numbers and nulls are errors.
func (p *parser) scalar(n *yaml.Node, path string) (any, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return nil, p.errAt(n, path, "want a scalar, got %s", describe(n))
	}
	switch n.ShortTag() {
	case "!!str":
		return n.Value, nil
	case "!!bool":
		var b bool
		return b, p.decode(n, path, &b)
	case "!!int":
		var i int64
		return i, p.decode(n, path, &i)
	case "!!float":
		var f float64
		if err := p.decode(n, path, &f); err != nil {
			return nil, err
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, p.errAt(n, path, "want a finite number, got %q", n.Value)
		}
		return f, nil
	}
	return nil, p.errAt(n, path, "want a scalar value, got %s", describe(n))
}

// decode decodes n into v, positioning any error.
func (p *parser) decode(n *yaml.Node, path string, v any) error {
	if err := n.Decode(v); err != nil {
		return p.errAt(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// str decodes a string scalar.
func (p *parser) str(n *yaml.Node, path string) (string, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", p.errAt(n, path, "want a string, got %s", describe(n))
	}
	return n.Value, nil
}

// integer decodes an integer scalar in [lo, hi].
func (p *parser) integer(n *yaml.Node, path string, lo, hi int64) (int64, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, p.errAt(n, path, "want an integer, got %s", describe(n))
	}
	var v int64
	if err := p.decode(n, path, &v); err != nil {
		return 0, err
	}
	if v < lo || v > hi {
		return 0, p.errAt(n, path, "%d out of range [%d, %d]", v, lo, hi)
	}
	return v, nil
}

// unitFraction decodes an integer or float scalar in (0, 1].
func (p *parser) unitFraction(n *yaml.Node, path string) (float64, error) {
	v, err := p.scalar(n, path)
	if err != nil {
		return 0, err
	}
	var f float64
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case float64:
		f = x
	default:
		return 0, p.errAt(deref(n), path, "want a number, got %s", describe(deref(n)))
	}
	if !(f > 0 && f <= 1) {
		return 0, p.errAt(deref(n), path, "%v out of range (0, 1]", f)
	}
	return f, nil
}

// axis decodes a scalar-or-list axis with elem, rejecting an empty list and
// repeated values.
func axis[T comparable](p *parser, n *yaml.Node, path string, elem func(*yaml.Node, string) (T, error)) ([]T, error) {
	n = deref(n)
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			return nil, p.errAt(n, path, "empty list")
		}
		items = n.Content
	}
	var out []T
	for i, it := range items {
		ipath := path
		if n.Kind == yaml.SequenceNode {
			ipath = fmt.Sprintf("%s[%d]", path, i)
		}
		v, err := elem(it, ipath)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, v) {
			return nil, p.errAt(deref(it), ipath, "%v listed twice", v)
		}
		out = append(out, v)
	}
	return out, nil
}

// oneOf returns an element decoder for a string from names.
func (p *parser) oneOf(names []string) func(*yaml.Node, string) (string, error) {
	return func(n *yaml.Node, path string) (string, error) {
		s, err := p.str(n, path)
		if err != nil {
			return "", err
		}
		if !slices.Contains(names, s) {
			return "", p.errAt(deref(n), path, "unknown %q (want one of %s)", s, strings.Join(names, ", "))
		}
		return s, nil
	}
}

// intIn returns an element decoder for an integer in [lo, hi].
func intIn[T int | int64](p *parser, lo, hi int64) func(*yaml.Node, string) (T, error) {
	return func(n *yaml.Node, path string) (T, error) {
		v, err := p.integer(n, path, lo, hi)
		return T(v), err
	}
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
	if s.Datasets, err = axis(p, f["dataset"].val, "dataset", p.oneOf(append(data.Names(), Synthetic))); err != nil {
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

// arms decodes the arms list.
func (p *parser) arms(n *yaml.Node, armSets map[string][]string) ([]Arm, error) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		return nil, p.errAt(n, "arms", "want a list, got %s", describe(n))
	}
	if len(n.Content) == 0 {
		return nil, p.errAt(n, "arms", "empty list: a spec needs at least one arm")
	}
	var arms []Arm
	for i, an := range n.Content {
		path := fmt.Sprintf("arms[%d]", i)
		f, _, err := p.mapping(an, path, []string{"name", "optimizer"}, "")
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"name", "optimizer"} {
			if _, ok := f[k]; !ok {
				return nil, p.errAt(deref(an), path, "missing required key %q", k)
			}
		}
		name, err := p.str(f["name"].val, path+".name")
		if err != nil {
			return nil, err
		}
		if !namePattern.MatchString(name) {
			return nil, p.errAt(deref(f["name"].val), path+".name", "%q must match [a-z0-9_]+", name)
		}
		if j := slices.IndexFunc(arms, func(a Arm) bool { return a.Name == name }); j >= 0 {
			return nil, p.errAt(deref(f["name"].val), path+".name", "duplicate arm name %q (also arms[%d])", name, j)
		}
		points, err := p.optimizer(f["optimizer"].val, path+".optimizer", name)
		if err != nil {
			return nil, err
		}
		arms = append(arms, Arm{Name: name, Points: points, Overrides: slices.Concat(armSets[""], armSets[name])})
	}
	return arms, nil
}

// gridKey is one hyperparameter of an arm: its values (one unless a grid)
// and the nodes they came from, for error positions.
type gridKey struct {
	key   string
	vals  []any
	nodes []*yaml.Node
}

// optimizer decodes an arm's optimizer mapping into its grid points, each
// validated by optim.DecodeConfig.
func (p *parser) optimizer(n *yaml.Node, path, arm string) ([]Point, error) {
	f, order, err := p.mapping(n, path, nil, "")
	if err != nil {
		return nil, err
	}
	name := ""
	if nf, ok := f["name"]; ok {
		if name, err = p.str(nf.val, path+".name"); err != nil {
			return nil, err
		}
	}
	var base []kv
	var baseNode *yaml.Node
	if ff, ok := f["from"]; ok {
		if base, err = p.from(ff.val, path+".from", &name); err != nil {
			return nil, err
		}
		baseNode = deref(ff.val)
	}
	if name == "" {
		return nil, p.errAt(deref(n), path, "missing required key \"name\"")
	}
	known, err := canonicalKeys(name)
	if err != nil {
		pos := deref(n)
		if nf, ok := f["name"]; ok {
			pos = deref(nf.val)
		}
		return nil, p.errAt(pos, path+".name", "%v", err)
	}
	var grid []gridKey
	for _, k := range order {
		if k == "name" || k == "from" {
			continue
		}
		kpath := path + "." + k
		if !slices.Contains(known, k) {
			return nil, p.errAt(f[k].key, path, "unknown key %q for %s", k, name)
		}
		g := gridKey{key: k}
		v := deref(f[k].val)
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			if len(v.Content) == 0 {
				return nil, p.errAt(v, kpath, "empty list")
			}
			items = v.Content
		}
		for _, it := range items {
			x, err := p.scalar(it, kpath)
			if err != nil {
				return nil, err
			}
			g.vals = append(g.vals, x)
			g.nodes = append(g.nodes, deref(it))
		}
		grid = append(grid, g)
		base = slices.DeleteFunc(base, func(b kv) bool { return b.key == k })
	}
	size := gridSize(grid)
	if size > maxRuns {
		return nil, p.errAt(deref(n), path, "the grid has more than %d points", maxRuns)
	}
	var points []Point
	seen := map[string]int{}
	for idx := range size {
		choice := gridChoice(grid, idx)
		obj := append([]kv{{"name", name}}, base...)
		label := arm
		for gi, g := range grid {
			obj = append(obj, kv{g.key, g.vals[choice[gi]]})
			if len(g.vals) > 1 {
				label += " " + g.key + "=" + formatValue(g.vals[choice[gi]])
			}
		}
		raw, err := objectJSON(obj)
		if err != nil {
			return nil, p.errAt(deref(n), path, "%v", err)
		}
		cfg, err := optim.DecodeConfig(raw)
		if err != nil {
			return nil, p.blame(err, grid, choice, baseNode, deref(n), path)
		}
		canon, err := cfg.MarshalJSON()
		if err != nil {
			return nil, p.errAt(deref(n), path, "%v", err)
		}
		if j, dup := seen[string(canon)]; dup {
			return nil, p.errAt(deref(n), path, "grid points %q and %q give the same configuration", points[j].Label, label)
		}
		seen[string(canon)] = len(points)
		points = append(points, Point{Label: label, Config: cfg})
	}
	return points, nil
}

// blame positions an optim.DecodeConfig error at the value of the key it
// names (the longest key named in the message), or at the `from` key for a
// key filled in by it, or else at the optimizer mapping.
func (p *parser) blame(err error, grid []gridKey, choice []int, baseNode, optNode *yaml.Node, path string) error {
	msg := err.Error()
	best := -1
	for gi, g := range grid {
		if mentions(msg, g.key) && (best < 0 || len(g.key) > len(grid[best].key)) {
			best = gi
		}
	}
	if best >= 0 {
		g := grid[best]
		return p.errAt(g.nodes[choice[best]], path+"."+g.key, "%v", err)
	}
	if baseNode != nil {
		return p.errAt(baseNode, path+".from", "%v", err)
	}
	return p.errAt(optNode, path, "%v", err)
}

// mentions reports whether msg contains key as a whole word.
func mentions(msg, key string) bool {
	for i := 0; ; {
		j := strings.Index(msg[i:], key)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(key)
		if (j == 0 || !isWordByte(msg[j-1])) && (end == len(msg) || !isWordByte(msg[end])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// gridSize returns the number of points of a grid, or maxRuns+1 if it has
// more than maxRuns.
func gridSize(grid []gridKey) int {
	n := 1
	for _, g := range grid {
		n = min(n*len(g.vals), maxRuns+1)
	}
	return n
}

// gridChoice returns the value index per key of grid point idx; the first
// key varies slowest.
func gridChoice(grid []gridKey, idx int) []int {
	c := make([]int, len(grid))
	for i := len(grid) - 1; i >= 0; i-- {
		c[i] = idx % len(grid[i].vals)
		idx /= len(grid[i].vals)
	}
	return c
}

// formatValue renders a hyperparameter value for a label.
func formatValue(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// objectJSON encodes an ordered list of keys and values as a JSON object.
func objectJSON(obj []kv) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range obj {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.key)
		v, err := json.Marshal(e.val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// canonicalKeys returns the hyperparameter keys of optimizer name: the keys
// of its canonical JSON with every default filled in, less "name".
func canonicalKeys(name string) ([]string, error) {
	raw, err := objectJSON([]kv{{"name", name}})
	if err != nil {
		return nil, err
	}
	cfg, err := optim.DecodeConfig(raw)
	if err != nil {
		return nil, err
	}
	canon, err := cfg.MarshalJSON()
	if err != nil {
		return nil, err
	}
	keys, err := jsonObjectKeys(canon)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(keys, func(k string) bool { return k == "name" }), nil
}

// jsonObjectKeys returns the keys of a JSON object in document order.
func jsonObjectKeys(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

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
			return nil, isError{p.errAt(n, path, "selected: %s is missing: run the mnist_tuning study and `neuroplastic report` first", file), errNoLockedConfig}
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
