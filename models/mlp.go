package models

// mlp builds the preprint's MNIST network on 1x28x28 inputs: Flatten,
// Linear 784->256, ReLU, Dropout 0.1, Linear 256->256, ReLU, Dropout 0.1,
// Linear 256->10 (269,322 parameters); each ReLU is one layer with the
// Dropout after it. Parameters, in order: fc1.weight
// [256 784], fc1.bias, fc2.weight [256 256], fc2.bias, fc3.weight [10 256],
// fc3.bias.
func mlp(b *builder, in shape) []layer {
	st := stack{b: b}
	s := st.add(b.flatten("flatten", in))
	s = st.add(b.linear("fc1", s.size(), 256))
	s = st.add(b.reluDropout("relu1", "drop1", s, 0.1))
	s = st.add(b.linear("fc2", s.size(), 256))
	s = st.add(b.reluDropout("relu2", "drop2", s, 0.1))
	st.add(b.linear("fc3", s.size(), 10))
	return st.layers
}
