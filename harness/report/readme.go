package report

import (
	"fmt"
	"strings"
)

// readme renders the index: banner, the definitions of the statistics, the
// claims of every study with interval and verdict, the selected
// configuration, every study's tables inline with its figures, and the
// studies not run with their reasons.
func readme(rendered []*renderedStudy, locked *lockedConfig, o WriteOptions, beside []*renderedStudy) (string, error) {
	quick := o.Quick
	var b strings.Builder
	b.WriteString("# NeuroPlastic reproduction: results")
	if quick {
		b.WriteString(" (QUICK)\n\n" + quickBanner)
	} else {
		b.WriteString("\n\n")
	}
	b.WriteString("Rendered by `neuroplastic report` from the specs' `report:` blocks (docs/specs.md). " +
		"Numbers are over seeds of completed runs: mean ± sample std, Student t 95% intervals of accuracies " +
		"(clipped to [0, 1] and marked \"(clipped)\" where a bound was). Diverged runs are not counted and are listed under each table.\n\n")
	if o.Up != nil {
		fmt.Fprintf(&b, "These are the results of the %s protocol; the README of the %s protocol ([%s](%s)) shows its claims and these side by side.\n\n",
			o.Protocol, o.Up.Name, o.Up.Link, o.Up.Link)
	}
	b.WriteString("## Claims\n\n")
	for _, r := range rendered {
		fmt.Fprintf(&b, "- **%s** (%s): ", r.study.title(), code(r.study.Name))
		switch {
		case r.study.notRun() != "":
			fmt.Fprintf(&b, "**not run**: %s.\n", strings.TrimSuffix(r.study.notRun(), "."))
			continue
		case len(r.claims) == 0:
			b.WriteString("no claims declared.\n")
			continue
		}
		b.WriteString("claims:\n")
		for _, c := range r.claims {
			fmt.Fprintf(&b, "  - %s: %s: **%s**\n", code(c.claim.ID), c.claim.describe(), c.verdict)
			for _, t := range c.tests {
				fmt.Fprintf(&b, "    - %s\n", t.line())
			}
		}
	}
	b.WriteString("\n")
	if o.Beside != nil {
		if err := sideBySide(&b, o.Protocol, rendered, o.Beside, beside); err != nil {
			return "", err
		}
	}
	b.WriteString(statisticsSection)
	if locked != nil {
		b.WriteString("## Selected configuration\n\n")
		fmt.Fprintf(&b, "Selection of %s (%s): %s, mean final test accuracy %s over %d seeds. ",
			code(locked.Study), locked.Selection, code(locked.Label), fmtAcc(locked.MeanFinalTestAcc), locked.N)
		switch {
		case locked.EqualsReference:
			fmt.Fprintf(&b, "It is the reference configuration %s. ", code(locked.Reference))
		case locked.Reference != "":
			fmt.Fprintf(&b, "It differs from the reference configuration %s; specs that say `from: selected` use it. ", code(locked.Reference))
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
		for _, s := range r.skipped {
			fmt.Fprintf(&b, "*%s*\n\n", s)
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
	return b.String(), nil
}

// statisticsSection defines every statistic and verdict word of the
// report.
const statisticsSection = `## How to read the statistics

Each claim of a spec's ` + "`report:`" + ` block is a statement about the gap a - b of a metric
(final_acc: test accuracy of the last epoch; best_acc: the best epoch's; final_loss: test loss of
the last epoch), tested on the seeds both configurations completed (shared seeds). Per test:

- **mean gap**: the mean over shared seeds of the per-seed difference a - b.
- **95% CI**: the two-sided 95% Student t interval of the mean gap (n - 1 degrees of freedom).
- **paired t p**: the two-sided paired t-test of the per-seed differences against the claim's null
  value (0, or the margin of a claim with ` + "`margin:`" + `).
- **sign p**: the exact two-sided sign test (ties dropped; Binomial(n, 1/2)).
- **Wilcoxon p**: the two-sided Wilcoxon signed-rank test (zeros dropped), exact for n <= 50
  (all 2^n sign flips of the ranks, tied |differences| sharing their mean rank), else the normal
  approximation with the tie correction. With 3 seeds neither test can go below 0.25: they say
  how consistent the sign is, not more.
- **wins/ties/losses**: seeds where a - b is above, within 1e-12 of, or below the null value.
- **dz**: the effect size, (mean gap - null) / sd of the per-seed differences.
- **MDE (80%)**: the smallest true gap the paired t-test (two-sided, 0.05) detects with 80% power
  with this n and the observed sd (noncentral t).
- **Holm p**: the paired t p adjusted by Holm's step-down method across all tests of the study's
  claims with a defined p (the count is stated under each claims table).
- A claim that compares its gap with the gap of another study uses the per-seed gaps of both as
  independent samples: Welch's interval and t-test; sign, Wilcoxon, dz and MDE are then n/a.

Verdict words, from the 95% interval: **supported** (the interval excludes the null value on the
claimed side), **inconclusive** (the interval contains it; the line states about how many seeds
would detect a true gap of the observed size with 80% power, and whether that gap is for or
against the claim; an estimate from few seeds, given to two figures), **contradicted** (the
interval excludes it on the other side). A claim with a margin names its null value. "after Holm" applies the same words to the Holm p at 0.05. A claim tested at several
fractions is supported when every test is, contradicted when any test is. A claim that says
` + "`stable: true`" + ` is contradicted by any diverged run of a or b.

**n/a** marks an undefined number: an interval, test or effect size needs at least two shared seeds
and differences that are not all equal; a claim is **not evaluated** when its configurations have
no shared completed seeds (the reason is stated).

`
