package optim

import "math"

// The diagnostics the active VariantOptions add to the paper's (each only
// while its option is on, so the paper configuration reports exactly the
// paper's names). Statistics "over pairs" run over every (step, tensor) pair
// of the epoch; norms are sqrt(sum over steps and tensors of ||x||^2), as the
// paper's are.
const (
	// The LR controller: over pairs, the signal a tensor's multiplier
	// followed (the global or group mean; 0 for the tensors classifier_only
	// leaves alone) and the multiplier, and the fractions of pairs whose
	// multiplier was clamped up to controller_low or down to
	// controller_high. The same statistics per controller group add the
	// suffix "_" + group (early_blocks, late_blocks, classifier) for the
	// groups the model has.
	DiagControllerSignalMean = "controller_signal_mean"
	DiagControllerSignalMin  = "controller_signal_min"
	DiagControllerSignalMax  = "controller_signal_max"
	DiagControllerMultMean   = "controller_multiplier_mean"
	DiagControllerMultMin    = "controller_multiplier_min"
	DiagControllerMultMax    = "controller_multiplier_max"
	DiagControllerFracLow    = "controller_frac_low"
	DiagControllerFracHigh   = "controller_frac_high"

	// The residuals: the norm of the residual delta (after its cap) and the
	// fraction of pairs whose cap fired; for the orthogonal residual also
	// the fraction of pairs skipped (sum(g^2) <= eps) and the norms of the
	// plasticity residual ps and of the orthogonal signal os (after
	// match_grad_norm's scaling).
	DiagResidualNorm           = "residual_norm"
	DiagResidualCappedFrac     = "residual_capped_frac"
	DiagOrthogonalSkipFrac     = "orthogonal_skip_frac"
	DiagPlasticityResidualNorm = "plasticity_residual_norm"
	DiagOrthogonalSignalNorm   = "orthogonal_signal_norm"

	// The hybrid bases: the norm of the base update, the fraction of pairs
	// the modulation acted on (gate != 0), the norm of its delta (after
	// its cap) and the fraction of pairs whose cap fired.
	DiagBaseUpdateNorm       = "base_update_norm"
	DiagModulationActiveFrac = "modulation_active_frac"
	DiagModulationNorm       = "modulation_norm"
	DiagModulationCappedFrac = "modulation_capped_frac"
)

// scalarStats accumulate the mean, min and max of a scalar.
type scalarStats struct{ n, sum, min, max float64 }

// add adds x.
func (s *scalarStats) add(x float64) {
	if s.n == 0 || x < s.min {
		s.min = x
	}
	if s.n == 0 || x > s.max {
		s.max = x
	}
	s.n++
	s.sum += x
}

// report sets d[mean+suffix], d[lo+suffix] and d[hi+suffix], all 0 when
// nothing was added.
func (s *scalarStats) report(d Diagnostics, mean, lo, hi, suffix string) {
	d[mean+suffix], d[lo+suffix], d[hi+suffix] = 0, 0, 0
	if s.n > 0 {
		d[mean+suffix], d[lo+suffix], d[hi+suffix] = s.sum/s.n, s.min, s.max
	}
}

// variantDiag accumulates the options' diagnostics over an epoch.
type variantDiag struct {
	pairs                float64 // (step, tensor) pairs
	sig, mult            scalarStats
	clampLow, clampHigh  float64
	groupSig, groupMult  [numGroups]scalarStats
	skips, psSq, osSq    float64
	residualSq           float64
	residualCapped       float64
	baseSq, modSq        float64
	modActive, modCapped float64
}

// addController adds one step's controller signals and multipliers.
func (d *variantDiag) addController(c *controller) {
	for i, s := range c.applied {
		g := c.groups[i]
		d.sig.add(s)
		d.mult.add(c.mult[i])
		d.groupSig[g].add(s)
		d.groupMult[g].add(c.mult[i])
		switch c.clamped[i] {
		case -1:
			d.clampLow++
		case 1:
			d.clampHigh++
		}
	}
}

// report adds the diagnostics of vx's active options to out.
func (d *variantDiag) report(out Diagnostics, vx *variants) {
	frac := func(x float64) float64 {
		if d.pairs == 0 {
			return 0
		}
		return x / d.pairs
	}
	if vx.ctrl != nil {
		d.sig.report(out, DiagControllerSignalMean, DiagControllerSignalMin, DiagControllerSignalMax, "")
		d.mult.report(out, DiagControllerMultMean, DiagControllerMultMin, DiagControllerMultMax, "")
		out[DiagControllerFracLow], out[DiagControllerFracHigh] = frac(d.clampLow), frac(d.clampHigh)
		var present [numGroups]bool
		for _, r := range vx.roles {
			present[r.group] = true
		}
		for g, ok := range present {
			if ok {
				sfx := "_" + groupNames[g]
				d.groupSig[g].report(out, DiagControllerSignalMean, DiagControllerSignalMin, DiagControllerSignalMax, sfx)
				d.groupMult[g].report(out, DiagControllerMultMean, DiagControllerMultMin, DiagControllerMultMax, sfx)
			}
		}
	}
	if vx.orthogonal() || vx.bounded() {
		out[DiagResidualNorm] = math.Sqrt(d.residualSq)
		out[DiagResidualCappedFrac] = frac(d.residualCapped)
	}
	if vx.orthogonal() {
		out[DiagOrthogonalSkipFrac] = frac(d.skips)
		out[DiagPlasticityResidualNorm] = math.Sqrt(d.psSq)
		out[DiagOrthogonalSignalNorm] = math.Sqrt(d.osSq)
	}
	if vx.opt.HybridBase != BaseClassic {
		out[DiagBaseUpdateNorm] = math.Sqrt(d.baseSq)
		out[DiagModulationActiveFrac] = frac(d.modActive)
		out[DiagModulationNorm] = math.Sqrt(d.modSq)
		out[DiagModulationCappedFrac] = frac(d.modCapped)
	}
}

// values lists d's fields in checkpoint order.
func (d *variantDiag) values() []*float64 {
	v := []*float64{&d.pairs}
	v = append(v, d.sig.values()...)
	v = append(v, d.mult.values()...)
	v = append(v, &d.clampLow, &d.clampHigh)
	for g := range numGroups {
		v = append(v, d.groupSig[g].values()...)
		v = append(v, d.groupMult[g].values()...)
	}
	return append(v, &d.skips, &d.psSq, &d.osSq, &d.residualSq, &d.residualCapped,
		&d.baseSq, &d.modSq, &d.modActive, &d.modCapped)
}

// values lists s's fields in checkpoint order.
func (s *scalarStats) values() []*float64 { return []*float64{&s.n, &s.sum, &s.min, &s.max} }
