package optim

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// KeyError is an error about one hyperparameter of a configuration: a key
// the optimizer does not have, a value of the wrong type, or a value out of
// range. Callers that know where each key came from (the spec parser) find
// it with errors.As and point at the key's source.
type KeyError struct {
	Optimizer string // the optimizer's name
	Key       string // the canonical key at fault
	// Related is a second key the problem involves ("max_alpha" when
	// min_alpha exceeds it), or "".
	Related string
	Err     error // the problem, worded to name the key
}

// Error returns "optim: <optimizer>: <problem>".
func (e *KeyError) Error() string { return "optim: " + e.Optimizer + ": " + e.Err.Error() }

// Unwrap returns the problem.
func (e *KeyError) Unwrap() error { return e.Err }

// keyError returns a *KeyError for key of algo with a formatted problem.
func keyError(algo, key, format string, args ...any) *KeyError {
	return &KeyError{Optimizer: algo, Key: key, Err: fmt.Errorf(format, args...)}
}

// pairError returns a *KeyError for a problem of key with the related key.
func pairError(algo, key, related, format string, args ...any) *KeyError {
	e := keyError(algo, key, format, args...)
	e.Related = related
	return e
}

// Keys returns the canonical hyperparameter keys of the optimizer name in
// their declaration order ("name" is not among them), or nil for an unknown
// name.
func Keys(name string) []string {
	c, err := DefaultConfig(name)
	if err != nil {
		return nil
	}
	fields := c.fields()
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

// Set sets the hyperparameter key of c to value. A float setting takes a
// float64, an int or an int64; an integer setting takes an int, an int64 or
// an integral float64 within ±2^31-1; a boolean setting a bool and a string
// setting a string. A key c's optimizer does not have, or a value of another
// type, is a *KeyError; ranges are checked by Validate, not here. Set writes
// through c's settings pointer, so configurations that share settings (plain
// copies of a Config) all see the change: Clone first to change one alone.
func (c *Config) Set(key string, value any) error {
	for _, f := range c.fields() {
		if f.key == key {
			if err := f.set(value); err != nil {
				return &KeyError{Optimizer: c.Name, Key: key, Err: fmt.Errorf("%s: %w", key, err)}
			}
			return nil
		}
	}
	return keyError(c.Name, key, "unknown key %q", key)
}

// value returns the value of the hyperparameter key of c, or nil when c has
// no such key.
func (c *Config) value(key string) any {
	for _, f := range c.fields() {
		if f.key == key {
			return reflect.ValueOf(f.ptr).Elem().Interface()
		}
	}
	return nil
}

// set stores value in the field, converting numbers as Set describes.
func (f field) set(value any) error {
	if value == nil {
		return fmt.Errorf("null is not a value")
	}
	switch p := f.ptr.(type) {
	case *float64:
		switch v := value.(type) {
		case float64:
			*p = v
		case int:
			*p = float64(v)
		case int64:
			*p = float64(v)
		default:
			return fmt.Errorf("want a number, got %s", describeValue(value))
		}
	case *int:
		var v float64
		switch x := value.(type) {
		case float64:
			v = x
		case int:
			v = float64(x)
		case int64:
			v = float64(x)
		default:
			return fmt.Errorf("want an integer, got %s", describeValue(value))
		}
		if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
			return fmt.Errorf("%v is not an integer", v)
		}
		*p = int(v)
	case *bool:
		v, ok := value.(bool)
		if !ok {
			return fmt.Errorf("want a boolean, got %s", describeValue(value))
		}
		*p = v
	case *string:
		v, ok := value.(string)
		if !ok {
			return fmt.Errorf("want a string, got %s", describeValue(value))
		}
		*p = v
	default:
		panic(fmt.Sprintf("optim: field %s has unsupported type %T", f.key, f.ptr))
	}
	return nil
}

// describeValue names the type and value of a hyperparameter value for
// messages.
func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case float64, int, int64:
		return fmt.Sprintf("number %v", x)
	}
	return fmt.Sprintf("a %T", v)
}

// Clone returns a copy of c that shares no settings with it.
func (c Config) Clone() Config {
	if c.SGD != nil {
		s := *c.SGD
		c.SGD = &s
	}
	if c.Adam != nil {
		a := *c.Adam
		c.Adam = &a
	}
	if c.NeuroPlastic != nil {
		n := *c.NeuroPlastic
		c.NeuroPlastic = &n
	}
	return c
}

// String returns c's name and every hyperparameter as key=value in
// declaration order, such as "sgd lr=0.1 momentum=0.9 weight_decay=0
// nesterov=false". Equal configurations give equal strings and different
// ones different strings, so it serves as a map key.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString(c.Name)
	for _, f := range c.fields() {
		b.WriteString(" " + f.key + "=")
		switch p := f.ptr.(type) {
		case *float64:
			b.WriteString(strconv.FormatFloat(*p, 'g', -1, 64))
		case *int:
			b.WriteString(strconv.Itoa(*p))
		case *bool:
			b.WriteString(strconv.FormatBool(*p))
		case *string:
			b.WriteString(strconv.Quote(*p))
		}
	}
	return b.String()
}
