// Package param holds the one type shared by the models, the optimizers and
// the harness: a named trainable tensor with its gradient.
package param

// Param is a trainable tensor: its values and the gradient of the loss with
// respect to them. Data and Grad have the same length, the product of Shape.
// Models own the slices; optimizers update Data in place and only read Grad.
type Param struct {
	Name  string    // stable name such as "fc1.weight"; part of the checkpoint format
	Shape []int     // logical shape, e.g. [out, in] or [out, in, kh, kw]
	Data  []float32 // values
	Grad  []float32 // gradient, written by the model's backward pass
}

// Numel returns the number of elements of p.
func (p *Param) Numel() int { return len(p.Data) }
