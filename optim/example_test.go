package optim_test

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/models/param"
	"github.com/neuroplastic/neuroplastic/optim"
)

// ExampleNew builds the preprint's locked NeuroPlastic configuration with
// one hyperparameter changed by its canonical key, binds it to a parameter
// for a run of 10 epochs and takes one step.
func ExampleNew() {
	cfg := optim.PaperConfig()
	if err := cfg.Set("max_update_norm", 0.5); err != nil {
		fmt.Println(err)
		return
	}
	w := &param.Param{Name: "w", Shape: []int{3}, Data: []float32{1, 2, 3}, Grad: []float32{0.5, -1, 2}}
	opt, err := optim.New([]*param.Param{w}, cfg, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := opt.Step(1); err != nil { // a step of epoch 1
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", w.Data)

	// A key the optimizer does not have is a KeyError naming it.
	err = cfg.Set("momentum", 0.9)
	fmt.Println(err)
	// Output:
	// [0.9970 2.0121 2.9517]
	// optim: neuroplastic: unknown key "momentum"
}
