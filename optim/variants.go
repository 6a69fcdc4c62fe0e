package optim

import (
	"slices"
	"strings"
)

// The values of VariantOptions' named settings (docs/algorithm.md, "Options
// the preprint does not use").
const (
	// hybrid_base
	BaseClassic     = "classic" // the paper's update alpha*g
	BaseAdamW       = "adamw"
	BaseSGDMomentum = "sgd_momentum"

	// modulation_target
	TargetGain       = "gain"
	TargetMomentum   = "momentum"
	TargetTrustRatio = "trust_ratio"

	// layer_scope and modulation_scope; head_only and late are aliases
	ScopeAll            = "all"
	ScopeConvOnly       = "conv_only"
	ScopeClassifierOnly = "classifier_only"
	ScopeEarlyBlocks    = "early_blocks"
	ScopeLateBlocks     = "late_blocks"

	// phase_scope
	PhaseFull   = "full"
	PhaseEarly  = "early"
	PhaseMiddle = "middle"
	PhaseLate   = "late"

	// lr_controller_mode (also ScopeClassifierOnly)
	ControllerOff       = "off"
	ControllerGlobal    = "global"
	ControllerLayerwise = "layerwise"

	// orthogonal_normalization
	NormRaw       = "raw"
	NormMatchGrad = "match_grad_norm"

	// orthogonal_schedule and modulation_schedule (also PhaseLate)
	ScheduleConstant = "constant"
	ScheduleCosine   = "cosine"
	ScheduleWarmup   = "warmup"
)

// layerScopeAliases maps the reference's alias spellings of a layer scope to
// the canonical ones.
var layerScopeAliases = map[string]string{"head_only": ScopeClassifierOnly, "late": ScopeLateBlocks}

// VariantOptions are the reference implementation's optimizer options that
// the preprint never uses: hybrid base updates with their modulation, the LR
// controller, bounded and orthogonal residuals and per-band stabiliser
// targets (docs/algorithm.md). NeuroPlasticConfig embeds them; at their
// defaults (DefaultVariantOptions) the optimizer is exactly the paper's, and
// the canonical JSON leaves them out (see Config.MarshalJSON). The comments
// give the canonical keys.
type VariantOptions struct {
	HybridBase         string  // hybrid_base: BaseClassic, BaseAdamW or BaseSGDMomentum
	ModulationTarget   string  // modulation_target: TargetGain, TargetMomentum or TargetTrustRatio (hybrid bases)
	LayerScope         string  // layer_scope: tensors the modulation acts on (Scope*, or the aliases head_only, late)
	PhaseScope         string  // phase_scope: epochs the modulation acts in (Phase*)
	ModulationScope    string  // modulation_scope: legacy layer_scope, used while layer_scope is "all"
	ModulationSchedule string  // modulation_schedule: legacy phase_scope, used while phase_scope is "full": constant, warmup (early) or late
	ModulationStrength float64 // modulation_strength: gate = strength*phase*layer, >= 0
	ModulationMaxRatio float64 // modulation_max_ratio: cap of ||delta|| relative to ||base||, >= 0

	LRControllerMode string  // lr_controller_mode: ControllerOff, ControllerGlobal, ControllerLayerwise or ScopeClassifierOnly
	ControllerAlpha  float64 // controller_alpha: multiplier = clamp(1 + alpha*signal, low, high), finite
	ControllerLow    float64 // controller_low: lower clamp of the multiplier, >= 0
	ControllerHigh   float64 // controller_high: upper clamp, >= controller_low

	BaseMomentum float64 // base_momentum: beta1 of adamw, momentum of sgd_momentum, in [0, 1)
	BaseBeta2    float64 // base_beta2: beta2 of adamw, in [0, 1)
	BaseEps      float64 // base_eps: adamw's eps, > 0

	BoundedResidual  bool    // bounded_residual: update g + (alpha-1)*g with the residual capped
	ResidualMaxRatio float64 // residual_max_ratio: cap of ||delta|| relative to ||g||, >= 0

	OrthogonalResidual          bool    // orthogonal_residual: update g + the part of (alpha-a_go)*g orthogonal to g (wins over bounded_residual)
	OrthogonalLambda            float64 // orthogonal_lambda: weight of the orthogonal residual, >= 0
	OrthogonalMaxRatio          float64 // orthogonal_max_ratio: cap of ||delta|| relative to ||g||, >= 0
	OrthogonalNormalization     string  // orthogonal_normalization: NormRaw or NormMatchGrad
	OrthogonalSchedule          string  // orthogonal_schedule: ScheduleConstant, PhaseLate or ScheduleCosine
	OrthogonalLateStartFraction float64 // orthogonal_late_start_fraction: where the late schedule starts, in [0, 1]

	EarlyTargetRMSScale  float64 // early_target_rms_scale: target_rms multiplier of the first third of tensors, >= 0
	MiddleTargetRMSScale float64 // middle_target_rms_scale: of the middle third, >= 0
	LateTargetRMSScale   float64 // late_target_rms_scale: of the last third, >= 0
}

// DefaultVariantOptions returns the reference's defaults: classic base, gain
// modulation over all layers and the full run at strength 0.15 capped at
// 0.25, controller off (alpha 0.1, bounds [0.8, 1.2]), base momentum 0.9,
// beta2 0.999, eps 1e-8, no residuals (ratios 0.5, orthogonal lambda 0.1,
// raw, constant, late start 0.3) and band scales 1.
func DefaultVariantOptions() VariantOptions {
	return VariantOptions{
		HybridBase:                  BaseClassic,
		ModulationTarget:            TargetGain,
		LayerScope:                  ScopeAll,
		PhaseScope:                  PhaseFull,
		ModulationScope:             ScopeAll,
		ModulationSchedule:          ScheduleConstant,
		ModulationStrength:          0.15,
		ModulationMaxRatio:          0.25,
		LRControllerMode:            ControllerOff,
		ControllerAlpha:             0.1,
		ControllerLow:               0.8,
		ControllerHigh:              1.2,
		BaseMomentum:                0.9,
		BaseBeta2:                   0.999,
		BaseEps:                     1e-8,
		ResidualMaxRatio:            0.5,
		OrthogonalLambda:            0.1,
		OrthogonalMaxRatio:          0.5,
		OrthogonalNormalization:     NormRaw,
		OrthogonalSchedule:          ScheduleConstant,
		OrthogonalLateStartFraction: 0.3,
		EarlyTargetRMSScale:         1,
		MiddleTargetRMSScale:        1,
		LateTargetRMSScale:          1,
	}
}

// validate returns an error naming the first invalid option and its value.
// It is stricter than the reference, which maps unknown names to a fallback
// and accepts any number (docs/algorithm.md).
func (o VariantOptions) validate() error {
	const a = NameNeuroPlastic
	scopes := []string{ScopeAll, ScopeConvOnly, ScopeClassifierOnly, "head_only", ScopeEarlyBlocks, ScopeLateBlocks, "late"}
	if err := firstError(
		oneOf("hybrid_base", o.HybridBase, BaseClassic, BaseAdamW, BaseSGDMomentum),
		oneOf("modulation_target", o.ModulationTarget, TargetGain, TargetMomentum, TargetTrustRatio),
		oneOf("layer_scope", o.LayerScope, scopes...),
		oneOf("phase_scope", o.PhaseScope, PhaseFull, PhaseEarly, PhaseMiddle, PhaseLate),
		oneOf("modulation_scope", o.ModulationScope, scopes...),
		oneOf("modulation_schedule", o.ModulationSchedule, ScheduleConstant, ScheduleWarmup, PhaseLate),
		oneOf("lr_controller_mode", o.LRControllerMode, ControllerOff, ControllerGlobal, ControllerLayerwise, ScopeClassifierOnly),
		oneOf("orthogonal_normalization", o.OrthogonalNormalization, NormRaw, NormMatchGrad),
		oneOf("orthogonal_schedule", o.OrthogonalSchedule, ScheduleConstant, PhaseLate, ScheduleCosine),
		nonNegative(a, "modulation_strength", o.ModulationStrength),
		nonNegative(a, "modulation_max_ratio", o.ModulationMaxRatio),
		finite(a, "controller_alpha", o.ControllerAlpha),
		nonNegative(a, "controller_low", o.ControllerLow),
		finite(a, "controller_high", o.ControllerHigh),
	); err != nil {
		return err
	}
	if o.ControllerLow > o.ControllerHigh {
		return pairError(a, "controller_low", "controller_high", "controller_low %v > controller_high %v", o.ControllerLow, o.ControllerHigh)
	}
	return firstError(
		unitInterval(a, "base_momentum", o.BaseMomentum),
		unitInterval(a, "base_beta2", o.BaseBeta2),
		positive(a, "base_eps", o.BaseEps),
		nonNegative(a, "residual_max_ratio", o.ResidualMaxRatio),
		nonNegative(a, "orthogonal_lambda", o.OrthogonalLambda),
		nonNegative(a, "orthogonal_max_ratio", o.OrthogonalMaxRatio),
		fraction("orthogonal_late_start_fraction", o.OrthogonalLateStartFraction),
		nonNegative(a, "early_target_rms_scale", o.EarlyTargetRMSScale),
		nonNegative(a, "middle_target_rms_scale", o.MiddleTargetRMSScale),
		nonNegative(a, "late_target_rms_scale", o.LateTargetRMSScale),
	)
}

// oneOf checks that NeuroPlastic's setting key has one of the valid values,
// and lists them if not.
func oneOf(key, v string, valid ...string) error {
	if slices.Contains(valid, v) {
		return nil
	}
	return keyError(NameNeuroPlastic, key, "unknown %s %q (want one of %s)", key, v, strings.Join(valid, ", "))
}

// fraction checks that NeuroPlastic's setting key lies in [0, 1].
func fraction(key string, v float64) error {
	if !(v >= 0 && v <= 1) {
		return keyError(NameNeuroPlastic, key, "%s %v is outside [0, 1]", key, v)
	}
	return nil
}

// fields binds the options' canonical keys; NeuroPlasticConfig.fields
// includes them, and optionalKey recognises them.
func (o *VariantOptions) fields() []field {
	return []field{
		{"hybrid_base", &o.HybridBase},
		{"modulation_target", &o.ModulationTarget},
		{"layer_scope", &o.LayerScope},
		{"phase_scope", &o.PhaseScope},
		{"modulation_scope", &o.ModulationScope},
		{"modulation_schedule", &o.ModulationSchedule},
		{"modulation_strength", &o.ModulationStrength},
		{"modulation_max_ratio", &o.ModulationMaxRatio},
		{"lr_controller_mode", &o.LRControllerMode},
		{"controller_alpha", &o.ControllerAlpha},
		{"controller_low", &o.ControllerLow},
		{"controller_high", &o.ControllerHigh},
		{"base_momentum", &o.BaseMomentum},
		{"base_beta2", &o.BaseBeta2},
		{"base_eps", &o.BaseEps},
		{"bounded_residual", &o.BoundedResidual},
		{"residual_max_ratio", &o.ResidualMaxRatio},
		{"orthogonal_residual", &o.OrthogonalResidual},
		{"orthogonal_lambda", &o.OrthogonalLambda},
		{"orthogonal_max_ratio", &o.OrthogonalMaxRatio},
		{"orthogonal_normalization", &o.OrthogonalNormalization},
		{"orthogonal_schedule", &o.OrthogonalSchedule},
		{"orthogonal_late_start_fraction", &o.OrthogonalLateStartFraction},
		{"early_target_rms_scale", &o.EarlyTargetRMSScale},
		{"middle_target_rms_scale", &o.MiddleTargetRMSScale},
		{"late_target_rms_scale", &o.LateTargetRMSScale},
	}
}

// optionalKey reports whether key is one of VariantOptions' keys, which the
// canonical JSON leaves out at their defaults (see Config.MarshalJSON).
func optionalKey(key string) bool {
	var o VariantOptions
	return slices.ContainsFunc(o.fields(), func(f field) bool { return f.key == key })
}

// active reports whether any option changes the update: a hybrid base, the
// controller, a residual or a band scale other than 1. The others only
// parameterise these, so with none of them on the optimizer is the paper's
// and takes its fast path.
func (o *VariantOptions) active() bool {
	return o.HybridBase != BaseClassic || o.LRControllerMode != ControllerOff ||
		o.BoundedResidual || o.OrthogonalResidual ||
		o.EarlyTargetRMSScale != 1 || o.MiddleTargetRMSScale != 1 || o.LateTargetRMSScale != 1
}

// scopes returns the effective canonical layer and phase scopes: aliases
// resolved, and the legacy modulation_scope and modulation_schedule applied
// while layer_scope is "all" and phase_scope "full" (warmup means early,
// late late, constant full).
func (o *VariantOptions) scopes() (layer, phase string) {
	layer, phase = o.LayerScope, o.PhaseScope
	if layer == ScopeAll {
		layer = o.ModulationScope
	}
	if c, ok := layerScopeAliases[layer]; ok {
		layer = c
	}
	if phase == PhaseFull {
		switch o.ModulationSchedule {
		case ScheduleWarmup:
			phase = PhaseEarly
		case PhaseLate:
			phase = PhaseLate
		}
	}
	return layer, phase
}
