package optim

import "github.com/neuroplastic/neuroplastic/models/param"

// The controller groups of docs/algorithm.md: a tensor's group sets which
// mean of signals its layerwise multiplier follows. The reference also
// names a "stem" group, for tensors in none of these, but with its rules
// every tensor falls in one of the three.
const (
	groupEarly      = iota // early_blocks: i < early_cut
	groupLate              // late_blocks: early_cut <= i < cs
	groupClassifier        // classifier: the last two tensors, i >= cs
	numGroups
)

// groupNames are the groups' names in the diagnostics.
var groupNames = [numGroups]string{"early_blocks", "late_blocks", "classifier"}

// The parameter bands of the stabiliser's target, by flat tensor index.
const (
	bandEarly = iota
	bandMiddle
	bandLate
)

// tensorRole is what the structures fixed at construction say of one
// tensor: its band, whether the modulation's layer scope includes it, and
// its controller group.
type tensorRole struct {
	band    int
	inScope bool
	group   int
}

// roles returns the role of each of params, in order, under the canonical
// layer scope. With N tensors: bands e = ceil(N/3) and m = ceil(2N/3) (i <
// e early, i < m middle, else late); cs = max(N-2, 0) tensors before the
// classifier, early_cut = ceil(cs/2), late_start = floor(cs/2). So with an
// odd cs the middle tensor is in both block scopes and in the early group.
func roles(params []*param.Param, layerScope string) []tensorRole {
	n := len(params)
	e, m := (n+2)/3, (2*n+2)/3
	cs := max(n-2, 0)
	earlyCut, lateStart := (cs+1)/2, cs/2
	out := make([]tensorRole, n)
	for i, p := range params {
		r := &out[i]
		switch {
		case i < e:
			r.band = bandEarly
		case i < m:
			r.band = bandMiddle
		default:
			r.band = bandLate
		}
		switch {
		case i >= cs:
			r.group = groupClassifier
		case i < earlyCut:
			r.group = groupEarly
		default:
			r.group = groupLate
		}
		switch layerScope {
		case ScopeAll:
			r.inScope = true
		case ScopeConvOnly:
			r.inScope = len(p.Shape) == 4
		case ScopeClassifierOnly:
			r.inScope = i >= cs
		case ScopeEarlyBlocks:
			r.inScope = i < earlyCut
		case ScopeLateBlocks:
			r.inScope = lateStart <= i && i < cs
		default:
			panic("optim: neuroplastic: unresolved layer scope " + layerScope)
		}
	}
	return out
}

// bandScales returns the stabiliser target multipliers of the three bands.
func (o *VariantOptions) bandScales() [3]float64 {
	return [3]float64{o.EarlyTargetRMSScale, o.MiddleTargetRMSScale, o.LateTargetRMSScale}
}
