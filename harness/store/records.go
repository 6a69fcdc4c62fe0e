package store

import (
	"encoding/json"
	"time"
)

// Statuses of a run. Completed and Diverged are final; Failed reruns on the
// next invocation; Partial has epochs but no summary and resumes from its
// checkpoint; Pending has nothing on disk yet; Damaged failed a check on
// reading (see Run.Damage) and is repaired before it is trained again.
const (
	Completed = "completed"
	Diverged  = "diverged"
	Failed    = "failed"
	Partial   = "partial"
	Pending   = "pending"
	Damaged   = "damaged"
)

// RunConfig is a run's fully resolved configuration, written to config.json.
// Its canonical JSON (plus the numerics version) is hashed into the run ID.
type RunConfig struct {
	Study     string          `json:"study"`
	Arm       string          `json:"arm"`   // arm name from the spec, e.g. "full", "grad_only", "sgd"
	Label     string          `json:"label"` // arm plus its grid point, e.g. "full lr=0.1 warmup_epochs=2 plasticity_scale=2"
	Dataset   string          `json:"dataset"`
	Model     string          `json:"model"`
	Epochs    int             `json:"epochs"`
	BatchSize int             `json:"batch_size"`
	Seed      int64           `json:"seed"`
	Fraction  float64         `json:"fraction"`
	Optimizer json.RawMessage `json:"optimizer"`           // canonical optim.Config JSON, every key present
	Overrides []string        `json:"overrides,omitempty"` // --set key=value applied, in order
	Numerics  int             `json:"numerics"`
	// Holdout is the fraction of the training set held out for validation
	// (spec key validation, data.Holdout); 0, none, is left out of the JSON
	// so that runs without a hold-out keep their IDs.
	Holdout float64 `json:"validation,omitempty"`
}

// EpochMetrics is one line of metrics.jsonl.
type EpochMetrics struct {
	Epoch       int                `json:"epoch"`
	TrainLoss   float64            `json:"train_loss"`
	TrainAcc    float64            `json:"train_acc"`
	TestLoss    float64            `json:"test_loss"`
	TestAcc     float64            `json:"test_acc"`
	ValLoss     float64            `json:"val_loss,omitempty"` // on the validation hold-out; left out without one
	ValAcc      float64            `json:"val_acc,omitempty"`
	WallSeconds float64            `json:"wall_seconds,omitempty"` // excluded from determinism comparisons; left out of published records
	Diagnostics map[string]float64 `json:"diagnostics,omitempty"`  // the optimizer's, by name; nil when it keeps none
}

// Best returns the highest test accuracy of ms and its epoch, the first to
// reach it (0, 0 without epochs): a summary's best_test_acc and best_epoch.
func Best(ms []EpochMetrics) (acc float64, epoch int) {
	for i, m := range ms {
		if i == 0 || m.TestAcc > acc {
			acc, epoch = m.TestAcc, m.Epoch
		}
	}
	return acc, epoch
}

// Summary is summary.json, written last.
type Summary struct {
	ID         string        `json:"id"`
	Status     string        `json:"status"`
	Error      string        `json:"error,omitempty"`
	EpochsDone int           `json:"epochs_done"`
	Final      *EpochMetrics `json:"final,omitempty"` // last epoch
	BestAcc    float64       `json:"best_test_acc"`   // max test accuracy over epochs
	BestEpoch  int           `json:"best_epoch"`
	Attempts   int           `json:"attempts"`
	Manifest   Manifest      `json:"manifest"`
}

// Manifest records where and how a run was made.
type Manifest struct {
	ConfigHash  string    `json:"config_hash"`
	GitCommit   string    `json:"git_commit"`
	GitDirty    bool      `json:"git_dirty"`
	GoVersion   string    `json:"go_version"`
	GOARCH      string    `json:"goarch"`
	Kernel      string    `json:"kernel"`
	Threads     int       `json:"threads"`
	Host        string    `json:"host"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	WallSeconds float64   `json:"wall_seconds"`
}

// Run is everything the store holds about one run, as loaded and checked by
// LoadRun.
type Run struct {
	ID      string
	Config  RunConfig
	Status  string
	Metrics []EpochMetrics
	Summary *Summary // nil unless summary.json exists
	// Damage is what is wrong with the run when Status is Damaged, else nil.
	Damage *Damage
	// Leftovers are files a killed process left in the run directory:
	// temporary files of atomic writes, and the checkpoint of a run that
	// ended for good. Tidy removes them.
	Leftovers []string
}

// Damage is what is wrong with a damaged run and how it is repaired.
type Damage struct {
	Reason string // what is wrong, naming the file
	Fix    string // what Repair (run by `run` and `check --repair`) does about it
	// Resume is the epoch the run resumes from when its checkpoint is intact
	// and its metrics are consistent up to it; 0 means the run is moved
	// aside (Quarantine) and trained again from scratch.
	Resume int
}
