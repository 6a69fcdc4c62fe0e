//go:build !amd64 || purego

package kernel

// supportedVariants lists the variants this CPU can run, fastest first: only
// the portable one on this architecture.
func supportedVariants() []*variant {
	return []*variant{&goVariant}
}
