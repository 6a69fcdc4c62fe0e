// Package store is the resumable on-disk run store: results/runs/<study>/<id>/
// holds config.json, metrics.jsonl, a checkpoint of the last completed epoch,
// and summary.json. Every file is written to a temporary name and renamed, so
// a killed process never leaves a half file that looks complete.
package store
