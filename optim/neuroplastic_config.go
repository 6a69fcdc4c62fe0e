package optim

// The modes of NeuroPlastic.
const (
	// ModeRuleBased is the full optimizer: alpha blends the gradient-only
	// alpha with the trace-based one, weighted by the warm-up gate.
	ModeRuleBased = "rule_based"
	// ModeGradOnly is the paper's controlled gradient-only ablation: alpha
	// is the clamped standardised gradient magnitude; no trace is read.
	ModeGradOnly = "ablation_grad_only"
)

// NeuroPlasticConfig holds NeuroPlastic's hyperparameters (docs/algorithm.md,
// section 1); the comments give the canonical keys.
type NeuroPlasticConfig struct {
	LR                   float64 // lr: learning rate, >= 0
	WeightDecay          float64 // weight_decay: >= 0
	DecoupledWeightDecay bool    // decoupled_weight_decay: p <- p - lr*wd*p instead of adding wd*p to u
	Mode                 string  // mode: ModeRuleBased or ModeGradOnly
	ActivityWeight       float64 // activity_weight: wa, weight of n(A) in a_full, >= 0
	GradientWeight       float64 // gradient_weight: wg, weight of n(|g|), >= 0
	MemoryWeight         float64 // memory_weight: wm, weight of n(|m|/(sqrt(v)+eps)), >= 0
	MinAlpha             float64 // min_alpha: lower clamp of a_go and a_full, >= 0
	MaxAlpha             float64 // max_alpha: upper clamp, >= min_alpha
	WarmupEpochs         int     // warmup_epochs: epochs over which the gate rises to 1, >= 0
	PlasticityScale      float64 // plasticity_scale: k = scale*gate(epoch), >= 0
	Parameterwise        bool    // parameterwise: one alpha per element; false: one per tensor
	MaxUpdateNorm        float64 // max_update_norm: cap on ||u||_2 per tensor, > 0
	TargetRMS            float64 // target_rms: rms the gain steers u towards, >= 0
	AdaptationRate       float64 // adaptation_rate: gain = 1 + rate*(target_rms - rms), >= 0
	VariantOptions               // the reference's options the preprint does not use (variants.go)
}

// DefaultNeuroPlastic returns the defaults of docs/algorithm.md, section 1: lr 1e-3 (the
// paper always sets 0.1), rule_based, weights 0.4/0.4/0.2, alpha in
// [0.2, 2.0], no warm-up, plasticity scale 1, parameterwise, max update norm
// 1.0, target rms 0.02, adaptation rate 0.01, no weight decay (coupled),
// and DefaultVariantOptions.
func DefaultNeuroPlastic() NeuroPlasticConfig {
	return NeuroPlasticConfig{
		LR:              1e-3,
		Mode:            ModeRuleBased,
		ActivityWeight:  0.4,
		GradientWeight:  0.4,
		MemoryWeight:    0.2,
		MinAlpha:        0.2,
		MaxAlpha:        2.0,
		PlasticityScale: 1,
		Parameterwise:   true,
		MaxUpdateNorm:   1.0,
		TargetRMS:       0.02,
		AdaptationRate:  0.01,
		VariantOptions:  DefaultVariantOptions(),
	}
}

// Validate returns an error naming the first invalid hyperparameter and its
// value.
func (c NeuroPlasticConfig) Validate() error {
	const a = NameNeuroPlastic
	if err := firstError(
		nonNegative(a, "lr", c.LR),
		nonNegative(a, "weight_decay", c.WeightDecay),
	); err != nil {
		return err
	}
	if c.Mode != ModeRuleBased && c.Mode != ModeGradOnly {
		return keyError(a, "mode", "unknown mode %q (want %s or %s)", c.Mode, ModeRuleBased, ModeGradOnly)
	}
	if err := firstError(
		nonNegative(a, "activity_weight", c.ActivityWeight),
		nonNegative(a, "gradient_weight", c.GradientWeight),
		nonNegative(a, "memory_weight", c.MemoryWeight),
		nonNegative(a, "min_alpha", c.MinAlpha),
		nonNegative(a, "max_alpha", c.MaxAlpha),
	); err != nil {
		return err
	}
	if c.MinAlpha > c.MaxAlpha {
		return pairError(a, "min_alpha", "max_alpha", "min_alpha %v > max_alpha %v", c.MinAlpha, c.MaxAlpha)
	}
	if c.WarmupEpochs < 0 {
		return keyError(a, "warmup_epochs", "warmup_epochs %d < 0", c.WarmupEpochs)
	}
	return firstError(
		nonNegative(a, "plasticity_scale", c.PlasticityScale),
		positive(a, "max_update_norm", c.MaxUpdateNorm),
		nonNegative(a, "target_rms", c.TargetRMS),
		nonNegative(a, "adaptation_rate", c.AdaptationRate),
		c.VariantOptions.validate(),
	)
}

func (c *NeuroPlasticConfig) fields() []field {
	return append([]field{
		{"lr", &c.LR},
		{"weight_decay", &c.WeightDecay},
		{"decoupled_weight_decay", &c.DecoupledWeightDecay},
		{"mode", &c.Mode},
		{"activity_weight", &c.ActivityWeight},
		{"gradient_weight", &c.GradientWeight},
		{"memory_weight", &c.MemoryWeight},
		{"min_alpha", &c.MinAlpha},
		{"max_alpha", &c.MaxAlpha},
		{"warmup_epochs", &c.WarmupEpochs},
		{"plasticity_scale", &c.PlasticityScale},
		{"parameterwise", &c.Parameterwise},
		{"max_update_norm", &c.MaxUpdateNorm},
		{"target_rms", &c.TargetRMS},
		{"adaptation_rate", &c.AdaptationRate},
	}, c.VariantOptions.fields()...)
}
