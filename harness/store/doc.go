// Package store is the resumable on-disk run store. A run lives in
// <results>/runs/<study>/<id>/ and holds:
//
//   - config.json: the run's RunConfig (its resolved configuration), whose
//     ConfigHash begins with the run ID;
//   - metrics.jsonl: one EpochMetrics JSON object per line, epochs 1, 2, ...;
//   - checkpoint.bin: the Checkpoint of the last completed epoch, carrying
//     the run ID, the epoch and a checksum of its payload;
//   - summary.json: the Summary, written last when the run ends;
//   - lock: the per-run lock file (see Lock).
//
// Every whole file is written through package atomicfile (a temporary name
// in the same directory, synced and renamed), so a killed process never
// leaves a half file that looks complete; metrics lines are appended and
// synced before the checkpoint of their epoch is written, and a resumed run
// discards lines beyond its checkpoint's epoch (TruncateMetrics).
//
// Every read is checked (LoadRun): the config hashes to the run ID, the
// metrics lines are epochs 1..k in order, the summary agrees with the
// metrics and the config, and the checkpoint belongs to the run and is not
// ahead of its metrics. A run that fails a check has status Damaged and a
// Damage saying what is wrong and how Repair fixes it; it is never counted.
//
// Any number of processes may work on one results directory: a process
// trains a run only while it holds the run's lock (TryLock), and checks the
// run's status again once it holds it.
package store
