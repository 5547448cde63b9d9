// Command agora is the Agora sBPF runtime's command-line tool: it
// assembles, disassembles, verifies, runs and benchmarks sBPF programs.
//
// Exit codes: 0 success (a program ran to exit), 1 the program faulted,
// 2 usage, load or verification errors.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/ext/zk"
	"github.com/agora-vm/agora/internal/gctune"
)

// Exit codes.
const (
	exitOK      = 0
	exitFault   = 1
	exitBadCall = 2
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitBadCall, err: fmt.Errorf(format, args...)}
}

// heapFloor is the least heap goal the collector keeps (package gctune):
// a chain's live heap is a few tens of MiB and it allocates about 20 KiB
// a transaction, so with Go's default the collector would run every few
// tens of milliseconds. GOGC in the environment overrides it.
const heapFloor = 64 << 20

func main() {
	zk.QuietLogger() // before any command verifies a proof
	stop := gctune.Floor(heapFloor, 20*time.Millisecond)
	code := execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// execute runs the CLI with the given arguments and streams and returns
// the exit code; tests call it directly.
func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "agora:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "agora:", err)
	return exitBadCall
}

type streams struct {
	in       io.Reader
	out, err io.Writer
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	s := &streams{in: stdin, out: stdout, err: stderr}
	root := &cobra.Command{
		Use:   "agora",
		Short: "Agora: an sBPF runtime for agent economies",
		Long: `Agora runs sBPF programs (the bytecode Solana programs compile to) exactly
as the reference VM does: same result, same error kind, same compute units,
and adds what agents need: transactional memory, ring buffers, native
cryptography, auctions and escrow, a local chain, and the OVSM language.

Programs are sBPF assembly, sBPF ELF shared objects, raw instruction
slots or OVSM sources, recognised by their content (- reads stdin).

Exit codes: 0 success, 1 the program or transaction failed, 2 usage, load
or verification errors.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitBadCall, err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.AddCommand(newRunCmd(s), newAsmCmd(s), newDisasmCmd(s), newVerifyCmd(s), newBenchCmd(s), newChainCmd(s), newZKCmd(s), newFeaturesCmd(s), newCompileCmd(s), newCheckCmd(s), newEconCmd(s), newCCCmd(s), newSimCmd(s), newConformCmd(s), newReplayCmd(s), newDebugCmd(s), newOffloadCmd(s), attachValidator(newNodeCmd(s), s), newTestnetCmd(s))
	for _, c := range root.Commands() {
		rejectUnknownSubcommands(c)
	}
	return root
}

// rejectUnknownSubcommands makes every command group below the root
// treat an unknown subcommand as the root does: a usage error (exit 2)
// with "did you mean". Cobra does that only for the root; a group would
// print its help and succeed.
func rejectUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		rejectUnknownSubcommands(sub)
	}
	if !c.HasSubCommands() || c.Run != nil || c.RunE != nil {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2
		}
		if sugg := cmd.SuggestionsFor(args[0]); len(sugg) > 0 {
			msg += "\n\nDid you mean this?"
			for _, s := range sugg {
				msg += "\n\t" + s
			}
		}
		return &exitError{code: exitBadCall, err: fmt.Errorf("%s\nRun '%s --help' for usage.", msg, cmd.CommandPath())}
	}
	c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
}
