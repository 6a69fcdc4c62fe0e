package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
	"github.com/neuroplastic/neuroplastic/optim"
)

// quickBanner is the README banner of quick-profile outputs.
const quickBanner = "> **QUICK** - quick profile: scaled-down protocol, not results.\n\n"

// analysis is one study's aggregated numbers.
type analysis struct {
	study    *Study
	dataset  string        // dataset of the first run
	groups   []*group      // by fraction, then label
	tuning   *tuning       // kind tuning only
	blocks   []pairedBlock // kind paired only
	seeds    []int64       // distinct seeds of all runs, sorted
	counted  int           // completed runs in the statistics
	diverged int           // diverged runs
	other    int           // runs of any other status
}

// analyse aggregates a study that has runs.
func analyse(s *Study) (*analysis, error) {
	a := &analysis{study: s, dataset: s.Runs[0].Config.Dataset, groups: groupRuns(s.Runs)}
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
	switch s.Options.Kind {
	case KindTuning:
		t, err := analyseTuning(a.groups)
		if err != nil {
			return nil, fmt.Errorf("report: study %s: %w", s.Name, err)
		}
		a.tuning = t
	case KindPaired:
		a.blocks = analysePaired(a.groups)
	}
	return a, nil
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
	missing []string // figures that could not be drawn, with reasons
	claim   claim
}

// Write aggregates the studies and writes, under dir, tables/<study>.md and
// .csv, figures/*.png and .svg, locked_config.json (for a tuning study with
// a completed full configuration) and README.md, each atomically. A study
// with Skipped set or without runs is listed in the README only. With quick
// set every output is labelled QUICK. Write returns an error for invalid
// options (of a study that is not skipped), duplicate or unusable study names, two tuning studies, two
// studies drawing the same figure file, or a failed write.
func Write(dir string, studies []Study, quick bool) error {
	var names []string
	tuningStudies := 0
	for i := range studies {
		s := &studies[i]
		if !validName(s.Name) {
			return fmt.Errorf("report: study name %q is not usable as a file name", s.Name)
		}
		if slices.Contains(names, s.Name) {
			return fmt.Errorf("report: study %q listed twice", s.Name)
		}
		names = append(names, s.Name)
		if s.Skipped != "" {
			continue // only its reason is rendered
		}
		if err := s.Options.Validate(); err != nil {
			return fmt.Errorf("report: study %s: %w", s.Name, err)
		}
		if s.Options.Kind == KindTuning {
			tuningStudies++
		}
	}
	if tuningStudies > 1 {
		return fmt.Errorf("report: %d tuning studies; only one may write locked_config.json", tuningStudies)
	}
	rendered, err := render(studies, quick)
	if err != nil {
		return err
	}
	for _, sub := range []string{"tables", "figures"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), atomicfile.DirMode); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	var locked *lockedConfig
	for _, r := range rendered {
		if r.a == nil {
			continue
		}
		if err := writeStudy(dir, r, quick); err != nil {
			return err
		}
		if r.a.tuning != nil && r.a.tuning.selected != nil {
			locked = newLockedConfig(r.a, quick)
			data, err := json.MarshalIndent(locked, "", "  ")
			if err != nil {
				return fmt.Errorf("report: locked_config.json: %w", err)
			}
			if err := writeFile(filepath.Join(dir, "locked_config.json"), append(data, '\n')); err != nil {
				return err
			}
		}
	}
	return writeFile(filepath.Join(dir, "README.md"), []byte(readme(rendered, locked, quick)))
}

// render analyses every study, renders its tables and figures in memory and
// evaluates the claims.
func render(studies []Study, quick bool) ([]*renderedStudy, error) {
	var out []*renderedStudy
	var files []string
	for i := range studies {
		s := &studies[i]
		r := &renderedStudy{study: s}
		out = append(out, r)
		if s.notRun() != "" {
			continue
		}
		a, err := analyse(s)
		if err != nil {
			return nil, err
		}
		r.a = a
		if r.body, err = a.markdownBody(); err != nil {
			return nil, fmt.Errorf("report: study %s: %w", s.Name, err)
		}
		for _, name := range s.Options.Figures {
			figs, missing, err := a.figures(name, quick)
			if err != nil {
				return nil, fmt.Errorf("report: study %s: %w", s.Name, err)
			}
			if missing != "" {
				r.missing = append(r.missing, missing)
			}
			for _, f := range figs {
				if slices.Contains(files, f.base) {
					return nil, fmt.Errorf("report: study %s: figure file %s is drawn by another study too", s.Name, f.base)
				}
				files = append(files, f.base)
			}
			r.figures = append(r.figures, figs...)
		}
	}
	mnist, mnistOK := 0.0, false
	for _, r := range out {
		if r.a != nil && !mnistOK {
			mnist, mnistOK = r.a.mnistGap()
		}
	}
	for _, r := range out {
		if r.a != nil {
			r.claim = r.a.claim(mnist, mnistOK)
		}
	}
	return out, nil
}

// writeStudy writes the study's table files and figures.
func writeStudy(dir string, r *renderedStudy, quick bool) error {
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
	if err := writeFile(filepath.Join(dir, "tables", name+".md"), []byte(md.String())); err != nil {
		return err
	}
	csvData, err := r.a.csvTable(quick)
	if err != nil {
		return fmt.Errorf("report: study %s: %w", name, err)
	}
	if err := writeFile(filepath.Join(dir, "tables", name+".csv"), csvData); err != nil {
		return err
	}
	for _, f := range r.figures {
		pngData, svgData, err := encode(f.plot)
		if err != nil {
			return fmt.Errorf("report: study %s: %s: %w", name, f.base, err)
		}
		if err := writeFile(filepath.Join(dir, "figures", f.base+".png"), pngData); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, "figures", f.base+".svg"), svgData); err != nil {
			return err
		}
	}
	return nil
}

// paperConfig is the paper's locked configuration in locked_config.json.
type paperConfig struct {
	LR              float64 `json:"lr"`
	WarmupEpochs    int     `json:"warmup_epochs"`
	PlasticityScale float64 `json:"plasticity_scale"`
}

// newPaperConfig returns the paper's locked values (optim.PaperLocked).
func newPaperConfig() paperConfig {
	np := optim.PaperConfig().NeuroPlastic
	return paperConfig{LR: np.LR, WarmupEpochs: np.WarmupEpochs, PlasticityScale: np.PlasticityScale}
}

// lockedConfig is locked_config.json: the tuning study's selected
// configuration, beside the paper's. Undefined numbers are null.
type lockedConfig struct {
	Study                 string          `json:"study"`
	Quick                 bool            `json:"quick"`
	Selection             string          `json:"selection"`
	Label                 string          `json:"label"`
	Optimizer             json.RawMessage `json:"optimizer"`
	N                     int             `json:"n"`
	MeanFinalTestAcc      float64         `json:"mean_final_test_acc"`
	StdFinalTestAcc       *float64        `json:"std_final_test_acc"`
	Paper                 paperConfig     `json:"paper"`
	PaperLabel            string          `json:"paper_label"`
	PaperMeanFinalTestAcc *float64        `json:"paper_mean_final_test_acc"`
	EqualsPaper           bool            `json:"equals_paper"`
	GapToPaper            *float64        `json:"gap_to_paper"`
	PairedP               *float64        `json:"paired_p"`
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
	l := &lockedConfig{
		Study:            a.study.Name,
		Quick:            quick,
		Selection:        "best mean final test accuracy among full configurations",
		Label:            t.selected.label,
		Optimizer:        t.selected.optimizer,
		N:                t.selected.final.N,
		MeanFinalTestAcc: t.selected.final.Mean,
		StdFinalTestAcc:  defined(t.selected.final.Std),
		Paper:            newPaperConfig(),
		EqualsPaper:      t.selected == t.paper,
	}
	if t.paper != nil {
		l.PaperLabel = t.paper.label
		l.PaperMeanFinalTestAcc = defined(t.paper.final.Mean)
	}
	if c := t.selectedVsPaper; c != nil {
		l.GapToPaper = defined(c.gap)
		l.PairedP = defined(c.p)
	}
	return l
}

// readme renders the index: banner, claim lines, the selected
// configuration, every study's tables inline with its figures, and the
// studies not run with their reasons.
func readme(rendered []*renderedStudy, locked *lockedConfig, quick bool) string {
	var b strings.Builder
	b.WriteString("# NeuroPlastic reproduction: results")
	if quick {
		b.WriteString(" (QUICK)\n\n" + quickBanner)
	} else {
		b.WriteString("\n\n")
	}
	b.WriteString("Rendered by `neuroplastic report` from the run store. Numbers are over seeds of completed runs: " +
		"mean ± sample std, Student t 95% intervals; paired differences are full - grad_only on shared seeds " +
		"(paired t-test, two-sided). Diverged runs are not counted and are listed under each table.\n\n")
	b.WriteString("## Does the paper's claim hold in our numbers?\n\n")
	for _, r := range rendered {
		fmt.Fprintf(&b, "- **%s** (%s): ", r.study.title(), code(r.study.Name))
		if why := r.study.notRun(); why != "" {
			fmt.Fprintf(&b, "**not run**: %s.\n", strings.TrimSuffix(why, "."))
			continue
		}
		fmt.Fprintf(&b, "**%s**. %s\n", r.claim.verdict, r.claim.detail)
	}
	b.WriteString("\n")
	if locked != nil {
		b.WriteString("## Selected configuration\n\n")
		fmt.Fprintf(&b, "Tuning selection (%s): %s, mean final test accuracy %s over %d seeds. ",
			locked.Selection, code(locked.Label), fmtAcc(locked.MeanFinalTestAcc), locked.N)
		if locked.EqualsPaper {
			b.WriteString("It equals the paper's locked configuration (lr 0.1, warmup_epochs 2, plasticity_scale 2.0). ")
		} else {
			b.WriteString("It differs from the paper's locked configuration (lr 0.1, warmup_epochs 2, plasticity_scale 2.0); " +
				"the later studies use the paper's values unless a spec says `from: selected`. ")
		}
		b.WriteString("Written to [locked_config.json](locked_config.json).\n\n")
	}
	var notRun []*renderedStudy
	for _, r := range rendered {
		if r.a == nil {
			notRun = append(notRun, r)
			continue
		}
		name := r.study.Name
		fmt.Fprintf(&b, "## %s\n\n", r.study.title())
		if r.study.Note != "" {
			b.WriteString(r.study.Note + "\n\n")
		}
		fmt.Fprintf(&b, "Table files: [tables/%s.md](tables/%s.md), [tables/%s.csv](tables/%s.csv).\n\n", name, name, name, name)
		b.WriteString(r.body)
		for _, f := range r.figures {
			fmt.Fprintf(&b, "![%s](figures/%s.png)\n\n%s ([PNG](figures/%s.png), [SVG](figures/%s.svg))\n\n",
				f.caption, f.base, f.caption, f.base, f.base)
		}
		for _, m := range r.missing {
			fmt.Fprintf(&b, "*%s.*\n\n", m)
		}
	}
	if len(notRun) > 0 {
		b.WriteString("## Not run\n\n")
		for _, r := range notRun {
			fmt.Fprintf(&b, "### %s (%s)\n\nNot run: %s.\n\n", r.study.title(), code(r.study.Name), strings.TrimSuffix(r.study.notRun(), "."))
			if r.study.Note != "" {
				b.WriteString(r.study.Note + "\n\n")
			}
		}
	}
	return b.String()
}

// writeFile writes data to path atomically (see package atomicfile).
func writeFile(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
