package models_test

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/models"
	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// ExampleNew builds the preprint's MNIST network for batches of up to two
// examples, lists its parameters and trains one step on a batch of blank
// images.
func ExampleNew() {
	net, err := models.New("mlp", 2, 42, kernel.New(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(net.Name(), net.InputShape(), net.ForwardFLOPs(), "FLOPs per example")
	for _, p := range net.Params() {
		fmt.Println(p.Name, p.Shape)
	}
	x := make([]float32, 2*28*28)              // two blank 1x28x28 images, NCHW
	loss, _ := net.TrainStep(x, []uint8{3, 7}) // gradients now in each p.Grad
	fmt.Printf("loss %.1f\n", loss)
	// Output:
	// mlp [1 28 28] 537600 FLOPs per example
	// fc1.weight [256 784]
	// fc1.bias [256]
	// fc2.weight [256 256]
	// fc2.bias [256]
	// fc3.weight [10 256]
	// fc3.bias [10]
	// loss 2.3
}
