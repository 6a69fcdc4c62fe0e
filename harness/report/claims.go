package report

import (
	"fmt"
	"math"
)

// Verdicts of a study's claim line in the README.
const (
	verdictHolds   = "holds"
	verdictFails   = "does not hold"
	verdictUnknown = "not evaluated"
	verdictNoClaim = "no claim"
)

// cifarTolerance is how far full may trail grad_only in mean final test
// accuracy on CIFAR-10 and still be "competitive".
const cifarTolerance = 0.01

// Datasets with a stated claim (store.RunConfig.Dataset values).
const (
	datasetMNIST   = "mnist"
	datasetFashion = "fashion_mnist"
	datasetCIFAR10 = "cifar10"
)

// The paper's claims (docs/algorithm.md, section 6), as the README states them.
const (
	claimMNIST      = "full's mean final accuracy >= grad-only's"
	claimFashion    = "gap positive and larger than MNIST's"
	claimLowData    = "gap positive at every fraction and larger at the smallest fraction than at the largest"
	claimCIFAR      = "full within 0.01 below grad-only or better, no divergence"
	claimBaselines  = "Extra study of the reference code; the preprint states no claim"
	claimNoneStated = "The preprint states no claim for this dataset"
)

// claim is a study's verdict on the paper's claim and the numbers behind it.
type claim struct {
	verdict string
	detail  string
}

// verdictOf returns holds or fails.
func verdictOf(ok bool) string {
	if ok {
		return verdictHolds
	}
	return verdictFails
}

// mnistGap returns the MNIST full - grad_only gap in mean final accuracy
// on shared seeds (paper-locked full), if the study measures it.
func (a *analysis) mnistGap() (float64, bool) {
	if a.dataset != datasetMNIST || a.study.Options.Kind == KindBaselines {
		return 0, false
	}
	full, grad := a.pairGroups()
	if full == nil || grad == nil {
		return 0, false
	}
	c := compare(full, grad)
	return c.gap, !math.IsNaN(c.gap)
}

// claim evaluates the paper's claim for the study (docs/algorithm.md, section 6);
// mnist is the MNIST gap for the Fashion-MNIST comparison (ok false when
// no study measured it).
func (a *analysis) claim(mnist float64, mnistOK bool) claim {
	if a.study.Options.Kind == KindBaselines {
		return claim{verdictNoClaim, claimBaselines + "."}
	}
	if len(fractions(a.groups)) > 1 {
		return a.lowDataClaim()
	}
	full, grad := a.pairGroups()
	if full == nil || grad == nil || full.final.N == 0 || grad.final.N == 0 {
		return claim{verdictUnknown, "no completed full and grad_only runs to compare."}
	}
	c := compare(full, grad)
	numbers := fmt.Sprintf("full %s vs grad-only %s (mean final test accuracy), gap %s on %d shared seeds, wins/ties/losses %s, paired p %s, %s",
		fmtAcc(full.final.Mean), fmtAcc(grad.final.Mean), fmtGap(c.gap), len(c.seeds), fmtWTL(c), fmtP(c.p), c.label)
	switch a.dataset {
	case datasetMNIST:
		return claim{verdictOf(full.final.Mean >= grad.final.Mean), fmt.Sprintf("Claim: %s. Ours: %s.", claimMNIST, numbers)}
	case datasetFashion:
		if !mnistOK {
			v := verdictUnknown
			if !(c.gap > 0) {
				v = verdictFails
			}
			return claim{v, fmt.Sprintf("Claim: %s. Ours: %s; no MNIST gap to compare with.", claimFashion, numbers)}
		}
		return claim{verdictOf(c.gap > 0 && c.gap > mnist),
			fmt.Sprintf("Claim: %s. Ours: %s; MNIST gap %s.", claimFashion, numbers, fmtGap(mnist))}
	case datasetCIFAR10:
		diverged := full.diverged + grad.diverged
		return claim{verdictOf(c.gap >= -cifarTolerance && diverged == 0),
			fmt.Sprintf("Claim: %s. Ours: %s; %d diverged runs.", claimCIFAR, numbers, diverged)}
	}
	return claim{verdictNoClaim, fmt.Sprintf("%s (dataset %s). Ours: %s.", claimNoneStated, a.dataset, numbers)}
}

// lowDataClaim checks the gap at every fraction and compares the smallest
// fraction's gap with the largest's.
func (a *analysis) lowDataClaim() claim {
	detail := "Claim: " + claimLowData + ". Ours: gap (full - grad-only, mean final test accuracy) by fraction:"
	ok := true
	var first, last float64
	for i, b := range a.blocks {
		if b.cmp == nil || len(b.cmp.seeds) == 0 {
			return claim{verdictUnknown, fmt.Sprintf("no shared completed full and grad_only runs at fraction %s.", fmtFraction(b.fraction))}
		}
		detail += fmt.Sprintf(" %s: %s (%s);", fmtFraction(b.fraction), fmtGap(b.cmp.gap), b.cmp.label)
		ok = ok && b.cmp.gap > 0
		if i == 0 {
			first = b.cmp.gap
		}
		last = b.cmp.gap
	}
	ok = ok && first > last
	return claim{verdictOf(ok), detail[:len(detail)-1] + "."}
}
