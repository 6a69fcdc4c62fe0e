package report

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// Report kinds accepted in Options.Kind: the layout of the study's tables
// (docs/specs.md, "Report kinds").
const (
	// KindTuning ranks every configuration by mean final test (or, with
	// Options.SelectOn, validation) accuracy; with Options.Select it writes
	// the best one to locked_config.json.
	KindTuning = "tuning"
	// KindPaired lists every configuration per data fraction and the
	// declared comparisons.
	KindPaired = "paired"
	// KindBaselines lists one row per configuration, in arm order.
	KindBaselines = "baselines"
)

// kinds lists the valid report kinds in documentation order.
var kinds = []string{KindTuning, KindPaired, KindBaselines}

// Figure kinds accepted in Figure.Kind (docs/specs.md, "Figure kinds").
const (
	// FigureCurves draws a per-epoch metric, one line per configuration.
	FigureCurves = "curves"
	// FigureFractions draws a final metric against the data fraction.
	FigureFractions = "fractions"
	// FigureGrid draws a final metric against one grid axis, one line per
	// setting of the other varying keys.
	FigureGrid = "grid"
	// FigureDiagnostics draws a named optimizer diagnostic per epoch.
	FigureDiagnostics = "diagnostics"
	// FigureSeedGaps draws the per-seed differences of a comparison.
	FigureSeedGaps = "seed_gaps"
)

// figureKinds lists the valid figure kinds in documentation order.
var figureKinds = []string{FigureCurves, FigureFractions, FigureGrid, FigureDiagnostics, FigureSeedGaps}

// Claim directions accepted in Claim.Direction.
const (
	// Greater claims that a's metric exceeds b's (by more than -Margin).
	Greater = "greater"
	// Less claims that a's metric is below b's (by more than -Margin).
	Less = "less"
)

// Fraction selectors of Claim.Fraction and Reference.Fraction besides a
// number: they survive the quick profile's scaling of the fractions.
const (
	FractionSmallest = "smallest"
	FractionLargest  = "largest"
)

// PerFraction is the one value of Claim.Per: evaluate at every fraction.
const PerFraction = "fraction"

// Values of the select_on keys (Options.SelectOn and the SelectOn of
// comparisons, claims and figures): the accuracy a choice among
// configurations is made on (docs/specs.md, "Selection").
const (
	// SelectTest chooses on the mean final test accuracy, as the paper did.
	SelectTest = "test"
	// SelectValidation chooses on the mean final val_acc of the spec's
	// validation hold-out, without looking at the test set.
	SelectValidation = "validation"
)

// validSelectOn checks a select_on value: empty, test or validation.
func validSelectOn(s string) error {
	if s != "" && s != SelectTest && s != SelectValidation {
		return fmt.Errorf("select_on: unknown %q (want test or validation)", s)
	}
	return nil
}

// Options is the `report:` block of a spec, decoded strictly from YAML
// (unknown keys at any depth are errors) and checked by Validate. The keys
// are documented in docs/specs.md.
type Options struct {
	// Kind selects the table layout: tuning, paired (the default, also
	// when Kind is empty) or baselines.
	Kind string `yaml:"kind"`
	// Select makes the study's ranking write locked_config.json (the best
	// configuration by SelectOn among Candidates).
	Select bool `yaml:"select"`
	// SelectOn is the accuracy the tuning ranking and the selection use:
	// test (the default, also when empty) or validation.
	SelectOn string `yaml:"select_on"`
	// Candidates restricts the selection to configurations matching this
	// selector (an arm name or a full label); empty: every configuration.
	Candidates string `yaml:"candidates"`
	// Reference names a configuration (arm or label) the tuning table
	// marks and compares the selection with, e.g. the paper's locked one.
	Reference string `yaml:"reference"`
	// Compare lists the paired comparisons of the tables.
	Compare []Comparison `yaml:"compare"`
	// Claims lists the claims the report evaluates.
	Claims []Claim `yaml:"claims"`
	// Figures lists the study's figures.
	Figures []Figure `yaml:"figures"`
}

// Comparison pairs every configuration matching A with every one matching
// B at each data fraction, on the seeds both completed. A and B are
// selectors: an arm name (every grid point of the arm) or a run label.
type Comparison struct {
	A string `yaml:"a"`
	B string `yaml:"b"`
	// SelectOn, if set (test or validation), reduces each side at each
	// fraction to the one configuration it names with the best mean final
	// accuracy on it, so a grid arm is compared by its chosen point only.
	SelectOn string `yaml:"select_on"`
}

// Claim is a declared claim about the difference a - b of a metric (see
// docs/specs.md, "Claims"). Without Than it is a claim about the gap; with
// Than it claims that this gap exceeds (Greater) or falls below (Less)
// another gap.
type Claim struct {
	// ID names the claim in tables ([a-z0-9_]+, unique in the study).
	ID string `yaml:"id"`
	// Text is the claim in words, shown beside the verdict.
	Text string `yaml:"text"`
	// A and B are selectors as in Comparison; each must match exactly one
	// configuration at the fractions evaluated.
	A string `yaml:"a"`
	B string `yaml:"b"`
	// Metric is final_acc, best_acc or final_loss.
	Metric string `yaml:"metric"`
	// Direction is greater or less.
	Direction string `yaml:"direction"`
	// Margin widens the claim by a tolerance: greater holds when the gap
	// exceeds -Margin (a non-inferiority claim), less when it is below
	// +Margin. Zero by default; not negative.
	Margin float64 `yaml:"margin"`
	// Per is "fraction" to evaluate the claim at every fraction (one test
	// each) or empty for one test at Fraction.
	Per string `yaml:"per"`
	// Fraction picks the fraction of a single test: smallest, largest
	// (default) or a number.
	Fraction string `yaml:"fraction"`
	// Stable also requires that no run of a or b diverged.
	Stable bool `yaml:"stable"`
	// Paper is the published value of the quantity, shown beside ours.
	Paper *float64 `yaml:"paper"`
	// Than, if set, compares this gap with the gap it names.
	Than *Reference `yaml:"than"`
	// SelectOn reduces a and b (and Than's sides) as in Comparison.
	SelectOn string `yaml:"select_on"`
}

// Reference names another gap for a Claim to compare with: in Study (empty:
// the same study), between A and B (empty: the claim's), at Fraction
// (empty: the claim's fraction in the same study, largest in another).
type Reference struct {
	Study    string `yaml:"study"`
	A        string `yaml:"a"`
	B        string `yaml:"b"`
	Fraction string `yaml:"fraction"`
}

// Figure is one figure of the study (docs/specs.md, "Figure kinds"). In
// YAML a bare string is the kind with every default.
type Figure struct {
	// Kind is curves, fractions, grid, diagnostics or seed_gaps.
	Kind string `yaml:"kind"`
	// Name makes the file name <study>_<name>; default the kind and metric.
	Name string `yaml:"name"`
	// Label is a figure number shown before the title, e.g. "Fig. 2B".
	Label string `yaml:"label"`
	// Title is the plot title; default the study's title and the quantity.
	Title string `yaml:"title"`
	// Metric is the plotted quantity: per epoch test_acc (default),
	// test_loss, train_acc or train_loss for curves; final_acc (default),
	// best_acc or final_loss for fractions, grid and seed_gaps; the
	// diagnostic's name for diagnostics (required).
	Metric string `yaml:"metric"`
	// Arms lists selectors of the configurations drawn, in style order
	// (the first solid blue circles, the second dashed grey squares);
	// default every configuration.
	Arms []string `yaml:"arms"`
	// X is the grid key on the x axis of a grid figure (required there).
	X string `yaml:"x"`
	// A and B are the comparison of a seed_gaps figure (required there).
	A string `yaml:"a"`
	B string `yaml:"b"`
	// SelectOn reduces every selector of Arms (or A and B) as in
	// Comparison.
	SelectOn string `yaml:"select_on"`
}

// Metric names of claims and of fractions, grid and seed_gaps figures.
const (
	MetricFinalAcc  = "final_acc"
	MetricBestAcc   = "best_acc"
	MetricFinalLoss = "final_loss"
)

// finalMetrics lists the per-run metrics in documentation order.
var finalMetrics = []string{MetricFinalAcc, MetricBestAcc, MetricFinalLoss}

// epochMetrics lists the per-epoch metrics of curves figures.
var epochMetrics = []string{"test_acc", "test_loss", "train_acc", "train_loss"}

// UnmarshalYAML decodes a figure from a bare kind or a mapping.
func (f *Figure) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		f.Kind = n.Value
		return nil
	}
	type plain Figure
	if err := strictKeys(n, reflect.TypeFor[plain](), ""); err != nil {
		return err
	}
	return n.Decode((*plain)(f))
}

// UnmarshalYAML decodes the report block, rejecting unknown keys at every
// depth with their line.
func (o *Options) UnmarshalYAML(n *yaml.Node) error {
	type plain Options
	if err := strictKeys(n, reflect.TypeFor[plain](), ""); err != nil {
		return err
	}
	return n.Decode((*plain)(o))
}

// strictKeys checks that every mapping in n has only the yaml keys of the
// struct type t (recursing into lists and nested structs), naming the line
// and path of the first unknown key.
func strictKeys(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				if err := strictKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			return nil
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || n.Kind != yaml.MappingNode {
		return nil // the decoder reports type mismatches
	}
	fields := map[string]reflect.Type{}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields[name] = t.Field(i).Type
		names = append(names, name)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			where := fmt.Sprintf("line %d", k.Line)
			if path != "" {
				where += ": " + path
			}
			return fmt.Errorf("%s: unknown key %q (want one of %s)", where, k.Value, strings.Join(names, ", "))
		}
		if err := strictKeys(n.Content[i+1], ft, strings.TrimPrefix(path+"."+k.Value, ".")); err != nil {
			return err
		}
	}
	return nil
}

// Validate reports the first invalid value of the block, naming its key,
// the value and the accepted ones.
func (o Options) Validate() error {
	if o.Kind != "" && !slices.Contains(kinds, o.Kind) {
		return fmt.Errorf("report: kind: unknown %q (want one of %s)", o.Kind, strings.Join(kinds, ", "))
	}
	if err := validSelectOn(o.SelectOn); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for i, c := range o.Compare {
		if c.A == "" || c.B == "" {
			return fmt.Errorf("report: compare[%d]: want both a and b", i)
		}
		if err := validSelectOn(c.SelectOn); err != nil {
			return fmt.Errorf("report: compare[%d]: %w", i, err)
		}
	}
	var ids []string
	for i, c := range o.Claims {
		if err := c.validate(); err != nil {
			return fmt.Errorf("report: claims[%d]: %w", i, err)
		}
		if slices.Contains(ids, c.ID) {
			return fmt.Errorf("report: claims[%d]: id %q used twice", i, c.ID)
		}
		ids = append(ids, c.ID)
	}
	var names []string
	for i, f := range o.Figures {
		if err := f.validate(); err != nil {
			return fmt.Errorf("report: figures[%d]: %w", i, err)
		}
		if slices.Contains(names, f.fileName()) {
			return fmt.Errorf("report: figures[%d]: file name %q used twice (set name:)", i, f.fileName())
		}
		names = append(names, f.fileName())
	}
	return nil
}

// validate checks one claim.
func (c Claim) validate() error {
	switch {
	case !validID(c.ID):
		return fmt.Errorf("id %q must match [a-z0-9_]+", c.ID)
	case c.A == "" || c.B == "":
		return fmt.Errorf("claim %s: want both a and b", c.ID)
	case !slices.Contains(finalMetrics, c.Metric):
		return fmt.Errorf("claim %s: metric: unknown %q (want one of %s)", c.ID, c.Metric, strings.Join(finalMetrics, ", "))
	case c.Direction != Greater && c.Direction != Less:
		return fmt.Errorf("claim %s: direction: unknown %q (want greater or less)", c.ID, c.Direction)
	case !(c.Margin >= 0):
		return fmt.Errorf("claim %s: margin %v is negative", c.ID, c.Margin)
	case c.Per != "" && c.Per != PerFraction:
		return fmt.Errorf("claim %s: per: unknown %q (want fraction)", c.ID, c.Per)
	case c.Per != "" && c.Fraction != "":
		return fmt.Errorf("claim %s: per and fraction exclude each other", c.ID)
	}
	if err := validFraction(c.Fraction); err != nil {
		return fmt.Errorf("claim %s: fraction: %w", c.ID, err)
	}
	if err := validSelectOn(c.SelectOn); err != nil {
		return fmt.Errorf("claim %s: %w", c.ID, err)
	}
	if c.Than != nil {
		if c.Than.Study != "" && !validName(c.Than.Study) {
			return fmt.Errorf("claim %s: than.study %q is not a study name", c.ID, c.Than.Study)
		}
		if err := validFraction(c.Than.Fraction); err != nil {
			return fmt.Errorf("claim %s: than.fraction: %w", c.ID, err)
		}
	}
	return nil
}

// selectsOn reports whether the block chooses anything on the accuracy on
// (the ranking, or any comparison, claim or figure).
func (o Options) selectsOn(on string) bool {
	if o.SelectOn == on {
		return true
	}
	for _, c := range o.Compare {
		if c.SelectOn == on {
			return true
		}
	}
	for _, c := range o.Claims {
		if c.SelectOn == on {
			return true
		}
	}
	for _, f := range o.Figures {
		if f.SelectOn == on {
			return true
		}
	}
	return false
}

// validFraction checks a fraction selector: empty, smallest, largest or a
// number in (0, 1].
func validFraction(s string) error {
	if s == "" || s == FractionSmallest || s == FractionLargest {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0 && f <= 1) {
		return fmt.Errorf("%q is not smallest, largest or a number in (0, 1]", s)
	}
	return nil
}

// validate checks one figure.
func (f Figure) validate() error {
	if !slices.Contains(figureKinds, f.Kind) {
		return fmt.Errorf("kind: unknown %q (want one of %s)", f.Kind, strings.Join(figureKinds, ", "))
	}
	if f.Name != "" && !validID(f.Name) {
		return fmt.Errorf("name %q must match [a-z0-9_]+", f.Name)
	}
	if err := validSelectOn(f.SelectOn); err != nil {
		return err
	}
	switch f.Kind {
	case FigureCurves:
		if f.Metric != "" && !slices.Contains(epochMetrics, f.Metric) {
			return fmt.Errorf("metric: unknown %q for curves (want one of %s)", f.Metric, strings.Join(epochMetrics, ", "))
		}
	case FigureDiagnostics:
		if f.Metric == "" {
			return fmt.Errorf("metric: a diagnostics figure names its diagnostic (e.g. alpha_mean)")
		}
	default:
		if f.Metric != "" && !slices.Contains(finalMetrics, f.Metric) {
			return fmt.Errorf("metric: unknown %q for %s (want one of %s)", f.Metric, f.Kind, strings.Join(finalMetrics, ", "))
		}
	}
	switch {
	case f.Kind == FigureGrid && f.X == "":
		return fmt.Errorf("x: a grid figure names its grid key (e.g. lr)")
	case f.Kind != FigureGrid && f.X != "":
		return fmt.Errorf("x: only a grid figure has an x key")
	case f.Kind == FigureSeedGaps && (f.A == "" || f.B == ""):
		return fmt.Errorf("a, b: a seed_gaps figure names both sides of its comparison")
	case f.Kind != FigureSeedGaps && (f.A != "" || f.B != ""):
		return fmt.Errorf("a, b: only a seed_gaps figure has a comparison (use arms)")
	}
	return nil
}

// metric returns the figure's metric, or its kind's default.
func (f Figure) metric() string {
	switch {
	case f.Metric != "":
		return f.Metric
	case f.Kind == FigureCurves:
		return "test_acc"
	}
	return MetricFinalAcc
}

// fileName is the figure's file name after the study name's underscore.
func (f Figure) fileName() string {
	if f.Name != "" {
		return f.Name
	}
	name := f.Kind + "_" + f.metric()
	if f.Kind == FigureGrid {
		name += "_over_" + f.X
	}
	return name
}

// validID reports whether s is a non-empty [a-z0-9_]+ identifier.
func validID(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// Study is one study as the report sees it: its spec's name, title and
// report options, and the runs loaded from the store.
type Study struct {
	// Name is the study's name (the folder under runs/ and the prefix of
	// every file the report writes for it).
	Name string
	// Title is the human-readable title used in headings and, by default,
	// in figure titles.
	Title string
	// Options is the spec's report block.
	Options Options
	// Arms are the spec's arm names in order: the row order of baselines
	// tables (arms not listed follow by name).
	Arms []string
	// Runs are the study's runs as loaded by store.LoadStudy; any status.
	Runs []store.Run
	// Skipped, when non-empty, says why the study was not run (for example
	// missing data); the study is then listed with this reason only.
	Skipped string
	// Note is free text shown under the study's heading, for example the
	// work estimate and the command that runs a study not run here.
	Note string
}
