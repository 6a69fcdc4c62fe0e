// Package spec parses sweep specs (experiments/*.yaml) and expands them
// into runs. Decoding is strict (decode.go); arms and their hyperparameter
// grids are in arms.go, `from:` sources in from.go, --set overrides in
// set.go, expansion and run identity in expand.go and run selection
// (--shard, --only) in select.go.
//
// # Specs
//
// A spec is a YAML file:
//
//	study: fashion_mnist        # required, [a-z0-9_]+: results/runs/<study>/
//	title: Fashion-MNIST validation   # optional
//	dataset: fashion_mnist      # axes: a scalar or a list each
//	model: mlp
//	epochs: 10
//	batch_size: 128
//	seeds: [41, 42, 43]
//	fractions: [1.0]            # each in (0, 1]
//	validation: 0.1             # optional, in [0, 1): hold out this fraction of the training set; default 0
//	arms:                       # at least one; names unique, [a-z0-9_]+
//	  - name: grad_only
//	    optimizer: {name: neuroplastic, mode: ablation_grad_only, lr: 0.1, min_alpha: 0.5, max_alpha: 1.5}
//	  - name: full
//	    optimizer: {name: neuroplastic, from: paper, lr: [0.1, 0.05]}  # a list is a grid
//	report: {kind: paired, figures: [curves]}
//	quick: {epochs: 2, seeds: 2, fraction_scale: 0.1}                 # optional; these are the defaults
//	reproduce: first            # optional: first or deferred (see below)
//
// Optimizer hyperparameters use the canonical names of package optim
// (optim.Keys): each grid point is the optimizer's defaults with the arm's
// values set (optim.Config.Set) and validated, and an optim.KeyError is
// reported at the line of the value at fault. `from: paper` starts from the
// preprint's locked configuration (optim.PaperConfig) instead, so it fills
// in the keys the arm leaves out; `from: selected`
// reads the "optimizer" object of <results>/locked_config.json, written by
// the report of the mnist_tuning study. Errors name the file, line and field.
// --set key=value overrides any value (see Parse); --quick applies the
// quick profile (see Quick). `reproduce:` tells `neuroplastic reproduce` to
// run the study before the others (ReproduceFirst) or only when named
// (ReproduceDeferred).
//
// `validation: v` holds out round(v*n) examples of the training set's n
// for validation: a fixed subset drawn with its own seed (data.Holdout,
// data.ValidationSeed), the same for every run seed, never trained on. Each
// run trains on the rest (its data fraction is drawn from the rest) and
// records val_loss and val_acc per epoch beside the test metrics, so a
// study can select a configuration without looking at the test set. At 0,
// the default, nothing is held out and the key stays out of the run
// configuration, so run IDs are those of a spec without it.
//
// # Runs
//
// Expand turns a spec into Jobs in a fixed order. A run's ID is the first 12
// hex digits of the SHA-256 of its canonical configuration, including the
// model's numerics version (models.Numerics), so the same configuration has
// the same ID on any machine and a change of numerics gives new IDs. A run's numbers depend only on its
// configuration: every random stream is derived from (seed, purpose, epoch),
// so worker count, GOMAXPROCS, run order, sharding and kill-and-resume give
// bit-identical metrics.
//
// The dataset name data.Synthetic selects a tiny generated dataset for pipeline
// tests; experiments never use it.
package spec
