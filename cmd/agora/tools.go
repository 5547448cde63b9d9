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
			isSO := strings.EqualFold(filepath.Ext(out), ".so")
			if !isSO && needsELF(p) {
				return usageErr("%s: the program has read-only data or label addresses, which raw slots cannot carry; write an ELF with -o FILE.so", args[0])
			}
			if out == "" {
				for i := 0; i+sbpf.InsnSize <= len(p.Text); i += sbpf.InsnSize {
					fmt.Fprintf(s.out, "%x\n", p.Text[i:i+sbpf.InsnSize])
				}
				return nil
			}
			bytesOut := p.Text
			if isSO {
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

// assembleELF wraps an assembled program, with its read-only data and
// address references, in an ELF shared object.
func assembleELF(p *asm.Program) ([]byte, error) {
	reg, err := newRegistry()
	if err != nil {
		return nil, err
	}
	// Calls to syscalls the registry lacks keep the name the source gave
	// them (a disassembled ELF may call the runtime's syscalls).
	name := func(h uint32) (string, bool) {
		if n, ok := reg.Name(h); ok {
			return n, true
		}
		n, ok := p.SyscallNames[h]
		return n, ok
	}
	obj := &elf.Object{Version: p.Version, Text: p.Text, ROData: p.ROData, Entry: p.Entry, SyscallName: name, Functions: map[string]int{}}
	if !p.Version.StaticSyscalls() {
		obj.CallTargets = p.Functions
	}
	for name, pc := range p.Labels {
		if name == "entrypoint" || strings.HasPrefix(name, "function_") {
			obj.Functions[name] = pc
		}
	}
	for _, name := range p.Exports {
		obj.Functions[name] = p.Labels[name]
	}
	obj.Exports = p.Exports
	for _, r := range p.AddrRefs {
		sec := elf.SectionText
		if r.ROData {
			sec = elf.SectionROData
		}
		obj.AddrRefs = append(obj.AddrRefs, elf.AddrRef{PC: r.PC, Section: sec, Offset: r.Offset})
	}
	return elf.Write(obj)
}

// needsELF reports whether an assembled program has parts that only an
// ELF carries: read-only data or addresses of labels.
func needsELF(p *asm.Program) bool { return len(p.ROData) > 0 || len(p.AddrRefs) > 0 }

func newDisasmCmd(s *streams) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "disasm FILE",
		Short: "Disassemble an ELF program or raw sBPF instruction bytes",
		Long: `Disassemble an sBPF ELF shared object, or raw instruction bytes (a file of
8-byte slots, or - for standard input), into assembly that 'agora asm' turns
back into the same program: raw slots give the same bytes; an ELF's
internal calls print as 'call function_NAME' and its read-only data as a
.rodata section of .byte lines, so that 'agora asm -o FILE.so' gives an ELF
that loads to the same instructions and data. An ELF whose data holds
relocated addresses cannot be rewritten and is refused. An ELF's version
comes from its header.`,
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
				l, err := readProgram(&streams{in: bytes.NewReader(text), out: s.out, err: s.err}, "-", version, false, 0)
				if err != nil {
					return err
				}
				obj, err := l.image.Object(reg.Name)
				if err != nil {
					return &exitError{code: exitBadCall, err: fmt.Errorf("%s: cannot disassemble into a program that assembles back: %w", args[0], err)}
				}
				text, v = obj.Text, obj.Version
				opts.Functions, opts.Names = l.program.Functions, l.labels
				opts.Names[obj.Entry] = "entrypoint"
				opts.Relocatable, opts.ROData = true, obj.ROData
				opts.SyscallName = obj.SyscallName
				for _, r := range obj.AddrRefs {
					opts.AddrRefs = append(opts.AddrRefs, asm.AddrRef{PC: r.PC, ROData: r.Section == elf.SectionROData, Offset: r.Offset})
				}
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
		Long: `Load FILE and check it with the structural verifier (the reference's
RequisiteVerifier plus the V3+ syscall checks), the transactional-memory
pairing proof and the parallel-lane proof (every spawned child joined at
most once and joined or fenced before exit; concurrent children's writes
disjoint, possibly overlapping, or unknown). FILE is recognised by its content, as in 'agora run': an sBPF
ELF (loaded as Solana's loader does, version from its header), raw 8-byte
instruction slots, sBPF assembly (assembled first) or OVSM (compiled first).
Exit code 0 when it passes, 2 when it is rejected.

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
		Example: `  agora verify examples/asm/fib.s
  agora verify testdata/c/hello.so --json
  agora verify fib.bin --sbpf-version v3
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
			lr, err := lanePairing(l)
			if err != nil {
				if asJSON {
					return reportVerify(s, err)
				}
				return err
			}
			if asJSON {
				return writeJSON(s, map[string]any{"ok": true, "instructions": len(l.program.Text) / sbpf.InsnSize,
					"tx_pairing": l.pairing.Verdict.String(), "findings": append(pairingFindings(l.pairing), laneFindings(lr)...),
					"lane_pairing": lr.Verdict.String(), "lane_overlaps": laneOverlaps(lr)})
			}
			fmt.Fprintf(s.out, "%s: ok (%d instruction slots, sBPF %s)\n", l.path, len(l.program.Text)/sbpf.InsnSize, l.program.Version)
			if l.pairing.Verdict != verify.PairingProven {
				fmt.Fprintln(s.out, l.pairing)
			}
			if lr.Uses && (lr.Verdict != verify.PairingProven || len(lr.Overlaps) > 0) {
				fmt.Fprintln(s.out, lr)
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
	var lf *laneFailure
	if errors.As(err, &pf) {
		out["kind"], out["tx_pairing"], out["findings"] = "TxPairing", pf.report.Verdict.String(), pairingFindings(pf.report)
	} else if errors.As(err, &lf) {
		out["kind"], out["lane_pairing"], out["findings"] = "LanePairing", lf.report.Verdict.String(), laneFindings(lf.report)
		out["lane_overlaps"] = laneOverlaps(lf.report)
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
