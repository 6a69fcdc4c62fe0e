package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// quickBanner is the README banner of quick-profile outputs.
const quickBanner = "> **QUICK** - quick profile: scaled-down protocol, not results.\n\n"

// analysis is one study's aggregated numbers.
type analysis struct {
	study    *Study
	groups   []*group      // by fraction, then label
	tuning   *tuning       // kind tuning only
	compared [][]pairedRow // per declared comparison
	seeds    []int64       // distinct seeds of all runs, sorted
	hasVal   bool          // some completed run records validation metrics
	counted  int           // completed runs in the statistics
	diverged int           // diverged runs
	other    int           // runs of any other status
}

// analyse aggregates a study that has runs. It is an error to choose on
// validation accuracy when no completed run of the study records it.
func analyse(s *Study) (*analysis, error) {
	if mixed := mixedAxes(s.Runs); mixed != "" {
		return nil, fmt.Errorf("report: study %s: its runs differ in %s, but its tables and claims group runs by arm and fraction only; give each combination a spec of its own", s.Name, mixed)
	}
	a := &analysis{study: s, groups: groupRuns(s.Runs)}
	for _, r := range s.Runs {
		if !slices.Contains(a.seeds, r.Config.Seed) {
			a.seeds = append(a.seeds, r.Config.Seed)
		}
	}
	slices.Sort(a.seeds)
	for _, g := range a.groups {
		a.counted += len(g.done)
		a.diverged += g.diverged
		a.other += len(g.excluded) - g.diverged
	}
	a.hasVal = slices.ContainsFunc(a.groups, func(g *group) bool { return g.val.N > 0 })
	if a.counted > 0 && !a.hasVal && s.Options.selectsOn(SelectValidation) {
		return nil, fmt.Errorf("report: study %s: select_on: validation, but none of its %d completed runs records validation metrics (give the spec validation: v, e.g. 0.1, and run it)", s.Name, a.counted)
	}
	if s.Options.Kind == KindTuning {
		a.tuning = analyseTuning(a.groups, s.Options, a.hasVal)
	}
	for _, c := range s.Options.Compare {
		a.compared = append(a.compared, comparisonRows(a.groups, c))
	}
	return a, nil
}

// mixedAxes names the axes other than arm, fraction and seed on which runs
// differ (dataset, model, epochs, batch size), with their values, or "".
func mixedAxes(runs []store.Run) string {
	var parts []string
	for _, ax := range []struct {
		name string
		of   func(c store.RunConfig) string
	}{
		{"dataset", func(c store.RunConfig) string { return c.Dataset }},
		{"model", func(c store.RunConfig) string { return c.Model }},
		{"epochs", func(c store.RunConfig) string { return strconv.Itoa(c.Epochs) }},
		{"batch_size", func(c store.RunConfig) string { return strconv.Itoa(c.BatchSize) }},
	} {
		var vals []string
		for _, r := range runs {
			if v := ax.of(r.Config); !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) > 1 {
			slices.Sort(vals)
			parts = append(parts, fmt.Sprintf("%s (%s)", ax.name, strings.Join(vals, ", ")))
		}
	}
	return strings.Join(parts, " and ")
}

// seedList renders the study's seeds.
func (a *analysis) seedList() string {
	parts := make([]string, len(a.seeds))
	for i, s := range a.seeds {
		parts[i] = strconv.FormatInt(s, 10)
	}
	return strings.Join(parts, ", ")
}

// title is the study's title, or its name when it has none.
func (s *Study) title() string {
	if s.Title != "" {
		return s.Title
	}
	return s.Name
}

// notRun returns why the study has nothing to report, or "".
func (s *Study) notRun() string {
	switch {
	case s.Skipped != "":
		return s.Skipped
	case len(s.Runs) == 0:
		return "no runs in the store yet"
	}
	return ""
}

// validName reports whether a study name is usable as a file name.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`)
}

// renderedStudy is everything Write produced for one study.
type renderedStudy struct {
	study   *Study
	a       *analysis // nil when the study was not run
	body    string    // Markdown tables without title
	figures []figure
	skipped []string // figures that could not be drawn, one line each with the reason
	claims  []*claimResult
}

// WriteOptions configure Write.
type WriteOptions struct {
	// Quick labels every output as the quick profile's.
	Quick bool
	// DataDir is the absolute data directory; Write writes it as
	// $NEUROPLASTIC_DATA wherever a study's reason or note names it.
	DataDir string
	// Protocol names this protocol in the README ("" when there is one
	// only).
	Protocol string
	// Beside, if not nil, is another protocol whose claim tests the README
	// shows beside this protocol's, claim by claim.
	Beside *Protocol
	// Up, if not nil, is the protocol whose README shows this one's claims
	// beside its own (its Studies are not read); the README links to it.
	Up *Protocol
}

// Write aggregates the studies and writes, under dir, tables/<study>.md and
// .csv, figures/<study>_*.png and .svg, locked_config.json (for the study
// whose options say select, when it has a completed candidate) and
// README.md, each atomically, and returns the paths it wrote, relative to
// dir, in writing order. A study with Skipped set or without runs is listed
// in the README only. Write returns an error for invalid options (of a
// study that is not skipped), duplicate or unusable study names, two
// selecting studies, two studies drawing the same figure file, or a failed
// write.
func Write(dir string, studies []Study, o WriteOptions) ([]string, error) {
	var names []string
	selecting := 0
	for i := range studies {
		s := &studies[i]
		if !validName(s.Name) {
			return nil, fmt.Errorf("report: study name %q is not usable as a file name", s.Name)
		}
		if slices.Contains(names, s.Name) {
			return nil, fmt.Errorf("report: study %q listed twice", s.Name)
		}
		names = append(names, s.Name)
		s.Skipped, s.Note = o.relative(dir, s.Skipped), o.relative(dir, s.Note)
		if s.Skipped != "" {
			continue // only its reason is rendered
		}
		if err := s.Options.Validate(); err != nil {
			return nil, fmt.Errorf("report: study %s: %w", s.Name, err)
		}
		if s.Options.Select {
			selecting++
		}
	}
	if selecting > 1 {
		return nil, fmt.Errorf("report: %d studies say select; only one may write locked_config.json", selecting)
	}
	rendered, err := render(studies, o.Quick)
	if err != nil {
		return nil, err
	}
	var beside []*renderedStudy
	if o.Beside != nil {
		if beside, err = analyseAll(o.Beside.Studies); err != nil {
			return nil, fmt.Errorf("report: the %s protocol: %w", o.Beside.Name, err)
		}
	}
	for _, sub := range []string{"tables", "figures"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), atomicfile.DirMode); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	w := &writer{dir: dir}
	var locked *lockedConfig
	for _, r := range rendered {
		if r.a == nil {
			continue
		}
		if err := w.study(r, o.Quick); err != nil {
			return w.files, err
		}
		if t := r.a.tuning; t != nil && t.selected != nil && r.study.Options.Select {
			locked = newLockedConfig(r.a, o.Quick)
			data, err := json.MarshalIndent(locked, "", "  ")
			if err != nil {
				return w.files, fmt.Errorf("report: %s: %w", LockedConfigFile, err)
			}
			if err := w.write(LockedConfigFile, append(data, '\n')); err != nil {
				return w.files, err
			}
		}
	}
	index, err := readme(rendered, locked, o, beside)
	if err != nil {
		return w.files, fmt.Errorf("report: README.md: %w", err)
	}
	err = w.write("README.md", []byte(index))
	return w.files, err
}

// LockedConfigFile is the file, under the results directory, where the
// selecting study writes its best configuration.
const LockedConfigFile = "locked_config.json"

// relative rewrites absolute paths in text: the data directory as
// $NEUROPLASTIC_DATA and the results directory dir as relative to it.
func (o WriteOptions) relative(dir, text string) string {
	if o.DataDir != "" {
		text = strings.ReplaceAll(text, filepath.Clean(o.DataDir), "$NEUROPLASTIC_DATA")
	}
	if abs, err := filepath.Abs(dir); err == nil && abs != string(filepath.Separator) {
		text = strings.ReplaceAll(text, abs+string(filepath.Separator), "")
	}
	return text
}

// render analyses every study, renders its tables and figures in memory and
// evaluates the claims.
func render(studies []Study, quick bool) ([]*renderedStudy, error) {
	out, err := analyseAll(studies)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, r := range out {
		if r.a == nil {
			continue
		}
		var err error
		if r.body, err = r.markdownBody(); err != nil {
			return nil, fmt.Errorf("report: study %s: %w", r.study.Name, err)
		}
		for _, spec := range r.study.Options.Figures {
			f, reason := r.a.drawFigure(spec, quick)
			if f == nil {
				r.skipped = append(r.skipped, fmt.Sprintf("Figure %s not drawn: %s.", figureBase(r.study.Name, spec), reason))
				continue
			}
			if slices.Contains(files, f.base) {
				return nil, fmt.Errorf("report: study %s: figure file %s is drawn by another study too", r.study.Name, f.base)
			}
			files = append(files, f.base)
			r.figures = append(r.figures, *f)
		}
	}
	return out, nil
}

// analyseAll analyses every study that has runs and evaluates its claims.
func analyseAll(studies []Study) ([]*renderedStudy, error) {
	var out []*renderedStudy
	byName := map[string]*analysis{}
	for i := range studies {
		s := &studies[i]
		r := &renderedStudy{study: s}
		out = append(out, r)
		if s.notRun() == "" {
			a, err := analyse(s)
			if err != nil {
				return nil, err
			}
			r.a = a
			byName[s.Name] = a
		}
	}
	lookup := func(name string) *analysis { return byName[name] }
	for _, r := range out {
		if r.a != nil {
			r.claims = r.a.evaluateClaims(lookup)
		}
	}
	return out, nil
}

// writer writes files under dir and records their relative paths.
type writer struct {
	dir   string
	files []string
}

// write writes data to dir/rel atomically and records rel.
func (w *writer) write(rel string, data []byte) error {
	if err := writeFile(filepath.Join(w.dir, rel), data); err != nil {
		return err
	}
	w.files = append(w.files, filepath.ToSlash(rel))
	return nil
}

// study writes the study's table files and figures.
func (w *writer) study(r *renderedStudy, quick bool) error {
	name := r.study.Name
	var md strings.Builder
	md.WriteString("# " + r.study.title())
	if quick {
		md.WriteString(" (QUICK)\n\n" + quickBanner)
	} else {
		md.WriteString("\n\n")
	}
	if r.study.Note != "" {
		md.WriteString(r.study.Note + "\n\n")
	}
	md.WriteString(r.body)
	for _, s := range r.skipped {
		md.WriteString(s + "\n\n")
	}
	if err := w.write(path.Join("tables", name+".md"), []byte(md.String())); err != nil {
		return err
	}
	csvData, err := r.csvTable(quick)
	if err != nil {
		return fmt.Errorf("report: study %s: %w", name, err)
	}
	if err := w.write(path.Join("tables", name+".csv"), csvData); err != nil {
		return err
	}
	for _, f := range r.figures {
		if err := w.write(path.Join("figures", f.base+".png"), f.png); err != nil {
			return err
		}
		if err := w.write(path.Join("figures", f.base+".svg"), f.svg); err != nil {
			return err
		}
	}
	return nil
}

// lockedConfig is locked_config.json: the selecting study's best
// configuration, beside its reference. Undefined numbers are null.
type lockedConfig struct {
	Study            string          `json:"study"`
	Quick            bool            `json:"quick"`
	Selection        string          `json:"selection"`
	Label            string          `json:"label"`
	Optimizer        json.RawMessage `json:"optimizer"`
	N                int             `json:"n"`
	MeanFinalTestAcc float64         `json:"mean_final_test_acc"`
	StdFinalTestAcc  *float64        `json:"std_final_test_acc"`
	MeanFinalValAcc  *float64        `json:"mean_final_val_acc,omitempty"` // with validation metrics only
	Reference        string          `json:"reference,omitempty"`
	ReferenceMean    *float64        `json:"reference_mean_final_test_acc,omitempty"`
	EqualsReference  bool            `json:"equals_reference"`
	GapToReference   *float64        `json:"gap_to_reference,omitempty"`
	PairedP          *float64        `json:"paired_p,omitempty"`
}

// defined returns &x, or nil when x is NaN (JSON has no NaN).
func defined(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

// newLockedConfig describes the selected configuration of a tuning analysis.
func newLockedConfig(a *analysis, quick bool) *lockedConfig {
	t := a.tuning
	of := ""
	if c := a.study.Options.Candidates; c != "" {
		of = " of " + c
	}
	among := fmt.Sprintf("the %d configurations%s with runs", t.among, of)
	if t.among == 1 {
		among = "the one configuration" + of + " with runs"
	}
	sel := fmt.Sprintf("best mean final %s accuracy among %s", t.on, among)
	l := &lockedConfig{
		Study:            a.study.Name,
		Quick:            quick,
		Selection:        sel,
		Label:            t.selected.label,
		Optimizer:        t.selected.optimizer,
		N:                t.selected.final.N,
		MeanFinalTestAcc: t.selected.final.Mean,
		StdFinalTestAcc:  defined(t.selected.final.Std),
		EqualsReference:  t.ref != nil && t.selected == t.ref,
	}
	if t.selected.val.N > 0 {
		l.MeanFinalValAcc = defined(t.selected.val.Mean)
	}
	if t.ref != nil {
		l.Reference = t.ref.label
		l.ReferenceMean = defined(t.ref.final.Mean)
	}
	if c := t.vsRef; c != nil {
		l.GapToReference = defined(c.final.mean)
		l.PairedP = defined(c.final.p)
	}
	return l
}

// writeFile writes data to path atomically (see package atomicfile).
func writeFile(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
