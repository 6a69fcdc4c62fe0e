// Command neuroplastic reproduces the NeuroPlastic preprint's experiments:
// it plans and runs sweeps of training runs described by YAML specs
// (experiments/*.yaml), fetches datasets and emits Slurm array scripts. Run
// `neuroplastic help` for the subcommands and `neuroplastic CMD --help` for
// each one's flags. Flags may come before or after the spec path.
//
// Exit codes: 0 success, 1 an error, failed or skipped runs, or a damaged
// store (check), 2 bad usage, 130 and 143 stopped by SIGINT and SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// command is one subcommand: add one function and one entry in commands.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out, log io.Writer) error
}

// commands returns the subcommands in help order.
func commands() []command {
	return []command{
		{"plan", "list a spec's runs, their status and the estimated work", cmdPlan},
		{"run", "train a spec's runs that are not done yet (resumable)", cmdRun},
		{"data", "fetch and verify the datasets, print what is present", cmdData},
		{"slurm", "write an sbatch array script that runs a spec in shards", cmdSlurm},
		{"report", "render tables, figures and README.md from the run store", cmdReport},
		{"reproduce", "run every study of the preprint and write its report", cmdReproduce},
		{"check", "check a results directory: damaged, partial, held runs, leftovers", cmdCheck},
		{"verify", "re-train a few committed runs and compare them with their records", cmdVerify},
	}
}

// usageError is bad command-line usage (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// stopGrace is how long a command may take to stop after SIGINT or SIGTERM
// before the process exits anyway. Every store and report file is written
// atomically, so exiting leaves at most a temporary file (which `run` and
// `check --repair` remove).
const stopGrace = 3 * time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var sigCode atomic.Int32
	go func() {
		s := <-sigs
		code := signalExitCode(s)
		sigCode.Store(int32(code))
		fmt.Fprintf(os.Stderr, "neuroplastic: %v: stopping (a second signal stops at once)\n", s)
		cancel()
		select {
		case <-sigs:
		case <-time.After(stopGrace):
		}
		os.Exit(code)
	}()
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if c := sigCode.Load(); c != 0 {
		code = int(c)
	}
	os.Exit(code)
}

// signalExitCode is the shell's exit code for a process ended by s: 128 plus
// the signal number (130 for SIGINT, 143 for SIGTERM).
func signalExitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// dispatch runs the subcommand named by args[0] and returns the exit code.
func dispatch(ctx context.Context, args []string, out, log io.Writer) int {
	if len(args) == 0 {
		help(log)
		return 2
	}
	if isHelp(args[0]) {
		if len(args) > 1 && !isHelp(args[1]) {
			return dispatch(ctx, []string{args[1], "--help"}, out, log)
		}
		help(out)
		return 0
	}
	if _, err := kernel.SelectedVariant(); err != nil && !slices.ContainsFunc(args, isHelp) {
		// A bad NEUROPLASTIC_KERNEL is refused before any command starts.
		fmt.Fprintf(log, "neuroplastic: %v\n", err)
		return 2
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], out, log)
		var ue *usageError
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(log, "neuroplastic %s: %v\nrun `neuroplastic %s --help` for usage\n", c.name, err, c.name)
			return 2
		default:
			fmt.Fprintf(log, "neuroplastic %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(log, "neuroplastic: unknown command %q\n", args[0])
	help(log)
	return 2
}

// isHelp reports whether arg asks for help: help, -h or --help.
func isHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

// help prints the list of subcommands.
func help(w io.Writer) {
	fmt.Fprintln(w, "Usage: neuroplastic COMMAND [flags] [SPEC]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help       print this, or `help COMMAND` for a command's flags")
	fmt.Fprintln(w, "\nFlags may come before or after the spec path. Exit codes: 0 ok, 1 error or failed runs, 2 usage,\n130/143 stopped by SIGINT/SIGTERM.")
}
