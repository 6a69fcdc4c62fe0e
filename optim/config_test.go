package optim

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestValidate(t *testing.T) {
	np := func(f func(c *NeuroPlasticConfig)) Config {
		c := DefaultNeuroPlastic()
		f(&c)
		return Config{Name: NameNeuroPlastic, NeuroPlastic: &c}
	}
	sgd := func(f func(c *SGDConfig)) Config {
		c := DefaultSGD()
		f(&c)
		return Config{Name: NameSGD, SGD: &c}
	}
	adam := func(name string, f func(c *AdamConfig)) Config {
		c := DefaultAdam()
		f(&c)
		return Config{Name: name, Adam: &c}
	}
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		cfg  Config
		want string // "" for a valid config
	}{
		{"np default", np(func(c *NeuroPlasticConfig) {}), ""},
		{"np lr 0", np(func(c *NeuroPlasticConfig) { c.LR = 0 }), ""},
		{"np min equals max", np(func(c *NeuroPlasticConfig) { c.MinAlpha, c.MaxAlpha = 1, 1 }), ""},
		{"np grad only", np(func(c *NeuroPlasticConfig) { c.Mode = ModeGradOnly }), ""},
		{"np negative lr", np(func(c *NeuroPlasticConfig) { c.LR = -0.1 }), "optim: neuroplastic: lr -0.1 < 0"},
		{"np NaN lr", np(func(c *NeuroPlasticConfig) { c.LR = nan }), "optim: neuroplastic: lr NaN is not finite"},
		{"np negative wd", np(func(c *NeuroPlasticConfig) { c.WeightDecay = -1 }), "optim: neuroplastic: weight_decay -1 < 0"},
		{"np unknown mode", np(func(c *NeuroPlasticConfig) { c.Mode = "full" }), `optim: neuroplastic: unknown mode "full" (want rule_based or ablation_grad_only)`},
		{"np negative activity", np(func(c *NeuroPlasticConfig) { c.ActivityWeight = -0.4 }), "optim: neuroplastic: activity_weight -0.4 < 0"},
		{"np inf gradient weight", np(func(c *NeuroPlasticConfig) { c.GradientWeight = inf }), "optim: neuroplastic: gradient_weight +Inf is not finite"},
		{"np negative memory", np(func(c *NeuroPlasticConfig) { c.MemoryWeight = -0.2 }), "optim: neuroplastic: memory_weight -0.2 < 0"},
		{"np negative min", np(func(c *NeuroPlasticConfig) { c.MinAlpha = -0.2 }), "optim: neuroplastic: min_alpha -0.2 < 0"},
		{"np inf max", np(func(c *NeuroPlasticConfig) { c.MaxAlpha = inf }), "optim: neuroplastic: max_alpha +Inf is not finite"},
		{"np min above max", np(func(c *NeuroPlasticConfig) { c.MinAlpha, c.MaxAlpha = 2, 0.5 }), "optim: neuroplastic: min_alpha 2 > max_alpha 0.5"},
		{"np negative warmup", np(func(c *NeuroPlasticConfig) { c.WarmupEpochs = -1 }), "optim: neuroplastic: warmup_epochs -1 < 0"},
		{"np negative scale", np(func(c *NeuroPlasticConfig) { c.PlasticityScale = -2 }), "optim: neuroplastic: plasticity_scale -2 < 0"},
		{"np zero max norm", np(func(c *NeuroPlasticConfig) { c.MaxUpdateNorm = 0 }), "optim: neuroplastic: max_update_norm 0 <= 0"},
		{"np inf max norm", np(func(c *NeuroPlasticConfig) { c.MaxUpdateNorm = inf }), "optim: neuroplastic: max_update_norm +Inf is not finite"},
		{"np negative target", np(func(c *NeuroPlasticConfig) { c.TargetRMS = -0.02 }), "optim: neuroplastic: target_rms -0.02 < 0"},
		{"np NaN rate", np(func(c *NeuroPlasticConfig) { c.AdaptationRate = nan }), "optim: neuroplastic: adaptation_rate NaN is not finite"},
		{"sgd default", sgd(func(c *SGDConfig) {}), ""},
		{"sgd nesterov", sgd(func(c *SGDConfig) { c.Momentum, c.Nesterov = 0.9, true }), ""},
		{"sgd negative lr", sgd(func(c *SGDConfig) { c.LR = -1 }), "optim: sgd: lr -1 < 0"},
		{"sgd negative momentum", sgd(func(c *SGDConfig) { c.Momentum = -0.9 }), "optim: sgd: momentum -0.9 < 0"},
		{"sgd inf wd", sgd(func(c *SGDConfig) { c.WeightDecay = inf }), "optim: sgd: weight_decay +Inf is not finite"},
		{"sgd nesterov no momentum", sgd(func(c *SGDConfig) { c.Nesterov = true }), "optim: sgd: nesterov needs momentum > 0, not 0"},
		{"adam default", adam(NameAdam, func(c *AdamConfig) {}), ""},
		{"adam beta1 0", adam(NameAdam, func(c *AdamConfig) { c.Beta1 = 0 }), ""},
		{"adam beta1 1", adam(NameAdam, func(c *AdamConfig) { c.Beta1 = 1 }), "optim: adam: beta1 1 is outside [0, 1)"},
		{"adamw negative beta2", adam(NameAdamW, func(c *AdamConfig) { c.Beta2 = -0.1 }), "optim: adamw: beta2 -0.1 is outside [0, 1)"},
		{"adam NaN beta2", adam(NameAdam, func(c *AdamConfig) { c.Beta2 = nan }), "optim: adam: beta2 NaN is outside [0, 1)"},
		{"adam zero eps", adam(NameAdam, func(c *AdamConfig) { c.Eps = 0 }), "optim: adam: eps 0 <= 0"},
		{"adamw negative lr", adam(NameAdamW, func(c *AdamConfig) { c.LR = -1e-3 }), "optim: adamw: lr -0.001 < 0"},
		{"adam negative wd", adam(NameAdam, func(c *AdamConfig) { c.WeightDecay = -0.01 }), "optim: adam: weight_decay -0.01 < 0"},
		{"unknown name", Config{Name: "rmsprop"}, `optim: unknown optimizer "rmsprop" (want adam, adamw, neuroplastic or sgd)`},
		{"empty name", Config{}, `optim: unknown optimizer "" (want adam, adamw, neuroplastic or sgd)`},
		{"missing settings", Config{Name: NameAdam}, "optim: adam: config must set Adam and no other settings"},
		{"wrong settings", Config{Name: NameSGD, Adam: &AdamConfig{}}, "optim: sgd: config must set SGD and no other settings"},
		{"two settings", func() Config {
			c := np(func(c *NeuroPlasticConfig) {})
			c.SGD = &SGDConfig{}
			return c
		}(), "optim: neuroplastic: config must set NeuroPlastic and no other settings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if got := errString(err); got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
			// New refuses exactly what Validate refuses.
			_, err = New(newParams(smallShapes, 1), tc.cfg, 1)
			if got := errString(err); got != tc.want {
				t.Errorf("New() error %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTypedValidate checks that the typed configs' own Validate methods
// agree with Config.Validate.
func TestTypedValidate(t *testing.T) {
	c := DefaultAdam()
	c.Eps = -1
	if got, want := errString(c.Validate()), "optim: adam: eps -1 <= 0"; got != want {
		t.Errorf("AdamConfig.Validate() = %q, want %q", got, want)
	}
	if _, err := NewAdamW(newParams(smallShapes, 1), c); errString(err) != "optim: adamw: eps -1 <= 0" {
		t.Errorf("NewAdamW error %v", err)
	}
	if _, err := NewSGD(newParams(smallShapes, 1), SGDConfig{LR: -1}); errString(err) != "optim: sgd: lr -1 < 0" {
		t.Errorf("NewSGD error %v", err)
	}
	np := DefaultNeuroPlastic()
	np.MinAlpha = 3
	if _, err := NewNeuroPlastic(newParams(smallShapes, 1), np, 1); errString(err) != "optim: neuroplastic: min_alpha 3 > max_alpha 2" {
		t.Errorf("NewNeuroPlastic error %v", err)
	}
}

func TestDecodeConfig(t *testing.T) {
	np := func(f func(c *NeuroPlasticConfig)) Config {
		c := DefaultNeuroPlastic()
		f(&c)
		return Config{Name: NameNeuroPlastic, NeuroPlastic: &c}
	}
	tests := []struct {
		name string
		in   string
		want Config // compared when err is ""
		err  string
	}{
		{"defaults", `{"name":"neuroplastic"}`, np(func(c *NeuroPlasticConfig) {}), ""},
		{"grad-only arm", `{"name": "neuroplastic", "mode": "ablation_grad_only", "lr": 0.1, "min_alpha": 0.5, "max_alpha": 1.5}`,
			np(func(c *NeuroPlasticConfig) { c.Mode, c.LR, c.MinAlpha, c.MaxAlpha = ModeGradOnly, 0.1, 0.5, 1.5 }), ""},
		{"integral float warmup", `{"name":"neuroplastic","warmup_epochs":2.0}`, np(func(c *NeuroPlasticConfig) { c.WarmupEpochs = 2 }), ""},
		{"exponent warmup", `{"name":"neuroplastic","warmup_epochs":1e1}`, np(func(c *NeuroPlasticConfig) { c.WarmupEpochs = 10 }), ""},
		{"booleans", `{"name":"neuroplastic","parameterwise":false,"decoupled_weight_decay":true,"weight_decay":0.01}`,
			np(func(c *NeuroPlasticConfig) {
				c.Parameterwise, c.DecoupledWeightDecay, c.WeightDecay = false, true, 0.01
			}), ""},
		{"sgd", `{"name":"sgd","lr":0.01,"momentum":0.9}`, Config{Name: NameSGD, SGD: &SGDConfig{LR: 0.01, Momentum: 0.9}}, ""},
		{"adam", `{"name":"adam"}`, Config{Name: NameAdam, Adam: &AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}}, ""},
		{"adamw default decay", `{"name":"adamw","lr":0.002}`, Config{Name: NameAdamW, Adam: &AdamConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}}, ""},
		{"fractional warmup", `{"name":"neuroplastic","warmup_epochs":2.5}`, Config{}, "optim: neuroplastic: warmup_epochs: 2.5 is not an integer"},
		{"huge warmup", `{"name":"neuroplastic","warmup_epochs":1e12}`, Config{}, "optim: neuroplastic: warmup_epochs: 1e+12 is not an integer"},
		{"negative warmup", `{"name":"neuroplastic","warmup_epochs":-1}`, Config{}, "optim: neuroplastic: warmup_epochs -1 < 0"},
		{"unknown key", `{"name":"neuroplastic","lr":0.1,"momentum":0.9}`, Config{}, `optim: neuroplastic: unknown key "momentum"`},
		{"key of another optimizer", `{"name":"sgd","beta1":0.9}`, Config{}, `optim: sgd: unknown key "beta1"`},
		{"first unknown key in sorted order", `{"name":"adam","zeta":1,"alpha":1}`, Config{}, `optim: adam: unknown key "alpha"`},
		{"misspelt key", `{"name":"neuroplastic","min-alpha":0.5}`, Config{}, `optim: neuroplastic: unknown key "min-alpha"`},
		{"min above max", `{"name":"neuroplastic","min_alpha":2,"max_alpha":0.5}`, Config{}, "optim: neuroplastic: min_alpha 2 > max_alpha 0.5"},
		{"negative lr", `{"name":"adamw","lr":-0.001}`, Config{}, "optim: adamw: lr -0.001 < 0"},
		{"unknown mode", `{"name":"neuroplastic","mode":"rule-based"}`, Config{}, `optim: neuroplastic: unknown mode "rule-based" (want rule_based or ablation_grad_only)`},
		{"null value", `{"name":"neuroplastic","lr":null}`, Config{}, "optim: neuroplastic: lr: null is not a value"},
		{"string for number", `{"name":"sgd","lr":"0.1"}`, Config{}, `optim: sgd: lr: want a number, got string "0.1"`},
		{"string for bool", `{"name":"sgd","nesterov":"yes"}`, Config{}, `optim: sgd: nesterov: want a boolean, got string "yes"`},
		{"number for mode", `{"name":"neuroplastic","mode":1}`, Config{}, `optim: neuroplastic: mode: want a string, got number 1`},
		{"overflowing number", `{"name":"sgd","lr":1e400}`, Config{}, "optim: sgd: lr: json: cannot unmarshal number 1e400 into Go value of type float64"},
		{"object for number", `{"name":"sgd","lr":{"x":1}}`, Config{}, "optim: sgd: lr: want a number, got a map[string]interface {}"},
		{"missing name", `{"lr":0.1}`, Config{}, `optim: config: missing key "name"`},
		{"unknown name", `{"name":"rmsprop","lr":0.1}`, Config{}, `optim: unknown optimizer "rmsprop" (want adam, adamw, neuroplastic or sgd)`},
		{"name not a string", `{"name":3}`, Config{}, "optim: config: name: json: cannot unmarshal number into Go value of type string"},
		{"not an object", `[1]`, Config{}, "optim: config: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{"null", `null`, Config{}, `optim: config: missing key "name"`},
		{"bad json", `{"name":`, Config{}, "optim: config: unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeConfig([]byte(tc.in))
			if errString(err) != tc.err {
				t.Fatalf("DecodeConfig error %q, want %q", errString(err), tc.err)
			}
			if err == nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DecodeConfig = %+v, want %+v", describe(got), describe(tc.want))
			}
		})
	}
}

// TestMarshalJSON checks the canonical form: every key, sorted, and a round
// trip through DecodeConfig (and json.Unmarshal) that gives the same config
// and the same bytes.
func TestMarshalJSON(t *testing.T) {
	canonical := map[string]string{
		NameSGD:   `{"lr":0.001,"momentum":0,"name":"sgd","nesterov":false,"weight_decay":0}`,
		NameAdam:  `{"beta1":0.9,"beta2":0.999,"eps":1e-8,"lr":0.001,"name":"adam","weight_decay":0}`,
		NameAdamW: `{"beta1":0.9,"beta2":0.999,"eps":1e-8,"lr":0.001,"name":"adamw","weight_decay":0.01}`,
		NameNeuroPlastic: `{"activity_weight":0.4,"adaptation_rate":0.01,"decoupled_weight_decay":false,` +
			`"gradient_weight":0.4,"lr":0.001,"max_alpha":2,"max_update_norm":1,"memory_weight":0.2,` +
			`"min_alpha":0.2,"mode":"rule_based","name":"neuroplastic","parameterwise":true,` +
			`"plasticity_scale":1,"target_rms":0.02,"warmup_epochs":0,"weight_decay":0}`,
	}
	for _, name := range Names() {
		c, err := DefaultConfig(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != canonical[name] {
			t.Errorf("%s defaults:\n got %s\nwant %s", name, b, canonical[name])
		}
	}
	for _, tc := range testConfigs() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.cfg.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeConfig(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.cfg) {
				t.Errorf("round trip changed the config: %s", b)
			}
			var viaJSON Config
			if err := json.Unmarshal(b, &viaJSON); err != nil || !reflect.DeepEqual(viaJSON, tc.cfg) {
				t.Errorf("json.Unmarshal round trip: %v", err)
			}
			if b2, _ := back.MarshalJSON(); string(b2) != string(b) {
				t.Errorf("not canonical:\n%s\n%s", b, b2)
			}
		})
	}
	if _, err := (Config{Name: NameSGD, SGD: &SGDConfig{LR: -1}}).MarshalJSON(); errString(err) != "optim: sgd: lr -1 < 0" {
		t.Errorf("MarshalJSON of an invalid config: error %v", err)
	}
}

// TestMarshalGoldenConfigs checks that the canonical form of every golden
// case's optimizer holds every key the case gives, with the same value,
// except optional keys at their default value, which it leaves out.
func TestMarshalGoldenConfigs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var gc struct {
			Optimizer map[string]any `json:"optimizer"`
		}
		if err := json.Unmarshal(raw, &gc); err != nil {
			t.Fatal(err)
		}
		in, _ := json.Marshal(gc.Optimizer)
		c, err := DecodeConfig(in)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out, _ := c.MarshalJSON()
		var canon map[string]any
		if err := json.Unmarshal(out, &canon); err != nil {
			t.Fatal(err)
		}
		for k, v := range gc.Optimizer {
			got, ok := canon[k]
			if !ok && optionalKey(k) {
				got = defaultValue(t, c.Name, k)
			}
			if !reflect.DeepEqual(got, v) {
				t.Errorf("%s: %s = %v in the canonical form, %v in the case", file, k, got, v)
			}
		}
	}
}

// defaultValue returns the JSON value of key in the defaults of the
// optimizer name, as json.Unmarshal decodes it into an any.
func defaultValue(t *testing.T, name, key string) any {
	t.Helper()
	c, err := DefaultConfig(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.fields() {
		if f.key == key {
			b, _ := json.Marshal(f.ptr)
			var v any
			_ = json.Unmarshal(b, &v)
			return v
		}
	}
	t.Fatalf("%s has no key %q", name, key)
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// describe dereferences a Config's settings for failure messages.
func describe(c Config) []any {
	out := []any{c.Name}
	if c.SGD != nil {
		out = append(out, *c.SGD)
	}
	if c.Adam != nil {
		out = append(out, *c.Adam)
	}
	if c.NeuroPlastic != nil {
		out = append(out, *c.NeuroPlastic)
	}
	return out
}

// FuzzDecodeConfig checks that DecodeConfig never panics and that whatever
// it accepts is valid and round-trips through MarshalJSON unchanged.
func FuzzDecodeConfig(f *testing.F) {
	for _, s := range []string{
		`{"name":"neuroplastic","mode":"ablation_grad_only","lr":0.1,"min_alpha":0.5,"max_alpha":1.5}`,
		`{"name":"neuroplastic","warmup_epochs":2.0,"parameterwise":false}`,
		`{"name":"sgd","lr":0.01,"momentum":0.9,"nesterov":true}`,
		`{"name":"adamw","beta2":0.99}`,
		`{"name":"adam","eps":0}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := DecodeConfig(raw)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		b, err := c.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeConfig(b)
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip of %s: %v", b, err)
		}
	})
}
