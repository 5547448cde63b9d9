package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// ebpfBudget is ample for every program of the suite (the longest loop,
// in prime.data, runs a few thousand instructions).
const ebpfBudget = 1_000_000

// ebpfVersions are the versions the suite runs under: V0, what nearly every
// deployed program uses, and V3, the first with JMP32 and static calls.
var ebpfVersions = []sbpf.Version{sbpf.V0, sbpf.V3}

// outcome is what one program does under one sBPF version.
type outcome struct {
	Rejected string // verifier error kind: the program never runs
	Fault    string // runtime error kind
	R0       uint64 // the result, when neither is set
}

func (o outcome) String() string {
	switch {
	case o.Rejected != "":
		return "rejected: " + o.Rejected
	case o.Fault != "":
		return "fault: " + o.Fault
	}
	return fmt.Sprintf("r0=%#x", o.R0)
}

func result(r0 uint64) outcome     { return outcome{R0: r0} }
func fault(kind string) outcome    { return outcome{Fault: kind} }
func rejected(kind string) outcome { return outcome{Rejected: kind} }

// runEBPF runs t under version v. The suite's memory is the input region
// (r1 points at it) and, as the suite's runners do, r2 holds its length: a
// one-slot prologue `mov64 r2, len` sets it when there is memory.
func runEBPF(t *EBPFTest, v sbpf.Version, reg *vm.Registry) (outcome, error) {
	insns := t.Insns
	if len(t.Mem) > 0 {
		prologue := sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: 2, Imm: int32(len(t.Mem))}
		insns = append([]sbpf.Instruction{prologue}, insns...)
	}
	text, funcs := LowerEBPF(insns, v)
	if err := verify.Structural(text, v, reg); err != nil {
		var ve *verify.Error
		if !errors.As(err, &ve) {
			return outcome{}, err
		}
		return rejected(ve.Kind.String()), nil
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(v, text, funcs, 0), reg, vm.Config{})
	if err != nil {
		return outcome{}, err
	}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: slices.Clone(t.Mem), Budget: ebpfBudget, Context: newRunContext()})
	if res.Err != nil {
		var e *vm.Error
		if !errors.As(res.Err, &e) {
			return outcome{}, res.Err
		}
		return fault(e.Kind.String()), nil
	}
	return result(res.R0), nil
}

// designNote is what sBPF does, by design, with a file whose eBPF result it
// does not reproduce, and why.
type designNote struct {
	want outcome
	why  string
}

// Why the suite's files differ in sBPF. Each is a property of the reference
// (src/interpreter.rs, src/verifier.rs), not of our implementation.
const (
	whyShiftImm = "shift immediate outside 0..width: sBPF's verifier refuses it (ShiftWithOverflow); eBPF masks it"
	whyBswap    = "bswap (ALU64 END, opcode 0xd7) does not exist in sBPF"
	whyJA32     = "ja32 (JMP32 JA, opcode 0x06) does not exist in sBPF"
	whyAtomic   = "atomic instructions (STX ATOMIC) do not exist in sBPF"
	whyLdxs     = "sign-extending loads (LDX MEMSX) do not exist in sBPF"
	whyJMP32    = "JMP32 exists from V3 on (SIMD-0377); V0's verifier does not know the opcodes"
	whyJMP32Chk = "checks its results with JMP32 (jne32), which V0 lacks"
	whyDivZero  = "division or modulo by a zero register is the error DivideByZero in sBPF (eBPF yields 0, or leaves dst for mod)"
	whyMul32    = "sBPF sign-extends ALU32 mul results (except in V2); eBPF zero-extends"
	whyMovsx    = "sBPF ignores the offset field of mov (the reference's verifier does not check it): movsx runs as a plain mov"
	whySigned   = "sBPF ignores the offset field of div/mod (signed division is V2's PQR class): sdiv/smod run as unsigned div/mod"
	whyHelperV0 = "`call 5` is an eBPF helper; in sBPF before V3 imm 5 is neither a syscall hash nor a function key: UnsupportedInstruction when it runs"
	whyHelperV3 = "`call 5` is an eBPF helper; from V3 a static call's imm must be a registered syscall hash (InvalidSyscall)"
	whyCallx    = "eBPF calls helper 5 by register; sBPF's callx jumps to a text address (0x100000000 + 8·pc), and 5 is outside the text"
)

// ebpfByDesign lists every file of the suite that does not give eBPF's
// result under V0 or V3, with what sBPF gives instead (derived from the
// reference's semantics, file by file) and why. A file or version not
// listed must give exactly eBPF's result.
var ebpfByDesign = func() map[string]map[sbpf.Version]designNote {
	m := map[string]map[sbpf.Version]designNote{}
	add := func(want outcome, why string, vs []sbpf.Version, files ...string) {
		for _, f := range files {
			if m[f] == nil {
				m[f] = map[sbpf.Version]designNote{}
			}
			for _, v := range vs {
				if _, dup := m[f][v]; dup {
					panic("ebpfByDesign: " + f + " listed twice for " + v.String())
				}
				m[f][v] = designNote{want, why}
			}
		}
	}
	both := []sbpf.Version{sbpf.V0, sbpf.V3}
	v0 := []sbpf.Version{sbpf.V0}
	v3 := []sbpf.Version{sbpf.V3}

	// Rejected by the verifier, in both versions.
	add(rejected("ShiftWithOverflow"), whyShiftImm, both,
		"lsh32-imm-high.data", "lsh32-imm-neg.data", "lsh64-imm-high.data", "lsh64-imm-neg.data",
		"rsh32-imm-high.data", "rsh32-imm-neg.data", "rsh64-imm-high.data", "rsh64-imm-neg.data",
		"arsh32-imm-high.data", "arsh32-imm-neg.data", "arsh64-imm-high.data", "arsh64-imm-neg.data")
	add(rejected("UnknownOpCode"), whyBswap, both,
		"bswap16.data", "bswap32.data", "bswap64.data", "swap16.data", "swap32.data", "swap64.data",
		"rfc9669_bswap16.data", "rfc9669_bswap32.data", "rfc9669_bswap64.data",
		"rfc9669_swap16.data", "rfc9669_swap32.data", "rfc9669_swap64.data")
	add(rejected("UnknownOpCode"), whyJA32, both, "ja32.data", "rfc9669_ja32.data")
	add(rejected("UnknownOpCode"), whyAtomic, both,
		"lock_add.data", "lock_add32.data", "lock_and.data", "lock_and32.data",
		"lock_cmpxchg.data", "lock_cmpxchg32.data", "lock_fetch_add.data", "lock_fetch_add32.data",
		"lock_fetch_and.data", "lock_fetch_and32.data", "lock_fetch_or.data", "lock_fetch_or32.data",
		"lock_fetch_xor.data", "lock_fetch_xor32.data", "lock_or.data", "lock_or32.data",
		"lock_xchg.data", "lock_xchg32.data", "lock_xor.data", "lock_xor32.data",
		"rfc9669_lock_add32.data", "rfc9669_lock_add64.data", "rfc9669_lock_and32.data", "rfc9669_lock_and64.data",
		"rfc9669_lock_cmpxchg32.data", "rfc9669_lock_cmpxchg64.data", "rfc9669_lock_fetch_add32.data",
		"rfc9669_lock_fetch_add64.data", "rfc9669_lock_or32.data", "rfc9669_lock_or64.data",
		"rfc9669_lock_xchg32.data", "rfc9669_lock_xchg64.data", "rfc9669_lock_xor32.data", "rfc9669_lock_xor64.data")
	add(rejected("UnknownOpCode"), whyLdxs, both, "rfc9669_ldxsb.data", "rfc9669_ldxsh.data", "rfc9669_ldxsw.data")

	// Rejected in V0 only: JMP32.
	add(rejected("UnknownOpCode"), whyJMP32, v0,
		"jeq32-imm.data", "jeq32-reg.data", "jge32-imm.data", "jge32-reg.data", "jgt32-imm.data", "jgt32-reg.data",
		"jle32-imm.data", "jle32-reg.data", "jlt32-imm.data", "jlt32-reg.data", "jne32-imm.data", "jne32-reg.data",
		"jset32-imm.data", "jset32-reg.data", "jsge32-imm.data", "jsge32-reg.data", "jsgt32-imm.data", "jsgt32-reg.data",
		"jsle32-imm.data", "jsle32-reg.data", "jslt32-imm.data", "jslt32-reg.data",
		"rfc9669_jeq.data", "rfc9669_jge.data", "rfc9669_jgt.data", "rfc9669_jle.data", "rfc9669_jlt.data",
		"rfc9669_jne.data", "rfc9669_jset.data", "rfc9669_jsge.data", "rfc9669_jsgt.data", "rfc9669_jsle.data",
		"rfc9669_jslt.data")
	add(rejected("UnknownOpCode"), whyJMP32Chk, v0,
		"rfc9669_add32.data", "rfc9669_and32.data", "rfc9669_arsh32.data", "rfc9669_div32.data",
		"rfc9669_lsh32.data", "rfc9669_mod32.data", "rfc9669_mov32.data", "rfc9669_movsx.data",
		"rfc9669_mul32.data", "rfc9669_neg32.data", "rfc9669_or32.data", "rfc9669_rsh32.data",
		"rfc9669_sdiv32.data", "rfc9669_smod32.data", "rfc9669_sub32.data", "rfc9669_xor32.data")

	// Different by design.
	add(fault("DivideByZero"), whyDivZero, both,
		"div32-by-zero-reg.data", "div32-by-zero-reg-2.data", "div64-by-zero-reg.data",
		"mod-by-zero-reg.data", "mod64-by-zero-reg.data",
		"sdiv32-by-zero-imm.data", "sdiv32-by-zero-reg.data", "sdiv64-by-zero-imm.data", "sdiv64-by-zero-reg.data",
		"smod32-neg-by-zero-imm.data", "smod32-neg-by-zero-reg.data",
		"smod64-neg-by-zero-imm.data", "smod64-neg-by-zero-reg.data",
		"rfc9669_div64.data", "rfc9669_mod64.data")
	add(fault("DivideByZero"), whyDivZero, v3, "rfc9669_div32.data", "rfc9669_mod32.data")
	add(result(0xffffffff80000000), whyMul32, both,
		"mul32-intmin-by-negone-imm.data", "mul32-intmin-by-negone-reg.data")
	// lddw %r1, 0x0123456789abcdef; movsxNN %r0, %r1 = mov32 (zero-extends
	// the low half) or mov64.
	add(result(0x89abcdef), whyMovsx, both, "movsx832-reg.data", "movsx1632-reg.data")
	add(result(0x0123456789abcdef), whyMovsx, both, "movsx864-reg.data", "movsx1664-reg.data", "movsx3264-reg.data")
	// movsx832 of 0x80 stays 0x80, so the first check jumps to fail: r0=0.
	add(result(0), whyMovsx, v3, "rfc9669_movsx.data")
	// Unsigned: 12 / 0xfffffffc, 0xc00000000 / (u64)-4, INT_MIN / (unsigned)-1
	// are all 0.
	add(result(0), whySigned, both,
		"sdiv32-imm.data", "sdiv32-reg.data", "sdiv64-imm.data", "sdiv64-reg.data",
		"sdiv32-intmin-by-negone-imm.data", "sdiv32-intmin-by-negone-reg.data",
		"sdiv64-intmin-by-negone-imm.data", "sdiv64-intmin-by-negone-reg.data")
	// Unsigned remainders: 0x80000000 % 0xffffffff, 0xfffffff3 % 0xfffffffd,
	// 0xfffffff3 % 4, 13 % 0xfffffffd (and the 64-bit counterparts).
	add(result(0x80000000), whySigned, both, "smod32-intmin-by-negone-imm.data", "smod32-intmin-by-negone-reg.data")
	add(result(0xfffffff3), whySigned, both, "smod32-neg-by-neg-imm.data", "smod32-neg-by-neg-reg.data")
	add(result(3), whySigned, both,
		"smod32-neg-by-pos-imm.data", "smod32-neg-by-pos-reg.data",
		"smod64-neg-by-pos-imm.data", "smod64-neg-by-pos-reg.data")
	add(result(13), whySigned, both,
		"smod32-pos-by-neg-imm.data", "smod32-pos-by-neg-reg.data",
		"smod64-pos-by-neg-imm.data", "smod64-pos-by-neg-reg.data")
	add(result(0x8000000000000000), whySigned, both, "smod64-intmin-by-negone-imm.data", "smod64-intmin-by-negone-reg.data")
	add(result(0xfffffffffffffff3), whySigned, both, "smod64-neg-by-neg-imm.data", "smod64-neg-by-neg-reg.data")
	// The RFC checks: the unsigned quotient or remainder fails the first
	// check, so r0=0.
	add(result(0), whySigned, both, "rfc9669_sdiv64.data", "rfc9669_smod64.data")
	add(result(0), whySigned, v3, "rfc9669_sdiv32.data", "rfc9669_smod32.data")
	add(fault("UnsupportedInstruction"), whyHelperV0, v0, "call_unwind_fail.data")
	add(rejected("InvalidSyscall"), whyHelperV3, v3, "call_unwind_fail.data")
	add(fault("CallOutsideTextSegment"), whyCallx, both, "callx.data")
	return m
}()

// conformanceDir finds ../shared/conformance relative to the module root.
func conformanceDir(t *testing.T) string {
	dir := filepath.Join(filepath.Dir(moduleRoot(t)), "shared", "conformance", "bpf_conformance")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the eBPF conformance suite is absent (%s): a plain clone has no ../shared; skipping", dir)
	}
	return dir
}

// TestEBPFConformance runs every file of the eBPF ISA conformance suite
// under V0 and V3 and classifies it: the same result as eBPF, different by
// design, rejected by design (both as ebpfByDesign says), or wrong.
func TestEBPFConformance(t *testing.T) {
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no .data files in %s", dir)
	}
	reg := newRegistry(t)
	type tally struct{ same, differs, rejected, wrong int }
	counts := map[sbpf.Version]*tally{}
	seen := map[string]bool{}
	var notes []string
	for _, v := range ebpfVersions {
		counts[v] = &tally{}
	}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		et, err := ParseEBPFTest(name, data)
		if err != nil {
			t.Errorf("%s: wrong: cannot translate: %v", name, err)
			for _, v := range ebpfVersions {
				counts[v].wrong++
			}
			continue
		}
		for _, v := range ebpfVersions {
			c := counts[v]
			got, err := runEBPF(et, v, reg)
			if err != nil {
				t.Errorf("%s [%s]: wrong: %v", name, v, err)
				c.wrong++
				continue
			}
			note, listed := ebpfByDesign[name][v]
			switch {
			case !listed && got == result(et.Result):
				c.same++
			case !listed:
				t.Errorf("%s [%s]: wrong (unexplained): eBPF gives r0=%#x, sBPF gave %s", name, v, et.Result, got)
				c.wrong++
			case got != note.want:
				t.Errorf("%s [%s]: wrong: by design sBPF gives %s (%s), got %s", name, v, note.want, note.why, got)
				c.wrong++
			case got.Rejected != "":
				c.rejected++
				notes = append(notes, fmt.Sprintf("%-36s %s  rejected by design: %-36s %s", name, v, got, note.why))
			default:
				c.differs++
				notes = append(notes, fmt.Sprintf("%-36s %s  differs by design: %-18s (eBPF r0=%#x) %s", name, v, got, et.Result, note.why))
			}
		}
	}
	for name := range ebpfByDesign {
		if !seen[name] {
			t.Errorf("ebpfByDesign names %s, which is not in %s", name, dir)
		}
	}
	if testing.Verbose() {
		t.Logf("files that are not the same as eBPF:\n%s", strings.Join(notes, "\n"))
	}
	line := func(category string, n func(*tally) int) {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%-19s", category+":")
		for _, v := range ebpfVersions {
			fmt.Fprintf(&sb, " %s %3d", v, n(counts[v]))
		}
		t.Log(sb.String())
	}
	t.Logf("%d files of %s", len(files), dir)
	line("same", func(c *tally) int { return c.same })
	line("differs by design", func(c *tally) int { return c.differs })
	line("rejected by design", func(c *tally) int { return c.rejected })
	line("wrong", func(c *tally) int { return c.wrong })
}
