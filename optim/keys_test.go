package optim

import (
	"errors"
	"slices"
	"testing"
)

func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
	}{
		{NameSGD, []string{"lr", "momentum", "weight_decay", "nesterov"}},
		{NameAdam, []string{"lr", "beta1", "beta2", "eps", "weight_decay"}},
		{NameAdamW, []string{"lr", "beta1", "beta2", "eps", "weight_decay"}},
		{"lion", nil},
	} {
		if got := Keys(tc.name); !slices.Equal(got, tc.want) {
			t.Errorf("Keys(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	// Every NeuroPlastic key is one of its canonical JSON's, less "name".
	np := Keys(NameNeuroPlastic)
	for _, k := range []string{"lr", "mode", "warmup_epochs", "plasticity_scale", "parameterwise", "max_update_norm"} {
		if !slices.Contains(np, k) {
			t.Errorf("Keys(neuroplastic) lacks %q: %q", k, np)
		}
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		opt   string
		key   string
		value any
		check func(Config) bool // when err is ""
		err   string
	}{
		{"float from float", NameSGD, "lr", 0.5, func(c Config) bool { return c.SGD.LR == 0.5 }, ""},
		{"float from int64", NameSGD, "lr", int64(2), func(c Config) bool { return c.SGD.LR == 2 }, ""},
		{"float from int", NameAdam, "eps", 1, func(c Config) bool { return c.Adam.Eps == 1 }, ""},
		{"int from int64", NameNeuroPlastic, "warmup_epochs", int64(3), func(c Config) bool { return c.NeuroPlastic.WarmupEpochs == 3 }, ""},
		{"int from integral float", NameNeuroPlastic, "warmup_epochs", 2.0, func(c Config) bool { return c.NeuroPlastic.WarmupEpochs == 2 }, ""},
		{"bool", NameSGD, "nesterov", true, func(c Config) bool { return c.SGD.Nesterov }, ""},
		{"string", NameNeuroPlastic, "mode", ModeGradOnly, func(c Config) bool { return c.NeuroPlastic.Mode == ModeGradOnly }, ""},
		{"out of range is Validate's", NameSGD, "lr", -1.0, func(c Config) bool { return c.SGD.LR == -1 }, ""},
		{"fractional int", NameNeuroPlastic, "warmup_epochs", 2.5, nil, "optim: neuroplastic: warmup_epochs: 2.5 is not an integer"},
		{"huge int", NameNeuroPlastic, "warmup_epochs", int64(1) << 40, nil, "optim: neuroplastic: warmup_epochs: 1.099511627776e+12 is not an integer"},
		{"string for int", NameNeuroPlastic, "warmup_epochs", "2", nil, `optim: neuroplastic: warmup_epochs: want an integer, got string "2"`},
		{"string for float", NameSGD, "lr", "0.1", nil, `optim: sgd: lr: want a number, got string "0.1"`},
		{"number for bool", NameSGD, "nesterov", 1.0, nil, "optim: sgd: nesterov: want a boolean, got number 1"},
		{"bool for string", NameNeuroPlastic, "mode", false, nil, "optim: neuroplastic: mode: want a string, got boolean false"},
		{"null", NameSGD, "lr", nil, nil, "optim: sgd: lr: null is not a value"},
		{"unknown key", NameSGD, "beta1", 0.9, nil, `optim: sgd: unknown key "beta1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DefaultConfig(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Set(tc.key, tc.value)
			if errString(err) != tc.err {
				t.Fatalf("Set error %q, want %q", errString(err), tc.err)
			}
			if err == nil {
				if !tc.check(c) {
					t.Errorf("Set(%q, %v) gave %v", tc.key, tc.value, c)
				}
				return
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tc.key || ke.Optimizer != tc.opt {
				t.Errorf("error %v is not a KeyError for %s %s", err, tc.opt, tc.key)
			}
		})
	}
}

// TestValidateKeyErrors checks that Validate and DecodeConfig name the key
// at fault, and the related key of a relation between two, in a KeyError.
func TestValidateKeyErrors(t *testing.T) {
	for _, tc := range []struct {
		in, key, related string
	}{
		{`{"name":"neuroplastic","lr":-1}`, "lr", ""},
		{`{"name":"neuroplastic","mode":"x"}`, "mode", ""},
		{`{"name":"neuroplastic","warmup_epochs":-1}`, "warmup_epochs", ""},
		{`{"name":"neuroplastic","min_alpha":3}`, "min_alpha", "max_alpha"},
		{`{"name":"neuroplastic","max_update_norm":0}`, "max_update_norm", ""},
		{`{"name":"sgd","nesterov":true}`, "nesterov", "momentum"},
		{`{"name":"adamw","beta1":1}`, "beta1", ""},
		{`{"name":"adam","eps":0}`, "eps", ""},
		{`{"name":"adam","lr":1e400}`, "lr", ""},
		{`{"name":"adam","lrr":1}`, "lrr", ""},
	} {
		_, err := DecodeConfig([]byte(tc.in))
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Key != tc.key || ke.Related != tc.related {
			t.Errorf("DecodeConfig(%s) error %v (%+v), want a KeyError for %s/%q", tc.in, err, ke, tc.key, tc.related)
		}
	}
}

func TestCloneAndString(t *testing.T) {
	a, _ := DefaultConfig(NameSGD)
	b := a.Clone()
	if err := b.Set("lr", 0.5); err != nil {
		t.Fatal(err)
	}
	if a.SGD.LR == 0.5 {
		t.Error("Set on a clone changed the original")
	}
	if got, want := a.String(), "sgd lr=0.001 momentum=0 weight_decay=0 nesterov=false"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if a.String() == b.String() {
		t.Errorf("different configs, same string %q", a)
	}
	if c := b.Clone(); c.String() != b.String() {
		t.Errorf("clone %q of %q", c, b)
	}
}

func TestPaperConfig(t *testing.T) {
	p := PaperConfig()
	if np := p.NeuroPlastic; np.LR != 0.1 || np.WarmupEpochs != 2 || np.PlasticityScale != 2 || np.Mode != ModeRuleBased {
		t.Errorf("PaperConfig() = %v", p)
	}
	if !p.HasPaperLocked() {
		t.Error("PaperConfig() lacks the locked values")
	}
	other := p.Clone()
	if err := other.Set("max_update_norm", 0.5); err != nil || !other.HasPaperLocked() {
		t.Errorf("a change outside the locked keys: %v, %v", err, other.HasPaperLocked())
	}
	for _, s := range []Setting{{"lr", 0.05}, {"warmup_epochs", 1}, {"plasticity_scale", 1.0}, {"mode", ModeGradOnly}} {
		c := p.Clone()
		if err := c.Set(s.Key, s.Value); err != nil {
			t.Fatal(err)
		}
		if c.HasPaperLocked() {
			t.Errorf("%s=%v still has the paper's locked values", s.Key, s.Value)
		}
	}
	if sgd, _ := DefaultConfig(NameSGD); sgd.HasPaperLocked() {
		t.Error("SGD has the paper's locked values")
	}
}
