package spec

import (
	"fmt"
	"slices"

	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/models"
	"github.com/neuroplastic/neuroplastic/optim"
)

// Job is one run of an expanded spec.
type Job struct {
	ID        string          // RunID(Config)
	Index     int             // position in the spec's expanded order (sharding uses it)
	Optimizer optim.Config    // the run's optimizer; its settings are shared with the other runs of its grid point
	Config    store.RunConfig // the run's record (config.json): Optimizer in its canonical JSON
}

// Expand returns the runs of s in order: arms (and each arm's grid points in
// the key order of the YAML, first key slowest), then dataset, model,
// epochs, batch size, fraction and seed (fastest). Their number is the
// product of the axis lengths and the grid sizes. Expand is pure.
func (s *Spec) Expand() []Job {
	var jobs []Job
	for _, arm := range s.Arms {
		for _, pt := range arm.Points {
			opt, err := pt.Config.MarshalJSON()
			if err != nil {
				// The parser validated the config.
				panic(fmt.Sprintf("spec: marshal of a validated optimizer config: %v", err))
			}
			for _, ds := range s.Datasets {
				for _, model := range s.Models {
					for _, epochs := range s.Epochs {
						for _, batch := range s.BatchSizes {
							for _, frac := range s.Fractions {
								for _, seed := range s.Seeds {
									c := store.RunConfig{
										Study: s.Study, Arm: arm.Name, Label: pt.Label,
										Dataset: ds, Model: model, Epochs: epochs, BatchSize: batch,
										Seed: seed, Fraction: frac, Holdout: s.Validation, Optimizer: opt,
										Overrides: slices.Clone(arm.Overrides), Numerics: models.Numerics(model),
									}
									jobs = append(jobs, Job{ID: RunID(c), Index: len(jobs), Optimizer: pt.Config, Config: c})
								}
							}
						}
					}
				}
			}
		}
	}
	return jobs
}

// ConfigHash returns the hash a run's ID is taken from (store.ConfigHash).
func ConfigHash(c store.RunConfig) string { return store.ConfigHash(c) }

// RunID returns a run's ID: the first 12 hex digits of ConfigHash(c).
func RunID(c store.RunConfig) string { return ConfigHash(c)[:store.IDLen] }
