package optim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// The optimizer names a Config may carry.
const (
	NameSGD          = "sgd"
	NameAdam         = "adam"
	NameAdamW        = "adamw"
	NameNeuroPlastic = "neuroplastic"
)

// Names returns the optimizer names New accepts, sorted.
func Names() []string { return []string{NameAdam, NameAdamW, NameNeuroPlastic, NameSGD} }

// Config is an optimizer configuration by canonical names (docs/algorithm.md,
// section 1). Name picks the algorithm and exactly the matching settings field is
// non-nil: SGD for "sgd", Adam for "adam" and "adamw", NeuroPlastic for
// "neuroplastic". Its JSON form is an object with "name" and every
// hyperparameter by its canonical key.
type Config struct {
	Name         string
	SGD          *SGDConfig
	Adam         *AdamConfig
	NeuroPlastic *NeuroPlasticConfig
}

// DefaultConfig returns the configuration named name with every
// hyperparameter at its default, or an error for an unknown name.
func DefaultConfig(name string) (Config, error) {
	switch name {
	case NameSGD:
		c := DefaultSGD()
		return Config{Name: name, SGD: &c}, nil
	case NameAdam:
		c := DefaultAdam()
		return Config{Name: name, Adam: &c}, nil
	case NameAdamW:
		c := DefaultAdamW()
		return Config{Name: name, Adam: &c}, nil
	case NameNeuroPlastic:
		c := DefaultNeuroPlastic()
		return Config{Name: name, NeuroPlastic: &c}, nil
	}
	return Config{}, fmt.Errorf("optim: unknown optimizer %q (want adam, adamw, neuroplastic or sgd)", name)
}

// Validate reports whether c names a known optimizer, carries exactly the
// matching settings, and those settings are valid.
func (c Config) Validate() error {
	var own string
	var ok bool
	switch c.Name {
	case NameSGD:
		own, ok = "SGD", c.SGD != nil && c.Adam == nil && c.NeuroPlastic == nil
	case NameAdam, NameAdamW:
		own, ok = "Adam", c.SGD == nil && c.Adam != nil && c.NeuroPlastic == nil
	case NameNeuroPlastic:
		own, ok = "NeuroPlastic", c.SGD == nil && c.Adam == nil && c.NeuroPlastic != nil
	default:
		_, err := DefaultConfig(c.Name)
		return err
	}
	if !ok {
		return fmt.Errorf("optim: %s: config must set %s and no other settings", c.Name, own)
	}
	switch {
	case c.SGD != nil:
		return c.SGD.Validate()
	case c.Adam != nil:
		return c.Adam.validate(c.Name)
	default:
		return c.NeuroPlastic.Validate()
	}
}

// New validates c and returns its optimizer bound to params, for a run of
// totalEpochs epochs (the epochs given to Step are 1..totalEpochs; only
// NeuroPlastic's VariantOptions read it, see NewNeuroPlastic). The optimizer
// reads each parameter's Grad and updates its Data in place at every Step;
// the caller must not change the slices' lengths afterwards. New panics if a
// parameter is nil, empty, or has a gradient of another length, or if
// totalEpochs < 1.
func New(params []*param.Param, c Config, totalEpochs int) (Optimizer, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	checkTotalEpochs(c.Name, totalEpochs)
	switch c.Name {
	case NameSGD:
		return asOptimizer(NewSGD(params, *c.SGD))
	case NameAdam:
		return asOptimizer(NewAdam(params, *c.Adam))
	case NameAdamW:
		return asOptimizer(NewAdamW(params, *c.Adam))
	default:
		return asOptimizer(NewNeuroPlastic(params, *c.NeuroPlastic, totalEpochs))
	}
}

// asOptimizer converts a typed constructor's result, returning a nil
// interface (not an interface holding a nil pointer) on error.
func asOptimizer[T Optimizer](o T, err error) (Optimizer, error) {
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DecodeConfig decodes a JSON object holding "name" and hyperparameters by
// their canonical keys. Decoding is strict: a key the named optimizer does
// not have is an error naming it, and so is a value of the wrong type; a key
// left out takes its default. Integer settings accept integral numbers
// written as floats (2.0) but not fractions (2.5). The result is validated.
func DecodeConfig(raw []byte) (Config, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return Config{}, fmt.Errorf("optim: config: %w", err)
	}
	rawName, ok := obj["name"]
	if !ok {
		return Config{}, fmt.Errorf("optim: config: missing key \"name\"")
	}
	var name string
	if err := json.Unmarshal(rawName, &name); err != nil {
		return Config{}, fmt.Errorf("optim: config: name: %w", err)
	}
	c, err := DefaultConfig(name)
	if err != nil {
		return Config{}, err
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the same key first whatever the map order
	for _, k := range keys {
		if k == "name" {
			continue
		}
		var v any
		if err := json.Unmarshal(obj[k], &v); err != nil {
			return Config{}, &KeyError{Optimizer: name, Key: k, Err: fmt.Errorf("%s: %w", k, err)}
		}
		if err := c.Set(k, v); err != nil {
			return Config{}, err
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// UnmarshalJSON decodes c with DecodeConfig.
func (c *Config) UnmarshalJSON(raw []byte) error {
	d, err := DecodeConfig(raw)
	if err != nil {
		return err
	}
	*c = d
	return nil
}

// MarshalJSON returns the canonical JSON form of a valid c: "name" and every
// hyperparameter with keys in sorted order, so equal configurations give
// equal bytes. It round-trips through DecodeConfig.
//
// The omission rule: an optional key (see optionalKey: the options the
// preprint does not use, docs/algorithm.md) is left out while it holds its
// default value, and written once it differs; every other key is always
// written, defaults included. Run IDs hash this form, so adding an optional key changes no
// existing run's ID, and a new option must be added as optional.
func (c Config) MarshalJSON() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	defaults, _ := DefaultConfig(c.Name) // c is valid, so its name is known
	def := defaults.fields()
	fields := append(c.fields(), field{key: "name", ptr: &c.Name})
	slices.SortFunc(fields, func(a, b field) int { return cmp.Compare(a.key, b.key) })
	var buf bytes.Buffer
	buf.WriteByte('{')
	for _, f := range fields {
		v, err := json.Marshal(f.ptr)
		if err != nil {
			return nil, fmt.Errorf("optim: %s: %s: %w", c.Name, f.key, err)
		}
		if optionalKey(f.key) {
			i := slices.IndexFunc(def, func(d field) bool { return d.key == f.key })
			if dv, _ := json.Marshal(def[i].ptr); bytes.Equal(v, dv) {
				continue
			}
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// field binds a canonical key to one hyperparameter of a typed config; ptr
// is a *float64, *int, *bool or *string. Keys and Set read a config's keys
// and types from these bindings, so a new hyperparameter needs only its
// entry in its config's fields method.
type field struct {
	key string
	ptr any
}

// fields returns the hyperparameters of whichever settings c carries.
func (c *Config) fields() []field {
	switch {
	case c.SGD != nil:
		return c.SGD.fields()
	case c.Adam != nil:
		return c.Adam.fields()
	case c.NeuroPlastic != nil:
		return c.NeuroPlastic.fields()
	}
	return nil
}

// Validation helpers shared by the typed configs. Each returns nil or a
// *KeyError naming the algorithm, the key and the value.

// finite checks that v is neither NaN nor infinite.
func finite(algo, key string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return keyError(algo, key, "%s %v is not finite", key, v)
	}
	return nil
}

// nonNegative checks that v is finite and >= 0.
func nonNegative(algo, key string, v float64) error {
	if err := finite(algo, key, v); err != nil {
		return err
	}
	if v < 0 {
		return keyError(algo, key, "%s %v < 0", key, v)
	}
	return nil
}

// positive checks that v is finite and > 0.
func positive(algo, key string, v float64) error {
	if err := finite(algo, key, v); err != nil {
		return err
	}
	if v <= 0 {
		return keyError(algo, key, "%s %v <= 0", key, v)
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
