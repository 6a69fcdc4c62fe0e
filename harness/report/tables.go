package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Marks of the tuning table's note column.
const (
	markSelected  = "selected"
	markReference = "reference"
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

// fmtCI renders the 95% interval of accuracies, clipped to [0, 1] and
// marked with clippedMark when a bound was clipped.
func fmtCI(s Sample) string {
	if math.IsNaN(s.Lo) {
		return na
	}
	lo, hi := math.Max(s.Lo, 0), math.Min(s.Hi, 1)
	mark := ""
	if lo != s.Lo || hi != s.Hi {
		mark = clippedMark
	}
	return "[" + fmtAcc(lo) + ", " + fmtAcc(hi) + "]" + mark
}

// clippedMark follows an interval of accuracies clipped to [0, 1].
const clippedMark = " (clipped)"

// fmtInterval renders the 95% interval of a difference.
func fmtInterval(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return na
	}
	return "[" + fmtGap(lo) + ", " + fmtGap(hi) + "]"
}

// fmtDz renders an effect size with 2 decimals.
func fmtDz(x float64) string { return fmtFixed(x, "%.2f") }

// fmtFraction renders a data fraction in its shortest form.
func fmtFraction(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// fmtWTL renders wins/ties/losses.
func fmtWTL(s pairedStats) string { return fmt.Sprintf("%d/%d/%d", s.wins, s.ties, s.losses) }

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
	on       string              // the accuracy of the ranking, for the rank column
	fraction bool                // a data fraction column
	val      bool                // a final val_acc column
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
	header = append(header, "configuration", "n", "final acc (mean ± std)", "95% CI (final acc)")
	if cols.val {
		header = append(header, "final val acc (mean ± std)")
	}
	header = append(header, "best acc (mean ± std)", "final loss (mean ± std)", "note")
	rows := make([][]string, 0, len(groups))
	for i, g := range groups {
		var row []string
		if cols.rank {
			row = append(row, rankCell(i, g, cols.on))
		}
		if cols.fraction {
			row = append(row, fmtFraction(g.fraction))
		}
		row = append(row, code(g.label), strconv.Itoa(g.final.N), fmtMeanStd(g.final, fmtAcc), fmtCI(g.final))
		if cols.val {
			row = append(row, fmtMeanStd(g.val, fmtAcc))
		}
		row = append(row, fmtMeanStd(g.best, fmtAcc), fmtMeanStd(g.loss, fmtLoss), note(g, cols.marks))
		rows = append(rows, row)
	}
	return markdownTable(b, header, rows)
}

// rankCell is the rank of the i-th ranked group, or "-" when it has no
// score on the accuracy on.
func rankCell(i int, g *group, on string) string {
	if g.score(on).N == 0 {
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

// statHeader are the columns of the paired statistics.
var statHeader = []string{"n", "wins/ties/losses", "mean gap", "95% CI", "paired t p", "sign p", "Wilcoxon p", "dz", "MDE (80%)"}

// statCells renders the paired statistics in statHeader's order.
func statCells(s pairedStats) []string {
	return []string{strconv.Itoa(s.n), fmtWTL(s), fmtGap(s.mean), fmtInterval(s.lo, s.hi), fmtP(s.p),
		fmtP(s.signP), fmtP(s.wilcoxonP), fmtDz(s.dz), fmtFixed(s.mde, "%.5f")}
}

// comparisonTable appends the rows of one declared comparison to b: the
// statistics of the final test accuracy differences, then the mean gaps of
// best accuracy and final loss.
func comparisonTable(b *strings.Builder, rows []pairedRow) error {
	header := slices.Concat([]string{"fraction", "comparison"}, statHeader, []string{"gap best acc", "gap final loss"})
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		row := []string{fmtFraction(r.fraction)}
		if r.cmp == nil {
			row = append(row, r.missing)
			for range len(header) - 2 {
				row = append(row, na)
			}
		} else {
			c := r.cmp
			row = append(row, c.names(" vs "))
			row = append(row, statCells(c.final)...)
			row = append(row, fmtGap(c.gap(MetricBestAcc)), fmtGap(c.gap(MetricFinalLoss)))
		}
		out = append(out, row)
	}
	return markdownTable(b, header, out)
}

// claimsTable appends every test of the study's claims to b.
func claimsTable(b *strings.Builder, results []*claimResult) error {
	header := slices.Concat([]string{"claim", "at", "quantity"}, statHeader, []string{"Holm p", "verdict", "after Holm"})
	var rows [][]string
	for _, r := range results {
		for _, t := range r.tests {
			row := []string{code(r.claim.ID), or(t.where, "-")}
			if t.reason != "" {
				row = append(row, t.reason)
				for range len(header) - 6 {
					row = append(row, na)
				}
			} else {
				cells := statCells(t.st)
				cells[0] = t.nText()
				if !t.paired {
					cells[1] = na
				}
				row = append(row, t.what+" ("+r.claim.Metric+")")
				row = append(row, cells...)
			}
			rows = append(rows, append(row, fmtP(t.holmP), t.verdict, t.holm))
		}
	}
	return markdownTable(b, header, rows)
}

// markdownBody renders the study's tables and their explanations (without
// the title), for the table file and the README alike.
func (r *renderedStudy) markdownBody() (string, error) {
	a := r.a
	var b strings.Builder
	fmt.Fprintf(&b, "Runs: %d counted (completed), %d diverged, %d not counted otherwise. Seeds: %s.\n\n",
		a.counted, a.diverged, a.other, a.seedList())
	o := a.study.Options
	var err error
	switch o.Kind {
	case KindTuning:
		err = a.tuningBody(&b)
	case KindPaired, "":
		b.WriteString("### Per configuration\n\n")
		err = groupTable(&b, a.groups, groupColumns{fraction: true, val: a.hasVal})
	case KindBaselines:
		err = groupTable(&b, orderArms(a.groups, a.study.Arms), groupColumns{fraction: len(fractions(a.groups)) > 1, val: a.hasVal})
	}
	if err != nil {
		return "", err
	}
	for i, c := range o.Compare {
		fmt.Fprintf(&b, "### %s vs %s on shared seeds (differences %s - %s)\n\n", code(c.A), code(c.B), c.A, c.B)
		if c.SelectOn != "" {
			fmt.Fprintf(&b, "Each side is, at each fraction, its configuration with the best mean final %s accuracy (named in the row).\n\n", c.SelectOn)
		}
		if err := comparisonTable(&b, a.compared[i]); err != nil {
			return "", err
		}
	}
	if len(r.claims) > 0 {
		b.WriteString("### Claims\n\n")
		for _, c := range r.claims {
			fmt.Fprintf(&b, "- %s: %s: **%s**.\n", code(c.claim.ID), c.claim.describe(), c.verdict)
		}
		b.WriteString("\n")
		if err := claimsTable(&b, r.claims); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "Holm's correction runs over the %d test(s) of this study with a defined p. The statistics are defined in the results README.\n\n", definedTests(r.claims))
	}
	a.excludedList(&b)
	return b.String(), nil
}

// definedTests counts the tests of results with a defined p-value.
func definedTests(results []*claimResult) int {
	n := 0
	for _, r := range results {
		for _, t := range r.tests {
			if !math.IsNaN(t.holmP) {
				n++
			}
		}
	}
	return n
}

// tuningBody renders the ranked configurations, the selection and the
// comparison of the selection with the reference.
func (a *analysis) tuningBody(b *strings.Builder) error {
	t := a.tuning
	o := a.study.Options
	fmt.Fprintf(b, "### Configurations ranked by mean final %s accuracy\n\n", t.on)
	marks := func(g *group) string { return strings.Join(t.marks(g), ", ") }
	cols := groupColumns{rank: true, on: t.on, fraction: len(fractions(a.groups)) > 1, val: a.hasVal, marks: marks}
	if err := groupTable(b, t.ranked, cols); err != nil {
		return err
	}
	what := "Best"
	if o.Candidates != "" {
		what = "Best of " + code(o.Candidates)
	}
	if t.selected != nil {
		fmt.Fprintf(b, "%s by mean final %s accuracy: %s, %s", what, t.on, code(t.selected.label), fmtAcc(t.selected.score(t.on).Mean))
		if o.Select {
			b.WriteString(" (selected into locked_config.json)")
		}
		b.WriteString(".\n\n")
	}
	if t.other != nil && t.selected != nil {
		fmt.Fprintf(b, "%s by mean final %s accuracy: %s, %s. ", what, t.otherOn(), code(t.other.label), fmtAcc(t.other.score(t.otherOn()).Mean))
		if t.other == t.selected {
			b.WriteString("The selections on test and on validation accuracy agree.\n\n")
		} else {
			fmt.Fprintf(b, "The selections on test and on validation accuracy differ: %s has mean final test accuracy %s.\n\n",
				code(byValidation(t).label), fmtAcc(byValidation(t).final.Mean))
		}
	}
	switch {
	case o.Reference == "":
	case t.ref == nil:
		fmt.Fprintf(b, "The reference %s is not in this study.\n\n", code(o.Reference))
	case t.selected == t.ref:
		// A comparison of the reference with itself says nothing.
		b.WriteString("The best configuration is the reference.\n\n")
	case t.vsRef != nil:
		fmt.Fprintf(b, "### Best vs reference (differences %s - %s)\n\n", code(t.selected.label), code(t.ref.label))
		if err := comparisonTable(b, []pairedRow{{fraction: t.vsRef.a.fraction, cmp: t.vsRef}}); err != nil {
			return err
		}
		if t.on == SelectTest {
			b.WriteString("The best was chosen on these test runs, so this gap is biased upwards: it is the winner's, not an estimate for new seeds.\n\n")
		}
	}
	return nil
}

// byValidation returns the tuning's selection on validation accuracy.
func byValidation(t *tuning) *group {
	if t.on == SelectValidation {
		return t.selected
	}
	return t.other
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
