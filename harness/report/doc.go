// Package report aggregates the runs of the preprint's studies and renders
// them: Markdown and CSV tables, the preprint's Figures 2-5 (PNG and SVG),
// the selected tuning configuration (locked_config.json), and an index
// README.md that shows every table, embeds every figure and says, per study,
// whether the paper's claim holds in our numbers (docs/algorithm.md, section 6).
//
// The package reads runs only as values (store.Run, loaded by the caller
// with store.LoadStudy); it never trains and never modifies the run store.
// Only runs with status completed enter the statistics; diverged runs are
// counted and listed separately, other statuses are listed as not counted.
//
// Arm names are a convention the report relies on: the paired arms are
// named "grad_only" and "full". Every output is deterministic (sorted
// groups, fixed float formatting) and written atomically (temporary file and
// rename), so golden tests and reruns produce identical bytes.
package report
