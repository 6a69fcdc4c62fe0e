package optim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/param"
)

// goldenCase is one file of testdata/golden, produced by the reference
// implementation (testdata/README.md; the update is in docs/algorithm.md,
// section 1). Keys other than these are ignored.
// TotalEpochs, the run length the optimizer is built for, is 1 when the
// case leaves it out, as in the reference's own runner.
type goldenCase struct {
	Optimizer   json.RawMessage `json:"optimizer"`
	TotalEpochs int             `json:"total_epochs"`
	Params      []struct {
		Name  string    `json:"name"`
		Shape []int     `json:"shape"`
		Data  []float32 `json:"data"`
	} `json:"params"`
	Steps []struct {
		Epoch  int         `json:"epoch"`
		Grads  [][]float32 `json:"grads"`
		Expect [][]float32 `json:"expect"`
	} `json:"steps"`
	Tolerance struct {
		Abs float64 `json:"abs"`
		Rel float64 `json:"rel"`
	} `json:"tolerance"`
}

// TestGolden replays every reference case in testdata/golden: decode the
// optimizer strictly, apply each step's gradients at its epoch, and compare
// every parameter elementwise within the case's own tolerance
// (|got - expect| <= abs + rel*|expect|; the files use 2e-6 or 5e-6, the
// float32 rounding of reductions done in another order than torch's).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden cases in testdata/golden")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var gc goldenCase
			if err := json.Unmarshal(raw, &gc); err != nil {
				t.Fatal(err)
			}
			cfg, err := DecodeConfig(gc.Optimizer)
			if err != nil {
				t.Fatal(err)
			}
			if gc.Tolerance.Abs <= 0 && gc.Tolerance.Rel <= 0 {
				t.Fatal("case has no tolerance")
			}
			params := make([]*param.Param, len(gc.Params))
			for i, p := range gc.Params {
				params[i] = &param.Param{Name: p.Name, Shape: p.Shape, Data: p.Data, Grad: make([]float32, len(p.Data))}
			}
			total := gc.TotalEpochs
			if total == 0 {
				total = 1
			}
			opt, err := New(params, cfg, total)
			if err != nil {
				t.Fatal(err)
			}
			if len(gc.Steps) == 0 {
				t.Fatal("case has no steps")
			}
			// worst is the largest |got - expect| as a fraction of its
			// tolerance, logged to show how much headroom a change leaves.
			var worst, worstDiff float64
			for s, st := range gc.Steps {
				if len(st.Grads) != len(params) || len(st.Expect) != len(params) {
					t.Fatalf("step %d: %d grads and %d expects for %d params", s, len(st.Grads), len(st.Expect), len(params))
				}
				for i, p := range params {
					if copy(p.Grad, st.Grads[i]) != len(p.Grad) || len(st.Grads[i]) != len(p.Grad) {
						t.Fatalf("step %d: %s: %d grads for %d values", s, p.Name, len(st.Grads[i]), len(p.Grad))
					}
				}
				if err := opt.Step(st.Epoch); err != nil {
					t.Fatalf("step %d: %v", s, err)
				}
				bad := 0
				for i, p := range params {
					if len(st.Expect[i]) != len(p.Data) {
						t.Fatalf("step %d: %s: %d expected values for %d", s, p.Name, len(st.Expect[i]), len(p.Data))
					}
					for j, want := range st.Expect[i] {
						got := float64(p.Data[j])
						w := float64(want)
						d, tol := abs64(got-w), gc.Tolerance.Abs+gc.Tolerance.Rel*abs64(w)
						if d/tol > worst {
							worst, worstDiff = d/tol, d
						}
						if !(d <= tol) {
							if bad < 5 {
								t.Errorf("step %d (epoch %d): %s[%d] = %.9g, want %.9g (diff %.3g)", s, st.Epoch, p.Name, j, got, w, d)
							}
							bad++
						}
					}
				}
				if bad > 0 {
					t.Fatalf("step %d: %d values out of tolerance", s, bad)
				}
			}
			t.Logf("max deviation %.3g (%.3f of tolerance)", worstDiff, worst)
		})
	}
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
