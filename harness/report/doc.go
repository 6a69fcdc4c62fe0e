// Package report aggregates the runs of any study and renders what its
// spec's `report:` block declares (docs/specs.md): Markdown and CSV tables
// of every configuration and every declared comparison (one row per pair
// of configurations, so every grid point is reported), the declared claims
// with paired statistics, Holm's correction and a verdict word, the
// declared figures (PNG and SVG, named and titled by their study),
// locked_config.json for the one study that says select, and an index
// README.md that defines the statistics and shows everything.
//
// The package knows no dataset, arm or study by name: configurations are
// picked by the selectors of the spec (an arm name or a run label). It
// reads runs only as values (store.Run, loaded by the caller); it never
// trains and never modifies the run store. Only runs with status completed
// enter the statistics; diverged runs are counted and listed separately,
// other statuses are listed as not counted.
//
// Every output is deterministic (sorted groups, fixed float formatting)
// and written atomically (temporary file and rename), so golden tests and
// reruns produce identical bytes. A figure that cannot be drawn is skipped
// with a one-line reason, never a panic.
package report
