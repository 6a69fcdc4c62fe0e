package spec

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// applySets applies --set overrides to the spec's node tree (see Parse)
// and returns, per arm name ("" for every arm), the overrides that apply to
// it. Nodes an override adds are recorded in p.origin. A tree too malformed
// to apply an override to is left alone: validation reports it.
func (p *parser) applySets(root *yaml.Node, sets []string) (map[string][]string, error) {
	armSets := map[string][]string{}
	root = deref(root)
	if root.Kind != yaml.MappingNode {
		return armSets, nil
	}
	for _, s := range sets {
		key, val, ok := strings.Cut(s, "=")
		if !ok || key == "" || val == "" {
			return nil, fmt.Errorf("spec: --set %s: want key=value", s)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(val), &doc); err != nil || len(doc.Content) == 0 {
			return nil, fmt.Errorf("spec: --set %s: value is not valid YAML", s)
		}
		vn := doc.Content[0]
		p.mark(vn, s)
		head, sub, dotted := strings.Cut(key, ".")
		switch {
		case !dotted && slices.Contains(topKeys, key):
			if key == "arms" || key == "report" || key == "quick" {
				return nil, fmt.Errorf("spec: --set %s: %q is not a scalar (set one of its keys, e.g. quick.epochs=1)", s, key)
			}
			p.setKey(root, key, vn, s)
			armSets[""] = append(armSets[""], s)
		case dotted && (head == "quick" || head == "report"):
			p.setKey(p.child(root, head, s), sub, vn, s)
			armSets[""] = append(armSets[""], s)
		case dotted:
			opt := armOptimizers(root)[head]
			if opt == nil {
				return nil, fmt.Errorf("spec: --set %s: no arm named %q", s, head)
			}
			p.setKey(opt, sub, vn, s)
			armSets[head] = append(armSets[head], s)
		default:
			for _, opt := range armOptimizers(root) {
				p.setKey(opt, key, vn, s)
			}
			armSets[""] = append(armSets[""], s)
		}
	}
	return armSets, nil
}

// mark records the override set as the origin of n and every node below it.
func (p *parser) mark(n *yaml.Node, set string) {
	p.origin[n] = "--set " + set
	for _, c := range n.Content {
		p.mark(c, set)
	}
}

// setKey sets key of mapping m to v, adding the key if absent. A nil or
// non-mapping m is left alone.
func (p *parser) setKey(m *yaml.Node, key string, v *yaml.Node, set string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if deref(m.Content[i]).Value == key {
			m.Content[i+1] = v
			return
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	p.mark(k, set)
	m.Content = append(m.Content, k, v)
}

// child returns the mapping under key of m, creating an empty one if absent.
func (p *parser) child(m *yaml.Node, key, set string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if deref(m.Content[i]).Value == key {
			return deref(m.Content[i+1])
		}
	}
	c := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	p.mark(c, set)
	p.setKey(m, key, c, set)
	return c
}

// armOptimizers returns the optimizer mapping of each well-formed arm of the
// root mapping, by arm name.
func armOptimizers(root *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	var arms *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if deref(root.Content[i]).Value == "arms" {
			arms = deref(root.Content[i+1])
		}
	}
	if arms == nil || arms.Kind != yaml.SequenceNode {
		return out
	}
	for _, a := range arms.Content {
		a = deref(a)
		if a.Kind != yaml.MappingNode {
			continue
		}
		var name string
		var opt *yaml.Node
		for i := 0; i+1 < len(a.Content); i += 2 {
			switch deref(a.Content[i]).Value {
			case "name":
				name = deref(a.Content[i+1]).Value
			case "optimizer":
				opt = deref(a.Content[i+1])
			}
		}
		if name != "" && opt != nil && out[name] == nil {
			out[name] = opt
		}
	}
	return out
}
