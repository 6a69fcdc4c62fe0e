package models

// smallCNN builds the reference's CIFAR network on 3x32x32 inputs: Conv
// 3->32 3x3 pad 1, ReLU, Conv 32->64 3x3 pad 1, ReLU, MaxPool 2, Conv
// 64->128 3x3 pad 1, ReLU, MaxPool 2, Flatten, Linear 8192->256, ReLU,
// Dropout 0.2, Linear 256->10 (2,193,226 parameters); the first ReLU is
// one layer with its convolution, the next two each one with the MaxPool
// after it, the last one with the Dropout after it. Parameters, in order: conv1.weight [32 3 3 3], conv1.bias,
// conv2.weight [64 32 3 3], conv2.bias, conv3.weight [128 64 3 3],
// conv3.bias, fc1.weight [256 8192], fc1.bias, fc2.weight [10 256],
// fc2.bias.
func smallCNN(b *builder, in shape) []layer {
	st := stack{b: b}
	s := st.add(b.convReLU("conv1", in, 32, 3, 1, 1, true))
	s = st.add(b.conv("conv2", s, 64, 3, 1, 1, true))
	s = st.add(b.reluMaxPool("pool1", s, 2, 2))
	s = st.add(b.conv("conv3", s, 128, 3, 1, 1, true))
	s = st.add(b.reluMaxPool("pool2", s, 2, 2))
	s = st.add(b.flatten("flatten", s))
	s = st.add(b.linear("fc1", s.size(), 256))
	s = st.add(b.reluDropout("relu4", "drop1", s, 0.2))
	st.add(b.linear("fc2", s.size(), 10))
	return st.layers
}
