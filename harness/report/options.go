package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// Report kinds accepted in Options.Kind.
const (
	// KindTuning ranks every configuration of a grid (the MNIST tuning study)
	// and selects the best full configuration.
	KindTuning = "tuning"
	// KindPaired compares the full arm with the grad_only arm on shared
	// seeds, per data fraction.
	KindPaired = "paired"
	// KindBaselines lists one row per optimizer arm.
	KindBaselines = "baselines"
)

// kinds lists the valid report kinds in documentation order.
var kinds = []string{KindTuning, KindPaired, KindBaselines}

// figureNames lists the valid figure names of Options.Figures.
var figureNames = []string{"fig2a", "fig2b", "fig3", "fig4", "fig5", "baselines"}

// Options is the `report:` block of a spec (decoded strictly from YAML by
// the spec loader). Kind selects the table layout; Figures names the
// preprint figures the study feeds.
type Options struct {
	Kind    string   `yaml:"kind"`    // "tuning" | "paired" | "baselines"
	Figures []string `yaml:"figures"` // e.g. fig2a, fig2b, fig3, fig4, fig5, baselines
}

// Validate reports an unknown kind, an unknown figure name or a figure
// listed twice, naming the bad value and the accepted ones.
func (o Options) Validate() error {
	if !slices.Contains(kinds, o.Kind) {
		return fmt.Errorf("report: unknown kind %q (want one of %s)", o.Kind, strings.Join(kinds, ", "))
	}
	for i, f := range o.Figures {
		if !slices.Contains(figureNames, f) {
			return fmt.Errorf("report: unknown figure %q (want one of %s)", f, strings.Join(figureNames, ", "))
		}
		if slices.Contains(o.Figures[:i], f) {
			return fmt.Errorf("report: figure %q listed twice", f)
		}
	}
	return nil
}

// Study is one study as the report sees it: its spec's name, title and
// report options, and the runs loaded from the store.
type Study struct {
	// Name is the study's name (the folder under runs/ and the table's file name).
	Name string
	// Title is the human-readable title used in headings.
	Title string
	// Options is the spec's report block.
	Options Options
	// Runs are the study's runs as loaded by store.LoadStudy; any status.
	Runs []store.Run
	// Skipped, when non-empty, says why the study was not run (for example
	// missing data); the study is then listed with this reason only.
	Skipped string
	// Note is free text shown under the study's heading, for example the
	// work estimate and the command that runs a study not run here.
	Note string
}
