package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses src into its root node, rewriting the YAML library's
// "yaml: line N: msg" errors as "name:N: msg".
func parseYAML(name string, src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("spec: %s: empty spec", name)
	}
	if err == nil {
		var extra yaml.Node
		if dec.Decode(&extra) != io.EOF {
			return nil, fmt.Errorf("spec: %s:%d: more than one YAML document", name, extra.Line)
		}
	}
	if err != nil {
		if m := yamlLineErr.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("spec: %s:%s: %s", name, m[1], m[2])
		}
		return nil, fmt.Errorf("spec: %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return doc.Content[0], nil
}

// recoverYAML turns a panic of the YAML library on malformed input into an
// error in *err; deferred by the functions that decode a spec.
func recoverYAML(name string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("spec: %s: malformed YAML: %v", name, r)
	}
}

// parser walks a spec's node tree. origin maps the nodes that came from a
// --set override to that override, so errors can name it instead of a line.
type parser struct {
	file       string
	origin     map[*yaml.Node]string
	results    string // the results directory, for `from: selected`
	unselected bool   // see Options.Unselected
	applyQuick bool   // the quick profile will be applied
}

// errAt returns an error positioned at node n with the field path.
func (p *parser) errAt(n *yaml.Node, path, format string, args ...any) error {
	pos := p.origin[n]
	if pos == "" {
		pos = fmt.Sprintf("%s:%d", p.file, n.Line)
	}
	if path != "" {
		pos += ": " + path
	}
	return fmt.Errorf("spec: %s: %s", pos, fmt.Sprintf(format, args...))
}

// field is a mapping entry: its key node and value node.
type field struct {
	key, val *yaml.Node
}

// mapping checks that n is a mapping with string keys, no key twice and
// (when known is not nil) only known keys, and returns its entries by key
// and the keys in order.
func (p *parser) mapping(n *yaml.Node, path string, known []string, what string) (map[string]field, []string, error) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, nil, p.errAt(n, path, "want a mapping, got %s", describe(n))
	}
	fields := map[string]field{}
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, nil, p.errAt(k, path, "want a string key, got %s", describe(k))
		}
		if f, dup := fields[k.Value]; dup {
			return nil, nil, p.errAt(k, path, "duplicate key %q (first at line %d)", k.Value, f.key.Line)
		}
		if known != nil && !slices.Contains(known, k.Value) {
			return nil, nil, p.errAt(k, path, "unknown key %q%s", k.Value, what)
		}
		fields[k.Value] = field{k, v}
		order = append(order, k.Value)
	}
	return fields, order, nil
}

// deref resolves a YAML alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names the type of n for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		names := map[string]string{"!!str": "string", "!!int": "integer", "!!float": "number", "!!bool": "boolean", "!!null": "null"}
		if t, ok := names[n.ShortTag()]; ok {
			return fmt.Sprintf("%s %q", t, n.Value)
		}
		return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
	}
	return "an unsupported node"
}

// scalar decodes the scalar node n as a string, int64, float64 or bool, per
// its tag. Non-finite numbers and nulls are errors.
func (p *parser) scalar(n *yaml.Node, path string) (any, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return nil, p.errAt(n, path, "want a scalar, got %s", describe(n))
	}
	switch n.ShortTag() {
	case "!!str":
		return n.Value, nil
	case "!!bool":
		var b bool
		return b, p.decode(n, path, &b)
	case "!!int":
		var i int64
		return i, p.decode(n, path, &i)
	case "!!float":
		var f float64
		if err := p.decode(n, path, &f); err != nil {
			return nil, err
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, p.errAt(n, path, "want a finite number, got %q", n.Value)
		}
		return f, nil
	}
	return nil, p.errAt(n, path, "want a scalar value, got %s", describe(n))
}

// decode decodes n into v, positioning any error.
func (p *parser) decode(n *yaml.Node, path string, v any) error {
	if err := n.Decode(v); err != nil {
		return p.errAt(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// str decodes a string scalar.
func (p *parser) str(n *yaml.Node, path string) (string, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", p.errAt(n, path, "want a string, got %s", describe(n))
	}
	return n.Value, nil
}

// integer decodes an integer scalar in [lo, hi].
func (p *parser) integer(n *yaml.Node, path string, lo, hi int64) (int64, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, p.errAt(n, path, "want an integer, got %s", describe(n))
	}
	var v int64
	if err := p.decode(n, path, &v); err != nil {
		return 0, err
	}
	if v < lo || v > hi {
		return 0, p.errAt(n, path, "%d out of range [%d, %d]", v, lo, hi)
	}
	return v, nil
}

// number decodes an integer or float scalar as a float64.
func (p *parser) number(n *yaml.Node, path string) (float64, error) {
	v, err := p.scalar(n, path)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, p.errAt(deref(n), path, "want a number, got %s", describe(deref(n)))
}

// unitFraction decodes an integer or float scalar in (0, 1].
func (p *parser) unitFraction(n *yaml.Node, path string) (float64, error) {
	f, err := p.number(n, path)
	if err != nil {
		return 0, err
	}
	if !(f > 0 && f <= 1) {
		return 0, p.errAt(deref(n), path, "%v out of range (0, 1]", f)
	}
	return f, nil
}

// axis decodes a scalar-or-list axis with elem, rejecting an empty list and
// repeated values, in time linear in the list's length.
func axis[T comparable](p *parser, n *yaml.Node, path string, elem func(*yaml.Node, string) (T, error)) ([]T, error) {
	n = deref(n)
	count := 1
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			return nil, p.errAt(n, path, "empty list")
		}
		count = len(n.Content)
	}
	out := make([]T, 0, count)
	seen := make(map[T]bool, count)
	for i := range count {
		it, ipath := axisItem(n, path, i)
		v, err := elem(it, ipath)
		if err != nil {
			return nil, err
		}
		if seen[v] {
			return nil, p.errAt(deref(it), ipath, "%v listed twice", v)
		}
		seen[v] = true
		out = append(out, v)
	}
	return out, nil
}

// axisItem returns item i of the axis node n and its field path: the list
// element path[i], or n itself when the axis is a scalar.
func axisItem(n *yaml.Node, path string, i int) (*yaml.Node, string) {
	if n = deref(n); n.Kind == yaml.SequenceNode {
		return n.Content[i], fmt.Sprintf("%s[%d]", path, i)
	}
	return n, path
}

// oneOf returns an element decoder for a string from names.
func (p *parser) oneOf(names []string) func(*yaml.Node, string) (string, error) {
	return func(n *yaml.Node, path string) (string, error) {
		s, err := p.str(n, path)
		if err != nil {
			return "", err
		}
		if !slices.Contains(names, s) {
			return "", p.errAt(deref(n), path, "unknown %q (want one of %s)", s, strings.Join(names, ", "))
		}
		return s, nil
	}
}

// intIn returns an element decoder for an integer in [lo, hi].
func intIn[T int | int64](p *parser, lo, hi int64) func(*yaml.Node, string) (T, error) {
	return func(n *yaml.Node, path string) (T, error) {
		v, err := p.integer(n, path, lo, hi)
		return T(v), err
	}
}
