// Package store is the resumable on-disk run store. A run lives in
// <results>/runs/<study>/<id>/ and holds:
//
//   - config.json: the run's RunConfig (its resolved configuration);
//   - metrics.jsonl: one EpochMetrics JSON object per line, epochs 1, 2, ...;
//   - checkpoint.bin: the Checkpoint of the last completed epoch;
//   - summary.json: the Summary, written last when the run ends.
//
// Every whole file is written to a temporary name in the same directory,
// synced and renamed, so a killed process never leaves a half file that looks
// complete; metrics lines are appended and synced before the checkpoint of
// their epoch is written, and a resumed run discards lines beyond its
// checkpoint's epoch (TruncateMetrics).
//
// A run's status (Status) is derived from the files: the summary's status
// when summary.json exists (Completed, Diverged or Failed), Partial when
// metrics or a checkpoint exist without a summary, Pending otherwise.
// Completed and Diverged are final.
//
// The store does not lock: two processes must not work on the same run at
// the same time (shards of one sweep never share a run).
package store
