package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// The published MNIST numbers (docs/algorithm.md, section 6), shown beside ours.
const (
	publishedLockedFinalAcc = 0.97457
	publishedGapFinal       = 0.0010
	publishedGapBest        = 0.00077
	publishedGapLoss        = -0.00196
	publishedWins           = 3
	publishedSeeds          = 3
)

// Marks of the tuning table's note column.
const (
	markSelected = "selected"
	markPaper    = "paper-locked"
)

// na renders an undefined number in Markdown.
const na = "n/a"

// fmtAcc renders an accuracy (or any value in [0, 1]) with 5 decimals.
func fmtAcc(x float64) string { return fmtFixed(x, "%.5f") }

// fmtLoss renders a loss with 4 decimals.
func fmtLoss(x float64) string { return fmtFixed(x, "%.4f") }

// fmtGap renders a signed difference with 5 decimals.
func fmtGap(x float64) string { return fmtFixed(x, "%+.5f") }

// fmtP renders a p-value with 3 significant digits.
func fmtP(x float64) string { return fmtFixed(x, "%.3g") }

// fmtFixed renders x with the verb, or n/a when x is NaN.
func fmtFixed(x float64, verb string) string {
	if math.IsNaN(x) {
		return na
	}
	return fmt.Sprintf(verb, x)
}

// fmtMeanStd renders "mean ± std" with f; the std is omitted when undefined.
func fmtMeanStd(s Sample, f func(float64) string) string {
	if math.IsNaN(s.Std) {
		return f(s.Mean)
	}
	return f(s.Mean) + " ± " + f(s.Std)
}

// fmtCI renders a 95% interval of accuracies.
func fmtCI(s Sample) string {
	if math.IsNaN(s.Lo) {
		return na
	}
	return "[" + fmtAcc(s.Lo) + ", " + fmtAcc(s.Hi) + "]"
}

// fmtFraction renders a data fraction in its shortest form.
func fmtFraction(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// fmtWTL renders wins/ties/losses.
func fmtWTL(c *comparison) string { return fmt.Sprintf("%d/%d/%d", c.wins, c.ties, c.losses) }

// code renders s as inline Markdown code.
func code(s string) string { return "`" + s + "`" }

// markdownTable appends a Markdown table to b.
func markdownTable(b *strings.Builder, header []string, rows [][]string) error {
	t := tablewriter.NewTable(b,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header(escapeCells(header))
	for _, r := range rows {
		if err := t.Append(escapeCells(r)); err != nil {
			return fmt.Errorf("report: table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	b.WriteString("\n")
	return nil
}

// escapeCells escapes the Markdown column separator in every cell.
func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// groupColumns chooses the optional columns of a per-configuration table.
type groupColumns struct {
	rank     bool                // a rank column (1-based row order)
	fraction bool                // a data fraction column
	marks    func(*group) string // extra marks for the note column; nil for none
}

// groupTable appends the per-configuration statistics of groups to b.
func groupTable(b *strings.Builder, groups []*group, cols groupColumns) error {
	var header []string
	if cols.rank {
		header = append(header, "rank")
	}
	if cols.fraction {
		header = append(header, "fraction")
	}
	header = append(header, "configuration", "n", "final acc (mean ± std)", "95% CI (final acc)",
		"best acc (mean ± std)", "final loss (mean ± std)", "note")
	rows := make([][]string, 0, len(groups))
	for i, g := range groups {
		var row []string
		if cols.rank {
			row = append(row, rankCell(i, g))
		}
		if cols.fraction {
			row = append(row, fmtFraction(g.fraction))
		}
		row = append(row, code(g.label), strconv.Itoa(g.final.N), fmtMeanStd(g.final, fmtAcc), fmtCI(g.final),
			fmtMeanStd(g.best, fmtAcc), fmtMeanStd(g.loss, fmtLoss), note(g, cols.marks))
		rows = append(rows, row)
	}
	return markdownTable(b, header, rows)
}

// rankCell is the rank of the i-th ranked group, or "-" when it has no
// completed run.
func rankCell(i int, g *group) string {
	if g.final.N == 0 {
		return "-"
	}
	return strconv.Itoa(i + 1)
}

// note joins the marks of g with its diverged and not-counted runs.
func note(g *group, marks func(*group) string) string {
	var parts []string
	if marks != nil {
		if m := marks(g); m != "" {
			parts = append(parts, m)
		}
	}
	if g.diverged > 0 {
		parts = append(parts, fmt.Sprintf("DIVERGED: %d run(s)", g.diverged))
	}
	if other := len(g.excluded) - g.diverged; other > 0 {
		parts = append(parts, fmt.Sprintf("%d run(s) not counted", other))
	}
	return strings.Join(parts, "; ")
}

// comparisonTable appends paired comparisons to b; a nil comparison is a
// row saying which arm is missing.
func comparisonTable(b *strings.Builder, blocks []pairedBlock, withFraction bool) error {
	var header []string
	if withFraction {
		header = append(header, "fraction")
	}
	header = append(header, "comparison", "shared seeds", "wins/ties/losses", "gap final acc",
		"gap best acc", "gap final loss", "paired p", "robustness")
	rows := make([][]string, 0, len(blocks))
	for _, bl := range blocks {
		var row []string
		if withFraction {
			row = append(row, fmtFraction(bl.fraction))
		}
		c := bl.cmp
		if c == nil {
			row = append(row, "full vs grad_only: an arm is missing", "0", na, na, na, na, na, Inconclusive)
		} else {
			row = append(row, code(c.a.label)+" vs "+code(c.b.label), strconv.Itoa(len(c.seeds)), fmtWTL(c),
				fmtGap(c.gap), fmtGap(c.gapBest), fmtGap(c.gapLoss), fmtP(c.p), c.label)
		}
		rows = append(rows, row)
	}
	return markdownTable(b, header, rows)
}

// markdownBody renders the study's tables and their explanations (without
// the title), for the table file and the README alike.
func (a *analysis) markdownBody() (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Runs: %d counted (completed), %d diverged, %d not counted otherwise. Seeds: %s.\n\n",
		a.counted, a.diverged, a.other, a.seedList())
	var err error
	switch a.study.Options.Kind {
	case KindTuning:
		err = a.tuningBody(&b)
	case KindPaired:
		b.WriteString("### Per arm\n\n")
		if err = groupTable(&b, a.groups, groupColumns{fraction: true}); err != nil {
			break
		}
		b.WriteString("### Paired: full vs grad_only on shared seeds (differences full - grad_only)\n\n")
		err = comparisonTable(&b, a.blocks, true)
	case KindBaselines:
		err = groupTable(&b, orderBaselines(a.groups), groupColumns{fraction: len(fractions(a.groups)) > 1})
	}
	if err != nil {
		return "", err
	}
	a.excludedList(&b)
	return b.String(), nil
}

// tuningBody renders the ranked grid, the paper-locked comparison beside
// the published numbers and the selected-vs-paper comparison.
func (a *analysis) tuningBody(b *strings.Builder) error {
	t := a.tuning
	b.WriteString("### Configurations ranked by mean final test accuracy\n\n")
	marks := func(g *group) string { return strings.Join(t.marks(g), ", ") }
	if err := groupTable(b, t.ranked, groupColumns{rank: true, marks: marks}); err != nil {
		return err
	}
	if t.selected != nil {
		fmt.Fprintf(b, "Selected (best mean final test accuracy among full configurations): %s, %s.\n",
			code(t.selected.label), fmtAcc(t.selected.final.Mean))
		b.WriteString("\n")
	}
	if t.paper != nil {
		fmt.Fprintf(b, "Paper-locked (lr 0.1, warmup_epochs 2, plasticity_scale 2.0): %s, %s.\n\n",
			code(t.paper.label), fmtAcc(t.paper.final.Mean))
	} else {
		b.WriteString("The paper's locked configuration (lr 0.1, warmup_epochs 2, plasticity_scale 2.0) is not in this grid; " +
			"the comparison with grad_only uses the selected configuration.\n\n")
	}
	if c := t.paperVsGrad; c != nil {
		which := "Paper-locked"
		if t.paper == nil {
			which = "Selected"
		}
		fmt.Fprintf(b, "### %s full vs grad_only, beside the published numbers (differences full - grad_only)\n\n", which)
		rows := [][]string{
			{"full final acc (mean)", fmtAcc(c.a.final.Mean), fmtAcc(publishedLockedFinalAcc)},
			{"gap in final acc", fmtGap(c.gap), fmtGap(publishedGapFinal)},
			{"gap in best acc", fmtGap(c.gapBest), fmtGap(publishedGapBest)},
			{"gap in final loss", fmtGap(c.gapLoss), fmtGap(publishedGapLoss)},
			{"full wins on final acc", fmt.Sprintf("%d/%d (wins/ties/losses %s)", c.wins, len(c.seeds), fmtWTL(c)),
				fmt.Sprintf("%d/%d", publishedWins, publishedSeeds)},
			{"paired t-test p (two-sided)", fmtP(c.p), na},
			{"robustness", c.label, Robustness(publishedGapFinal, publishedWins, publishedSeeds)},
		}
		if err := markdownTable(b, []string{"quantity", "ours", "paper"}, rows); err != nil {
			return err
		}
	}
	if c := t.selectedVsPaper; c != nil {
		b.WriteString("### Selected vs paper-locked (differences selected - paper-locked)\n\n")
		if err := comparisonTable(b, []pairedBlock{{fraction: c.a.fraction, cmp: c}}, false); err != nil {
			return err
		}
		if t.selected == t.paper {
			b.WriteString("Our selection equals the paper's locked configuration.\n\n")
		} else {
			fmt.Fprintf(b, "Our selection differs from the paper's locked configuration: %s is ahead by %s in mean final test accuracy (paired p %s).\n\n",
				code(t.selected.label), fmtGap(c.gap), fmtP(c.p))
		}
	}
	return nil
}

// excludedList appends the runs that were not counted, if any.
func (a *analysis) excludedList(b *strings.Builder) {
	var lines []string
	for _, g := range a.groups {
		for _, e := range g.excluded {
			lines = append(lines, fmt.Sprintf("- %s, seed %d, fraction %s: %s\n",
				code(g.label), e.run.Config.Seed, fmtFraction(g.fraction), e.reason))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("### Runs not counted\n\n")
	for _, l := range lines {
		b.WriteString(l)
	}
	b.WriteString("\n")
}

// csvHeader names the columns of every study's CSV table. Cells that do not
// apply to a row are empty; undefined numbers are NaN.
var csvHeader = []string{
	"quick", "section", "fraction", "rank", "label", "arm", "mark", "n", "diverged",
	"final_acc_mean", "final_acc_std", "final_acc_ci_low", "final_acc_ci_high",
	"best_acc_mean", "best_acc_std", "final_loss_mean", "final_loss_std",
	"wins", "ties", "losses", "gap_final_acc", "gap_best_acc", "gap_final_loss", "t", "p", "robustness",
}

// fullPrecision renders x exactly (shortest round-trip form).
func fullPrecision(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// csvRecord is one CSV row under construction, addressed by column name.
type csvRecord map[string]string

// cells returns the record in header order.
func (r csvRecord) cells() []string {
	out := make([]string, len(csvHeader))
	for i, h := range csvHeader {
		out[i] = r[h]
	}
	return out
}

// groupRecord is the CSV row of a configuration.
func groupRecord(section string, rank int, mark string, g *group) csvRecord {
	r := csvRecord{
		"section": section, "fraction": fullPrecision(g.fraction), "label": g.label, "arm": g.arm, "mark": mark,
		"n": strconv.Itoa(g.final.N), "diverged": strconv.Itoa(g.diverged),
		"final_acc_mean": fullPrecision(g.final.Mean), "final_acc_std": fullPrecision(g.final.Std),
		"final_acc_ci_low": fullPrecision(g.final.Lo), "final_acc_ci_high": fullPrecision(g.final.Hi),
		"best_acc_mean": fullPrecision(g.best.Mean), "best_acc_std": fullPrecision(g.best.Std),
		"final_loss_mean": fullPrecision(g.loss.Mean), "final_loss_std": fullPrecision(g.loss.Std),
	}
	if rank > 0 {
		r["rank"] = strconv.Itoa(rank)
	}
	return r
}

// comparisonRecord is the CSV row of a paired comparison.
func comparisonRecord(c *comparison) csvRecord {
	return csvRecord{
		"section": "paired", "fraction": fullPrecision(c.a.fraction), "label": c.a.label + " vs " + c.b.label,
		"arm": c.a.arm + " vs " + c.b.arm, "n": strconv.Itoa(len(c.seeds)),
		"wins": strconv.Itoa(c.wins), "ties": strconv.Itoa(c.ties), "losses": strconv.Itoa(c.losses),
		"gap_final_acc": fullPrecision(c.gap), "gap_best_acc": fullPrecision(c.gapBest),
		"gap_final_loss": fullPrecision(c.gapLoss), "t": fullPrecision(c.t), "p": fullPrecision(c.p),
		"robustness": c.label,
	}
}

// csvTable renders the study's numbers at full precision as CSV with one
// header row.
func (a *analysis) csvTable(quick bool) ([]byte, error) {
	var recs []csvRecord
	switch a.study.Options.Kind {
	case KindTuning:
		t := a.tuning
		for i, g := range t.ranked {
			rank := 0
			if g.final.N > 0 {
				rank = i + 1
			}
			recs = append(recs, groupRecord("config", rank, strings.Join(t.marks(g), ";"), g))
		}
		for _, c := range []*comparison{t.paperVsGrad, t.selectedVsPaper} {
			if c != nil {
				recs = append(recs, comparisonRecord(c))
			}
		}
		recs = append(recs, csvRecord{
			"section": "published", "label": "paper: locked full vs grad_only", "arm": "full vs grad_only",
			"n": strconv.Itoa(publishedSeeds), "final_acc_mean": fullPrecision(publishedLockedFinalAcc),
			"wins": strconv.Itoa(publishedWins), "ties": "0", "losses": "0",
			"gap_final_acc": fullPrecision(publishedGapFinal), "gap_best_acc": fullPrecision(publishedGapBest),
			"gap_final_loss": fullPrecision(publishedGapLoss),
			"robustness":     Robustness(publishedGapFinal, publishedWins, publishedSeeds),
		})
	case KindPaired:
		for _, g := range a.groups {
			recs = append(recs, groupRecord("arm", 0, "", g))
		}
		for _, bl := range a.blocks {
			if bl.cmp != nil {
				recs = append(recs, comparisonRecord(bl.cmp))
			}
		}
	case KindBaselines:
		for _, g := range orderBaselines(a.groups) {
			recs = append(recs, groupRecord("arm", 0, "", g))
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, fmt.Errorf("report: csv: %w", err)
	}
	for _, r := range recs {
		r["quick"] = strconv.FormatBool(quick)
		if err := w.Write(r.cells()); err != nil {
			return nil, fmt.Errorf("report: csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("report: csv: %w", err)
	}
	return buf.Bytes(), nil
}
