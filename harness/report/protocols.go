package report

import (
	"fmt"
	"slices"
	"strings"
)

// Protocol is another protocol's studies (the same specs with other seeds,
// in another results directory), shown beside this one's in the README.
type Protocol struct {
	// Name names the protocol in column headers, e.g. "powered".
	Name string
	// Link is its README, relative to this README.
	Link string
	// Studies are its studies, as Write takes them; a study that is
	// skipped or has no runs reads "not run".
	Studies []Study
}

// notRunCell marks a protocol's columns for a claim it has no test of.
const notRunCell = "not run"

// testKey names one claim test across protocols.
type testKey struct{ study, claim, where string }

// testIndex finds the claim tests of analysed studies by key.
type testIndex map[testKey]*claimTest

// index returns the claim tests of rendered and the keys in order.
func index(rendered []*renderedStudy) (testIndex, []testKey) {
	idx := testIndex{}
	var keys []testKey
	for _, r := range rendered {
		for _, c := range r.claims {
			for _, t := range c.tests {
				k := testKey{r.study.Name, c.claim.ID, t.where}
				idx[k] = t
				keys = append(keys, k)
			}
		}
	}
	return idx, keys
}

// cells renders the n, mean gap, 95% CI and verdict of the test of k, or
// "not run" four times when there is none.
func (idx testIndex) cells(k testKey) []string {
	t := idx[k]
	switch {
	case t == nil:
		return []string{notRunCell, notRunCell, notRunCell, notRunCell}
	case t.reason != "":
		return []string{na, na, na, t.verdict}
	}
	return []string{t.nText(), fmtGap(t.st.mean), fmtInterval(t.st.lo, t.st.hi), t.verdict}
}

// sideBySide renders the section that shows, claim test by claim test,
// the n, mean gap, 95% interval and verdict of this protocol (named name)
// and of the protocol beside, whose studies are already analysed.
func sideBySide(b *strings.Builder, name string, rendered []*renderedStudy, beside *Protocol, besideRendered []*renderedStudy) error {
	fmt.Fprintf(b, "## Claims by protocol: %s and %s\n\n", name, beside.Name)
	here, keys := index(rendered)
	there, more := index(besideRendered)
	for _, k := range more {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		fmt.Fprintf(b, "No study of either protocol has declared claims with runs (the %s protocol's README: [%s](%s)).\n\n", beside.Name, beside.Link, beside.Link)
		return nil
	}
	fmt.Fprintf(b, "Every claim test under the %s protocol (this README) and the %s protocol ([%s](%s)): "+
		"the same specs and claims, the %s protocol with more seeds. \"%s\" marks a protocol without the test "+
		"(the study was not run under it, or not at that fraction).\n\n", name, beside.Name, beside.Link, beside.Link, beside.Name, notRunCell)
	header := []string{"study", "claim", "at"}
	for _, p := range []string{name, beside.Name} {
		header = append(header, "n ("+p+")", "mean gap ("+p+")", "95% CI ("+p+")", "verdict ("+p+")")
	}
	rows := make([][]string, len(keys))
	for i, k := range keys {
		rows[i] = slices.Concat([]string{code(k.study), code(k.claim), or(k.where, "-")}, here.cells(k), there.cells(k))
	}
	return markdownTable(b, header, rows)
}
