package harness

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

// statusOrder lists the statuses in the order plan counts them.
var statusOrder = []string{store.Pending, store.Partial, store.Failed, store.Damaged, store.Completed, store.Diverged}

// WritePlan writes the runs of jobs with their status under the results
// directory, the count of runs per status and the estimated work of all runs
// and of the runs still to do, timed at gflops GFLOP/s.
func WritePlan(w io.Writer, study string, jobs []spec.Job, results string, gflops float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tDATASET\tMODEL\tEPOCHS\tFRACTION\tSEED\tSTATUS")
	counts := map[string]int{}
	var todo []spec.Job
	for _, j := range jobs {
		st, err := store.Status(store.RunDir(results, study, j.ID))
		if err != nil {
			return err
		}
		counts[st]++
		if st != store.Completed && st != store.Diverged {
			todo = append(todo, j)
		}
		c := j.Config
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%g\t%d\t%s\n", j.ID, c.Label, c.Dataset, c.Model, c.Epochs, c.Fraction, c.Seed, st)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	fmt.Fprintf(w, "\nstudy %s: %d runs:", study, len(jobs))
	for _, st := range statusOrder {
		if counts[st] > 0 {
			fmt.Fprintf(w, " %d %s", counts[st], st)
		}
	}
	fmt.Fprintf(w, "\nwork, all runs: %s\n", Estimate(jobs).Describe(gflops))
	_, err := fmt.Fprintf(w, "work, to do:    %s\n", Estimate(todo).Describe(gflops))
	return err
}
