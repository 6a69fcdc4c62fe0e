// Package models implements the three networks of the NeuroPlastic preprint
// (mlp, small_cnn and resnet18) in float32 with exact backward passes.
//
// A Net owns its parameters (param.Param, in a fixed order with PyTorch's
// names), its BatchNorm running statistics and every activation, gradient
// and workspace buffer, allocated once by New for a maximum batch size; a
// training step reuses them. Activations are NCHW. The layers (Linear,
// Conv2d, BatchNorm2d, ReLU, MaxPool2d, global average pooling, Dropout,
// Flatten, the residual BasicBlock and softmax cross-entropy) are unexported
// building blocks; every matrix multiply runs on the model's kernel.Engine.
//
// Randomness comes only from rng.Stream: the initial weights from
// (seed, "init", 0), dropout masks from (seed, "dropout", epoch), whose
// generator kernel.Dropout runs on its own copy of the state. Given the
// same inputs a Net computes bit-identical results: every reduction runs in
// a fixed order.
//
// Programmer errors (a batch larger than the maximum, an input of the wrong
// length, a label out of range, a shape mismatch between layers) panic with
// a message naming the model or layer and the shapes involved.
package models
