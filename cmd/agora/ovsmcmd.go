package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/sbpf"
)

func newCompileCmd(s *streams) *cobra.Command {
	var version, out string
	var heap int
	cmd := &cobra.Command{
		Use:   "compile FILE.ovsm -o FILE.so",
		Short: "Compile an OVSM program to an sBPF ELF",
		Long: `Compile an OVSM program (docs/ovsm.md) to an sBPF shared object, and write
its debug information (every instruction's OVSM source line) next to it as
FILE.so.dbg.json. V0 by default (runs on any Solana runtime when it uses no
extension); --sbpf-version v3 emits the strict format with static syscalls.

Exit codes: 0 compiled, 2 diagnostics or usage errors.`,
		Example: `  agora compile examples/ovsm/atomic-swap.ovsm -o atomic-swap.so
  agora compile agent.ovsm -o agent.so --sbpf-version v3`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("-o FILE.so is required")
			}
			v, err := parseVersion(version)
			if err != nil {
				return err
			}
			src, err := readSource(s, args[0])
			if err != nil {
				return err
			}
			o, err := compileOVSM(src, args[0], v, version != "", heap)
			if err != nil {
				return err
			}
			for _, w := range o.Warnings {
				fmt.Fprintln(s.err, w.Error())
			}
			dbg, err := o.Debug.Marshal()
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, o.ELF, 0o644); err != nil {
				return usageErr("%w", err)
			}
			if err := os.WriteFile(ovsm.DebugInfoPath(out), dbg, 0o644); err != nil {
				return usageErr("%w", err)
			}
			fmt.Fprintf(s.out, "%s: %d instructions, sBPF %s, syscalls: %s\n", out, len(o.Program.Text)/sbpf.InsnSize, o.Program.Version, strings.Join(o.Syscalls, ", "))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the ELF to `FILE.so`")
	cmd.Flags().StringVar(&version, "sbpf-version", "", "sBPF version to emit: v0 (default) or v3")
	cmd.Flags().IntVar(&heap, "heap", 0, "heap the program allocates from, in bytes: a multiple of 1024 up to 262144 (default 32768); run it with the same --heap")
	return cmd
}

func newCheckCmd(s *streams) *cobra.Command {
	var version string
	var asJSON bool
	df := &deepFlags{}
	cmd := &cobra.Command{
		Use:   "check FILE.ovsm",
		Short: "Report an OVSM program's diagnostics without writing anything",
		Long: `Parse and compile an OVSM program and print its diagnostics, each with
file:line:col, the source line and a caret. Exit codes: 0 no errors, 2 errors.

With --deep the compiled program also goes through the deep analyses of
'agora verify --deep' (see its --help), and findings are printed at their
OVSM source line. Exit codes with --deep: 0 proven, 1 a finding, 3 unknown,
2 diagnostics or usage errors.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := df.check(cmd); err != nil {
				return err
			}
			v, err := parseVersion(version)
			if err != nil {
				return err
			}
			if df.deep {
				l, err := loadProgram(s, args[0], version)
				if err != nil {
					return err
				}
				_ = v
				return runDeep(s, l, df, asJSON)
			}
			src, err := readSource(s, args[0])
			if err != nil {
				return err
			}
			name := args[0]
			if filepath.Ext(name) == "" && name == "-" {
				name = "<stdin>"
			}
			diags := ovsm.Check(src, name, ovsm.Options{Version: v})
			errors := 0
			type jdiag struct {
				Severity string `json:"severity"`
				Message  string `json:"message"`
			}
			var list []jdiag
			for _, d := range diags {
				if d.Severity == ovsm.SeverityError {
					errors++
				}
				if asJSON {
					list = append(list, jdiag{d.Severity.String(), d.Error()})
				} else {
					fmt.Fprintln(s.out, d.Error())
				}
			}
			if asJSON {
				b, _ := json.Marshal(map[string]any{"ok": errors == 0, "diagnostics": list})
				fmt.Fprintf(s.out, "%s\n", b)
			} else if errors == 0 {
				fmt.Fprintf(s.out, "%s: ok\n", name)
			}
			if errors > 0 {
				return &exitError{code: exitBadCall, err: fmt.Errorf("%s: %d error(s)", name, errors)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "sbpf-version", "", "sBPF version: v0 (default) or v3")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	df.add(cmd)
	return cmd
}
