package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/neuroplastic/neuroplastic/optim"
)

// arms decodes the arms list.
func (p *parser) arms(n *yaml.Node, armSets map[string][]string) ([]Arm, error) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		return nil, p.errAt(n, "arms", "want a list, got %s", describe(n))
	}
	if len(n.Content) == 0 {
		return nil, p.errAt(n, "arms", "empty list: a spec needs at least one arm")
	}
	var arms []Arm
	for i, an := range n.Content {
		path := fmt.Sprintf("arms[%d]", i)
		f, _, err := p.mapping(an, path, []string{"name", "optimizer"}, "")
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"name", "optimizer"} {
			if _, ok := f[k]; !ok {
				return nil, p.errAt(deref(an), path, "missing required key %q", k)
			}
		}
		name, err := p.str(f["name"].val, path+".name")
		if err != nil {
			return nil, err
		}
		if !namePattern.MatchString(name) {
			return nil, p.errAt(deref(f["name"].val), path+".name", "%q must match [a-z0-9_]+", name)
		}
		if j := slices.IndexFunc(arms, func(a Arm) bool { return a.Name == name }); j >= 0 {
			return nil, p.errAt(deref(f["name"].val), path+".name", "duplicate arm name %q (also arms[%d])", name, j)
		}
		points, err := p.optimizer(f["optimizer"].val, path+".optimizer", name)
		if err != nil {
			return nil, err
		}
		arms = append(arms, Arm{Name: name, Points: points, Overrides: slices.Concat(armSets[""], armSets[name])})
	}
	return arms, nil
}

// gridKey is one hyperparameter of an arm: its values (one unless a grid)
// and the nodes they came from, for error positions.
type gridKey struct {
	key   string
	vals  []any
	nodes []*yaml.Node
}

// optimizer decodes an arm's optimizer mapping into its grid points, each
// validated by optim.DecodeConfig.
func (p *parser) optimizer(n *yaml.Node, path, arm string) ([]Point, error) {
	f, order, err := p.mapping(n, path, nil, "")
	if err != nil {
		return nil, err
	}
	name := ""
	if nf, ok := f["name"]; ok {
		if name, err = p.str(nf.val, path+".name"); err != nil {
			return nil, err
		}
	}
	var base []kv
	var baseNode *yaml.Node
	if ff, ok := f["from"]; ok {
		if base, err = p.from(ff.val, path+".from", &name); err != nil {
			return nil, err
		}
		baseNode = deref(ff.val)
	}
	if name == "" {
		return nil, p.errAt(deref(n), path, "missing required key \"name\"")
	}
	known, err := canonicalKeys(name)
	if err != nil {
		pos := deref(n)
		if nf, ok := f["name"]; ok {
			pos = deref(nf.val)
		}
		return nil, p.errAt(pos, path+".name", "%v", err)
	}
	var grid []gridKey
	for _, k := range order {
		if k == "name" || k == "from" {
			continue
		}
		kpath := path + "." + k
		if !slices.Contains(known, k) {
			return nil, p.errAt(f[k].key, path, "unknown key %q for %s", k, name)
		}
		g := gridKey{key: k}
		v := deref(f[k].val)
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			if len(v.Content) == 0 {
				return nil, p.errAt(v, kpath, "empty list")
			}
			items = v.Content
		}
		for _, it := range items {
			x, err := p.scalar(it, kpath)
			if err != nil {
				return nil, err
			}
			g.vals = append(g.vals, x)
			g.nodes = append(g.nodes, deref(it))
		}
		grid = append(grid, g)
		base = slices.DeleteFunc(base, func(b kv) bool { return b.key == k })
	}
	size := gridSize(grid)
	if size > maxRuns {
		return nil, p.errAt(deref(n), path, "the grid has more than %d points", maxRuns)
	}
	var points []Point
	seen := map[string]int{}
	for idx := range size {
		choice := gridChoice(grid, idx)
		obj := append([]kv{{"name", name}}, base...)
		label := arm
		for gi, g := range grid {
			obj = append(obj, kv{g.key, g.vals[choice[gi]]})
			if len(g.vals) > 1 {
				label += " " + g.key + "=" + formatValue(g.vals[choice[gi]])
			}
		}
		raw, err := objectJSON(obj)
		if err != nil {
			return nil, p.errAt(deref(n), path, "%v", err)
		}
		cfg, err := optim.DecodeConfig(raw)
		if err != nil {
			return nil, p.blame(err, grid, choice, baseNode, deref(n), path)
		}
		canon, err := cfg.MarshalJSON()
		if err != nil {
			return nil, p.errAt(deref(n), path, "%v", err)
		}
		if j, dup := seen[string(canon)]; dup {
			return nil, p.errAt(deref(n), path, "grid points %q and %q give the same configuration", points[j].Label, label)
		}
		seen[string(canon)] = len(points)
		points = append(points, Point{Label: label, Config: cfg})
	}
	return points, nil
}

// blame positions an optim.DecodeConfig error at the value of the key it
// names (the longest key named in the message), or at the `from` key for a
// key filled in by it, or else at the optimizer mapping.
func (p *parser) blame(err error, grid []gridKey, choice []int, baseNode, optNode *yaml.Node, path string) error {
	msg := err.Error()
	best := -1
	for gi, g := range grid {
		if mentions(msg, g.key) && (best < 0 || len(g.key) > len(grid[best].key)) {
			best = gi
		}
	}
	if best >= 0 {
		g := grid[best]
		return p.errAt(g.nodes[choice[best]], path+"."+g.key, "%v", err)
	}
	if baseNode != nil {
		return p.errAt(baseNode, path+".from", "%v", err)
	}
	return p.errAt(optNode, path, "%v", err)
}

// mentions reports whether msg contains key as a whole word.
func mentions(msg, key string) bool {
	for i := 0; ; {
		j := strings.Index(msg[i:], key)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(key)
		if (j == 0 || !isWordByte(msg[j-1])) && (end == len(msg) || !isWordByte(msg[end])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// gridSize returns the number of points of a grid, or maxRuns+1 if it has
// more than maxRuns.
func gridSize(grid []gridKey) int {
	n := 1
	for _, g := range grid {
		n = min(n*len(g.vals), maxRuns+1)
	}
	return n
}

// gridChoice returns the value index per key of grid point idx; the first
// key varies slowest.
func gridChoice(grid []gridKey, idx int) []int {
	c := make([]int, len(grid))
	for i := len(grid) - 1; i >= 0; i-- {
		c[i] = idx % len(grid[i].vals)
		idx /= len(grid[i].vals)
	}
	return c
}

// formatValue renders a hyperparameter value for a label.
func formatValue(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// objectJSON encodes an ordered list of keys and values as a JSON object.
func objectJSON(obj []kv) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range obj {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.key)
		v, err := json.Marshal(e.val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// canonicalKeys returns the hyperparameter keys of optimizer name: the keys
// of its canonical JSON with every default filled in, less "name".
func canonicalKeys(name string) ([]string, error) {
	raw, err := objectJSON([]kv{{"name", name}})
	if err != nil {
		return nil, err
	}
	cfg, err := optim.DecodeConfig(raw)
	if err != nil {
		return nil, err
	}
	canon, err := cfg.MarshalJSON()
	if err != nil {
		return nil, err
	}
	keys, err := jsonObjectKeys(canon)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(keys, func(k string) bool { return k == "name" }), nil
}

// jsonObjectKeys returns the keys of a JSON object in document order.
func jsonObjectKeys(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
