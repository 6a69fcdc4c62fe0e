package spec

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

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
	index := map[string]int{} // arm name -> position
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
		if j, dup := index[name]; dup {
			return nil, p.errAt(deref(f["name"].val), path+".name", "duplicate arm name %q (also arms[%d])", name, j)
		}
		index[name] = i
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

// optimizer decodes an arm's optimizer mapping into its grid points: each
// starts from the optimizer's defaults (or the `from:` configuration), takes
// the point's values with optim.Config.Set and is validated.
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
	var base optim.Config
	var baseNode *yaml.Node
	if ff, ok := f["from"]; ok {
		if base, err = p.from(ff.val, path+".from", name); err != nil {
			return nil, err
		}
		name, baseNode = base.Name, deref(ff.val)
	}
	if name == "" {
		return nil, p.errAt(deref(n), path, "missing required key \"name\"")
	}
	if baseNode == nil {
		if base, err = optim.DefaultConfig(name); err != nil {
			return nil, p.errAt(deref(f["name"].val), path+".name", "%v", err)
		}
	}
	known := optim.Keys(name)
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
	}
	size := gridSize(grid) // at most maxRuns: checkRunCount counted it
	var points []Point
	seen := map[string]int{}
	for idx := range size {
		choice := gridChoice(grid, idx)
		cfg := base.Clone()
		label := arm
		for gi, g := range grid {
			if err := cfg.Set(g.key, g.vals[choice[gi]]); err != nil {
				return nil, p.blame(err, grid, choice, baseNode, deref(n), path)
			}
			if len(g.vals) > 1 {
				label += " " + g.key + "=" + formatValue(g.vals[choice[gi]])
			}
		}
		if err := cfg.Validate(); err != nil {
			return nil, p.blame(err, grid, choice, baseNode, deref(n), path)
		}
		key := cfg.String()
		if j, dup := seen[key]; dup {
			return nil, p.errAt(deref(n), path, "grid points %q and %q give the same configuration", points[j].Label, label)
		}
		seen[key] = len(points)
		points = append(points, Point{Label: label, Config: cfg})
	}
	return points, nil
}

// blame positions an error of a grid point's configuration: at the value of
// the key an optim.KeyError names (or of its related key) when the arm sets
// it, else at the `from` key when there is one, else at the optimizer
// mapping.
func (p *parser) blame(err error, grid []gridKey, choice []int, baseNode, optNode *yaml.Node, path string) error {
	var ke *optim.KeyError
	if errors.As(err, &ke) {
		for _, k := range []string{ke.Key, ke.Related} {
			if gi := slices.IndexFunc(grid, func(g gridKey) bool { return g.key == k }); k != "" && gi >= 0 {
				return p.errAt(grid[gi].nodes[choice[gi]], path+"."+k, "%v", err)
			}
		}
	}
	if baseNode != nil {
		return p.errAt(baseNode, path+".from", "%v", err)
	}
	return p.errAt(optNode, path, "%v", err)
}

// gridSize returns the number of points of a grid.
func gridSize(grid []gridKey) int {
	n := 1
	for _, g := range grid {
		n *= len(g.vals)
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
