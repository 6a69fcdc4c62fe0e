package optim

// Setting is one hyperparameter value by canonical key.
type Setting struct {
	Key   string
	Value any
}

// PaperLocked returns the hyperparameters the preprint locks for every
// NeuroPlastic experiment after its MNIST tuning: lr 0.1, warmup_epochs 2
// and plasticity_scale 2.0, in that order (docs/algorithm.md). Every other
// hyperparameter keeps its default.
func PaperLocked() []Setting {
	return []Setting{{"lr", 0.1}, {"warmup_epochs", 2}, {"plasticity_scale", 2.0}}
}

// PaperConfig returns the preprint's locked NeuroPlastic configuration: the
// defaults with PaperLocked applied.
func PaperConfig() Config {
	c, err := DefaultConfig(NameNeuroPlastic)
	if err == nil {
		for _, s := range PaperLocked() {
			if err = c.Set(s.Key, s.Value); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = c.Validate()
	}
	if err != nil {
		panic("optim: the paper's locked configuration is invalid: " + err.Error())
	}
	return c
}

// HasPaperLocked reports whether c is a rule-based NeuroPlastic
// configuration with the preprint's locked values (PaperLocked); its other
// hyperparameters may be anything.
func (c Config) HasPaperLocked() bool {
	if c.Name != NameNeuroPlastic || c.NeuroPlastic == nil || c.NeuroPlastic.Mode != ModeRuleBased {
		return false
	}
	paper := PaperConfig()
	for _, s := range PaperLocked() {
		if c.value(s.Key) != paper.value(s.Key) {
			return false
		}
	}
	return true
}
