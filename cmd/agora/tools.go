package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

func isAsmError(err error) bool {
	var ae *asm.Error
	return errors.As(err, &ae)
}

func newAsmCmd(s *streams) *cobra.Command {
	var version, out string
	cmd := &cobra.Command{
		Use:   "asm FILE",
		Short: "Assemble sBPF assembly into instruction bytes",
		Long: `Assemble sBPF assembly text.

With -o FILE.so the result is an ELF shared object that 'agora run' and
Solana's loader accept (V0-V2: dynamic relocations for syscalls and
calls; V3+: the strict format). With -o of any other name the raw
instruction bytes (8 per slot) are written; without -o they are printed
as hex, one slot per line.`,
		Example: `  agora asm prog.s -o prog.so
  agora asm prog.s -o prog.bin --sbpf-version v3
  agora asm prog.s`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := parseVersion(version)
			if err != nil {
				return err
			}
			src, err := readSource(s, args[0])
			if err != nil {
				return err
			}
			p, err := asm.Assemble(string(src), v, asmOptions())
			if err != nil {
				return &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			if out == "" {
				for i := 0; i+sbpf.InsnSize <= len(p.Text); i += sbpf.InsnSize {
					fmt.Fprintf(s.out, "%x\n", p.Text[i:i+sbpf.InsnSize])
				}
				return nil
			}
			bytesOut := p.Text
			if strings.EqualFold(filepath.Ext(out), ".so") {
				bytesOut, err = assembleELF(p)
				if err != nil {
					return &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", args[0], err)}
				}
			}
			if err := os.WriteFile(out, bytesOut, 0o644); err != nil {
				return usageErr("%v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "sbpf-version", "", "sBPF version: v0..v4 (default v0)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the bytes to `FILE`")
	return cmd
}

// assembleELF wraps an assembled program in an ELF shared object.
func assembleELF(p *asm.Program) ([]byte, error) {
	reg, err := newRegistry()
	if err != nil {
		return nil, err
	}
	obj, err := elf.ObjectFromProgram(vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry), reg.Name)
	if err != nil {
		return nil, err
	}
	obj.Functions = map[string]int{}
	for name, pc := range p.Labels {
		if name == "entrypoint" || strings.HasPrefix(name, "function_") {
			obj.Functions[name] = pc
		}
	}
	return elf.Write(obj)
}

func newDisasmCmd(s *streams) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "disasm FILE",
		Short: "Disassemble an ELF program or raw sBPF instruction bytes",
		Long: `Disassemble an sBPF ELF shared object, or raw instruction bytes (a file of
8-byte slots, or - for standard input), into assembly that 'agora asm' turns
back into the same instruction bytes. An ELF's version comes from its header.`,
		Example: `  agora disasm prog.so
  agora disasm prog.bin --sbpf-version v2`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := parseVersion(version)
			if err != nil {
				return err
			}
			text, err := readSource(s, args[0])
			if err != nil {
				return err
			}
			reg, err := newRegistry()
			if err != nil {
				return err
			}
			opts := &asm.DisasmOptions{SyscallName: reg.Name}
			if isELFData(text) {
				l, err := readProgram(&streams{in: bytes.NewReader(text), out: s.out, err: s.err}, "-", version, false)
				if err != nil {
					return err
				}
				text, v = l.program.Text, l.program.Version
				opts.Functions, opts.Names = l.program.Functions, l.labels
			}
			if len(text)%sbpf.InsnSize != 0 {
				return usageErr("%s: %d bytes is not a whole number of 8-byte instruction slots", args[0], len(text))
			}
			out, err := asm.Disassemble(text, v, opts)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			fmt.Fprint(s.out, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "sbpf-version", "", "sBPF version: v0..v4 (default v0)")
	return cmd
}

func newVerifyCmd(s *streams) *cobra.Command {
	var version string
	var asJSON bool
	df := &deepFlags{}
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check an sBPF program with the reference's structural verifier (and, with --deep, prove its safety)",
		Long: `Assemble FILE and check it with the structural verifier (the reference's
RequisiteVerifier plus the V3+ syscall checks). Exit code 0 when it passes,
2 when it is rejected.

With --deep the program (which must pass the structural verifier) is also
analysed for memory safety (abstract interpretation), arithmetic that can
wrap (bit-precise symbolic execution with a SAT solver), information flow
from --private inputs, lamport conservation and --invariant expressions
(with --accounts), and resource bounds. Every property is proven, violated
(with a counterexample input that reaches it), or unknown (with the
reason). With --json the last line is
  {"proven":[...],"findings":[{"kind","pc","line"?,"path","counterexample"?,"message"}],"unknown":[...]}
Exit codes with --deep: 0 all proven, 1 a finding, 3 something unknown,
2 usage or load errors. See docs/verify.md.`,
		Example: `  agora verify prog.s --deep
  agora verify prog.s --deep --private input:0:8 --json
  agora verify prog.so --deep --accounts accounts.json --invariant 'sum(lamports) == old(sum(lamports))' --replay`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := df.check(cmd); err != nil {
				return err
			}
			l, err := loadProgram(s, args[0], version)
			if err != nil {
				if asJSON && !df.deep {
					return reportVerify(s, err)
				}
				return err
			}
			if df.deep {
				return runDeep(s, l, df, asJSON)
			}
			if asJSON {
				return writeJSON(s, map[string]any{"ok": true, "instructions": len(l.program.Text) / sbpf.InsnSize,
					"tx_pairing": l.pairing.Verdict.String(), "findings": pairingFindings(l.pairing)})
			}
			fmt.Fprintf(s.out, "%s: ok (%d instruction slots, sBPF %s)\n", l.path, len(l.program.Text)/sbpf.InsnSize, l.program.Version)
			if l.pairing.Verdict != verify.PairingProven {
				fmt.Fprintln(s.out, l.pairing)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "sbpf-version", "", "sBPF version: v0..v4 (default v0)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	df.add(cmd)
	return cmd
}

// pairingFindings lists a pairing report's findings for JSON output.
func pairingFindings(r *verify.PairingReport) []map[string]any {
	out := []map[string]any{}
	for _, f := range r.Findings {
		out = append(out, map[string]any{"kind": f.Kind.String(), "verdict": f.Verdict.String(), "pc": f.PC, "line": f.Line, "message": f.Message})
	}
	return out
}

func reportVerify(s *streams, err error) error {
	out := map[string]any{"ok": false, "message": err.Error()}
	var verr *verify.Error
	var pf *pairingFailure
	if errors.As(err, &pf) {
		out["kind"], out["tx_pairing"], out["findings"] = "TxPairing", pf.report.Verdict.String(), pairingFindings(pf.report)
	} else if errors.As(err, &verr) {
		out["kind"], out["pc"] = verr.Kind.String(), verr.PC
	} else if k := loadErrorKind(err); k != "" {
		out["kind"] = k
	}
	if werr := writeJSON(s, out); werr != nil {
		return werr
	}
	return &exitError{code: exitBadCall, err: errors.New("")}
}
