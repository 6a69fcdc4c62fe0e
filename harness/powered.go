package harness

import (
	"fmt"
	"slices"

	"github.com/neuroplastic/neuroplastic/harness/report"
	"github.com/neuroplastic/neuroplastic/harness/spec"
)

// PoweredProtocol is the seed count of the committed powered protocol
// (`make reproduce SEEDS=10`): the paper protocol's README shows the claims
// of a powered protocol with this many seeds beside its own when the
// powered results have no records to tell their seed count.
const PoweredProtocol = 10

// Jobs returns the runs of sp under the protocol with seeds seeds (0: the
// paper protocol's, from the spec): sp.Expand(), restricted by poweredJobs
// when seeds > 0. sp must be loaded with WithSeeds(sets, seeds).
func Jobs(sp *spec.Spec, seeds int) []spec.Job {
	jobs := sp.Expand()
	if seeds > 0 {
		jobs = poweredJobs(sp, jobs)
	}
	return jobs
}

// poweredJobs returns the runs of sp's expansion jobs that the powered
// protocol trains (docs/specs.md, "The powered protocol"): all of them,
// except in a study whose report kind is tuning, where only the
// configurations named by its claims, comparisons and reference run. There
// an arm name that also holds the reference stands for the reference
// alone (the grid is for the paper protocol's ranking, and more seeds
// power the comparison of the reference configuration), unless a claim or
// comparison with select_on names it: choosing needs the whole arm.
func poweredJobs(sp *spec.Spec, jobs []spec.Job) []spec.Job {
	o := sp.Report
	if o.Kind != report.KindTuning {
		return jobs
	}
	refArm := ""
	if o.Reference != "" {
		for _, j := range jobs {
			if report.Selects(o.Reference, j.Config.Arm, j.Config.Label) {
				refArm = j.Config.Arm
				break
			}
		}
	}
	sels, choosing := o.Named()
	for i, s := range sels {
		if s == refArm {
			sels[i] = o.Reference
		}
	}
	sels = append(sels, choosing...)
	return slices.DeleteFunc(slices.Clone(jobs), func(j spec.Job) bool {
		return !slices.ContainsFunc(sels, func(s string) bool { return report.Selects(s, j.Config.Arm, j.Config.Label) })
	})
}

// poweredNote says how many configurations of a tuning study the powered
// protocol ran, or "" when it ran them all.
func poweredNote(all, kept []spec.Job) string {
	if len(kept) == len(all) {
		return ""
	}
	return fmt.Sprintf("Powered protocol: only the %d of %d configurations that the claims, comparisons and reference name are run (docs/specs.md, \"The powered protocol\"), so the ranking below covers only those.",
		configurations(kept), configurations(all))
}

// configurations counts the distinct run labels of jobs.
func configurations(jobs []spec.Job) int {
	var labels []string
	for _, j := range jobs {
		if !slices.Contains(labels, j.Config.Label) {
			labels = append(labels, j.Config.Label)
		}
	}
	return len(labels)
}
