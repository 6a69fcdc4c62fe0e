package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is one part of a sweep split across processes: run k of the
// expanded order belongs to shard k mod N.
type Shard struct {
	I, N int
}

// ParseShard parses "i/n" with 0 <= i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("spec: bad shard %q: want i/n with 0 <= i < n", s)
	}
	return Shard{I: i, N: n}, nil
}

// Has reports whether job belongs to the shard. The zero Shard has every job.
func (sh Shard) Has(j Job) bool { return sh.N <= 1 || j.Index%sh.N == sh.I }

// Filter selects jobs by --only: a comma-separated list of key=value
// conditions. Keys: arm (exact), label (substring), dataset, model (exact),
// seed, fraction (numeric equality) and id (prefix). A job matches when, for
// every key given, it matches at least one of that key's values; so
// "arm=full,seed=41,seed=42" is the full arm at seeds 41 or 42. The zero
// Filter matches every job.
type Filter struct {
	src   string // the --only value
	conds map[string][]string
}

// filterKeys are the keys --only accepts.
var filterKeys = []string{"arm", "label", "dataset", "model", "seed", "fraction", "id"}

// ParseFilter parses an --only value; "" is the zero Filter.
func ParseFilter(s string) (Filter, error) {
	f := Filter{src: s, conds: map[string][]string{}}
	if s == "" {
		return f, nil
	}
	for _, c := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(c), "=")
		if !ok || v == "" {
			return f, fmt.Errorf("spec: --only %s: %q is not key=value", s, c)
		}
		if !slices.Contains(filterKeys, k) {
			return f, fmt.Errorf("spec: --only %s: unknown key %q (want one of %s)", s, k, strings.Join(filterKeys, ", "))
		}
		switch k {
		case "seed":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return f, fmt.Errorf("spec: --only %s: seed %q is not an integer", s, v)
			}
		case "fraction":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return f, fmt.Errorf("spec: --only %s: fraction %q is not a number", s, v)
			}
		}
		f.conds[k] = append(f.conds[k], v)
	}
	return f, nil
}

// Match reports whether j passes the filter.
func (f Filter) Match(j Job) bool {
	c := j.Config
	for k, vals := range f.conds {
		if !slices.ContainsFunc(vals, func(v string) bool {
			switch k {
			case "arm":
				return c.Arm == v
			case "label":
				return strings.Contains(c.Label, v)
			case "dataset":
				return c.Dataset == v
			case "model":
				return c.Model == v
			case "seed":
				n, _ := strconv.ParseInt(v, 10, 64)
				return c.Seed == n
			case "fraction":
				x, _ := strconv.ParseFloat(v, 64)
				return c.Fraction == x
			}
			return strings.HasPrefix(j.ID, v)
		}) {
			return false
		}
	}
	return true
}

// Select returns the jobs of the shard that pass the filter, in order. A
// filter that matches none of jobs (in any shard) is an error that lists
// the values each key can take, so a typo is not mistaken for a finished
// sweep; a shard left empty by a filter is not an error.
func Select(jobs []Job, sh Shard, f Filter) ([]Job, error) {
	var out []Job
	matched := false
	for _, j := range jobs {
		if f.Match(j) {
			matched = true
			if sh.Has(j) {
				out = append(out, j)
			}
		}
	}
	if !matched && len(jobs) > 0 {
		return nil, fmt.Errorf("spec: --only %s matches none of the %d runs; the runs have\n%s", f.src, len(jobs), filterValues(jobs))
	}
	return out, nil
}

// maxListed is how many values of one key filterValues lists.
const maxListed = 20

// filterValues lists, per --only key, the values the jobs have, one key per
// indented line.
func filterValues(jobs []Job) string {
	var b strings.Builder
	for _, k := range filterKeys {
		if k == "id" {
			fmt.Fprintf(&b, "  id: a prefix of a run ID, such as %s (`neuroplastic plan` lists them)", jobs[0].ID)
			continue
		}
		var vals []string
		seen := map[string]bool{}
		for _, j := range jobs {
			if v := filterValue(j, k); !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
		more := ""
		if len(vals) > maxListed {
			more = fmt.Sprintf(", ... (%d in all)", len(vals))
			vals = vals[:maxListed]
		}
		if k == "label" {
			k = "label (substring)"
		}
		fmt.Fprintf(&b, "  %s: %s%s\n", k, strings.Join(vals, ", "), more)
	}
	return b.String()
}

// filterValue returns the value of the --only key k (not "id") of j, as
// filterValues lists it.
func filterValue(j Job, k string) string {
	c := j.Config
	switch k {
	case "arm":
		return c.Arm
	case "label":
		return c.Label
	case "dataset":
		return c.Dataset
	case "model":
		return c.Model
	case "seed":
		return strconv.FormatInt(c.Seed, 10)
	}
	return strconv.FormatFloat(c.Fraction, 'g', -1, 64)
}
