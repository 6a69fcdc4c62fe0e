package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// csvHeader names the columns of every study's CSV table. Cells that do not
// apply to a row are empty; undefined numbers are NaN.
var csvHeader = []string{
	"quick", "section", "fraction", "rank", "label", "arm", "mark", "n", "diverged",
	"final_acc_mean", "final_acc_std", "final_acc_ci_low", "final_acc_ci_high",
	"best_acc_mean", "best_acc_std", "final_loss_mean", "final_loss_std",
	"final_val_acc_mean", "final_val_acc_std",
	"wins", "ties", "losses", "gap", "gap_ci_low", "gap_ci_high", "p", "sign_p", "wilcoxon_p", "dz", "mde",
	"gap_best_acc", "gap_final_loss", "holm_p", "verdict", "verdict_holm",
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
func groupRecord(rank int, mark string, g *group) csvRecord {
	r := csvRecord{
		"section": "config", "fraction": fullPrecision(g.fraction), "label": g.label, "arm": g.arm, "mark": mark,
		"n": strconv.Itoa(g.final.N), "diverged": strconv.Itoa(g.diverged),
		"final_acc_mean": fullPrecision(g.final.Mean), "final_acc_std": fullPrecision(g.final.Std),
		"final_acc_ci_low": fullPrecision(g.final.Lo), "final_acc_ci_high": fullPrecision(g.final.Hi),
		"best_acc_mean": fullPrecision(g.best.Mean), "best_acc_std": fullPrecision(g.best.Std),
		"final_loss_mean": fullPrecision(g.loss.Mean), "final_loss_std": fullPrecision(g.loss.Std),
	}
	if g.val.N > 0 {
		r["final_val_acc_mean"], r["final_val_acc_std"] = fullPrecision(g.val.Mean), fullPrecision(g.val.Std)
	}
	if rank > 0 {
		r["rank"] = strconv.Itoa(rank)
	}
	return r
}

// statRecord fills the statistics columns of r from s.
func statRecord(r csvRecord, s pairedStats) csvRecord {
	r["n"] = strconv.Itoa(s.n)
	r["wins"], r["ties"], r["losses"] = strconv.Itoa(s.wins), strconv.Itoa(s.ties), strconv.Itoa(s.losses)
	r["gap"], r["gap_ci_low"], r["gap_ci_high"] = fullPrecision(s.mean), fullPrecision(s.lo), fullPrecision(s.hi)
	r["p"], r["sign_p"], r["wilcoxon_p"] = fullPrecision(s.p), fullPrecision(s.signP), fullPrecision(s.wilcoxonP)
	r["dz"], r["mde"] = fullPrecision(s.dz), fullPrecision(s.mde)
	return r
}

// comparisonRecord is the CSV row of a paired comparison of final test
// accuracy.
func comparisonRecord(section string, c *comparison) csvRecord {
	mark := strings.Trim(or(c.aNote, c.bNote), " ()") // e.g. "chosen on validation"
	return statRecord(csvRecord{
		"section": section, "fraction": fullPrecision(c.a.fraction), "label": c.a.label + " vs " + c.b.label, "mark": mark,
		"arm": c.a.arm + " vs " + c.b.arm, "gap_best_acc": fullPrecision(c.gap(MetricBestAcc)),
		"gap_final_loss": fullPrecision(c.gap(MetricFinalLoss)),
	}, c.final)
}

// csvTable renders the study's numbers at full precision as CSV with one
// header row: configurations, comparisons, then claim tests.
func (r *renderedStudy) csvTable(quick bool) ([]byte, error) {
	a := r.a
	var recs []csvRecord
	switch a.study.Options.Kind {
	case KindTuning:
		t := a.tuning
		for i, g := range t.ranked {
			rank := 0
			if g.score(t.on).N > 0 {
				rank = i + 1
			}
			recs = append(recs, groupRecord(rank, strings.Join(t.marks(g), ";"), g))
		}
		if t.vsRef != nil {
			recs = append(recs, comparisonRecord("reference", t.vsRef))
		}
	case KindPaired, "":
		for _, g := range a.groups {
			recs = append(recs, groupRecord(0, "", g))
		}
	case KindBaselines:
		for _, g := range orderArms(a.groups, a.study.Arms) {
			recs = append(recs, groupRecord(0, "", g))
		}
	}
	for _, rows := range a.compared {
		for _, row := range rows {
			if row.cmp != nil {
				recs = append(recs, comparisonRecord("paired", row.cmp))
			}
		}
	}
	for _, c := range r.claims {
		for _, t := range c.tests {
			rec := csvRecord{"section": "claim", "label": c.claim.ID, "mark": t.where,
				"holm_p": fullPrecision(t.holmP), "verdict": t.verdict, "verdict_holm": t.holm}
			if t.reason == "" {
				rec = statRecord(rec, t.st)
				rec["arm"] = t.what
			}
			recs = append(recs, rec)
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, fmt.Errorf("report: csv: %w", err)
	}
	for _, rec := range recs {
		rec["quick"] = strconv.FormatBool(quick)
		if err := w.Write(rec.cells()); err != nil {
			return nil, fmt.Errorf("report: csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("report: csv: %w", err)
	}
	return buf.Bytes(), nil
}
