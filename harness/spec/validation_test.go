package spec

import (
	"strings"
	"testing"
)

// TestValidationKey checks that `validation` sets every run's hold-out and
// changes its ID, that 0 (the default) leaves the IDs of the spec without
// the key, and that bad values are errors at the key's line.
func TestValidationKey(t *testing.T) {
	plain, err := Parse("x.yaml", []byte(base), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := plain.Expand()[0]
	for _, c := range []struct {
		name, line string
		set        []string
		holdout    float64
		err        string // "" for valid
	}{
		{"zero is the default", "validation: 0\n", nil, 0, ""},
		{"a tenth", "validation: 0.1\n", nil, 0.1, ""},
		{"by --set", "", []string{"validation=0.2"}, 0.2, ""},
		{"whole set", "validation: 1\n", nil, 0, "x.yaml:8: validation: 1 out of range [0, 1)"},
		{"negative", "validation: -0.1\n", nil, 0, "x.yaml:8: validation: -0.1 out of range [0, 1)"},
		{"not a number", "validation: some\n", nil, 0, "x.yaml:8: validation: want a number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(base, "arms:\n", c.line+"arms:\n", 1)
			s, err := Parse("x.yaml", []byte(src), Options{Set: c.set})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			j := s.Expand()[0]
			if j.Config.Holdout != c.holdout {
				t.Errorf("hold-out %v, want %v", j.Config.Holdout, c.holdout)
			}
			if same := j.ID == want.ID; same != (c.holdout == 0) {
				t.Errorf("ID %s, without the key %s: a hold-out of %v must change it exactly when it is not 0", j.ID, want.ID, c.holdout)
			}
		})
	}
}
