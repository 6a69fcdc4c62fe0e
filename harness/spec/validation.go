package spec

import "gopkg.in/yaml.v3"

// validation decodes the `validation` key: a number in [0, 1), the fraction
// of the training set every run holds out for validation (data.Holdout: a
// fixed subset, the same for every seed) and records val_loss and val_acc
// on each epoch; the run trains on the rest. 0, the default, holds out
// nothing and leaves the run configurations (and IDs) as without the key.
func (p *parser) validation(n *yaml.Node) (float64, error) {
	f, err := p.number(n, "validation")
	if err != nil {
		return 0, err
	}
	if !(f >= 0 && f < 1) {
		return 0, p.errAt(deref(n), "validation", "%v out of range [0, 1)", f)
	}
	return f, nil
}
