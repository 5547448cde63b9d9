package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
)

// The transactional-memory syscalls whose pairing TxPairing proves
// (package ext/txmem implements them; docs/extensions.md).
const (
	TxBeginName  = extnames.TxBegin
	TxCommitName = extnames.TxCommit
	TxAbortName  = extnames.TxAbort
	TxTestName   = extnames.TxTest
)

// Syscalls that never return: a path ends at them (the run fails).
var noReturnSyscalls = [...]string{"abort", "sol_panic_"}

// PairingVerdict is the outcome of TxPairing, for a program or for one
// finding.
type PairingVerdict uint8

// Verdicts.
const (
	// PairingProven: on every path from the entry point, tx_begin is never
	// called with a transaction open, tx_commit and tx_abort never without
	// one, and the program never exits with one open.
	PairingProven PairingVerdict = iota + 1
	// PairingViolation: some control-flow path breaks a rule. Conditional
	// branches are taken to go either way, except those that test the
	// result of agora_tx_test, whose outcome the analysis knows; a
	// violation may therefore lie on a path that the program's data never
	// takes, but the program's structure does not rule it out.
	PairingViolation
	// PairingNotProvable: the analysis could not follow every path (an
	// indirect call, or its state bound was reached). This is never
	// "safe": the runtime's checks remain the only guarantee.
	PairingNotProvable
)

// String returns "proven", "violation" or "not provable".
func (v PairingVerdict) String() string {
	switch v {
	case PairingProven:
		return "proven"
	case PairingViolation:
		return "violation"
	case PairingNotProvable:
		return "not provable"
	}
	return fmt.Sprintf("PairingVerdict(%d)", uint8(v))
}

// PairingKind says what a finding is about. The first three are the
// run-time error kinds of package ext/txmem that the finding predicts.
type PairingKind uint8

// Finding kinds.
const (
	PairNestedTransaction   PairingKind = iota + 1 // tx_begin with a transaction open
	PairNoActiveTransaction                        // tx_commit or tx_abort with none open
	PairTransactionLeak                            // exit from the entry function with one open
	PairIndirectCall                               // callx: the callee is unknown
	PairAnalysisLimit                              // the state bound was reached
)

// String returns the kind's name, e.g. "TransactionLeak".
func (k PairingKind) String() string {
	switch k {
	case PairNestedTransaction:
		return "NestedTransaction"
	case PairNoActiveTransaction:
		return "NoActiveTransaction"
	case PairTransactionLeak:
		return "TransactionLeak"
	case PairIndirectCall:
		return "IndirectCall"
	case PairAnalysisLimit:
		return "AnalysisLimit"
	}
	if s, ok := k.laneString(); ok {
		return s
	}
	return fmt.Sprintf("PairingKind(%d)", uint8(k))
}

// PairingFinding is one reason a program's pairing is not proven.
type PairingFinding struct {
	Kind PairingKind
	// Verdict is PairingViolation, or PairingNotProvable when the
	// finding is only reachable through an indirect call (whose callee
	// might open or close a transaction) or says why the analysis gave up.
	Verdict PairingVerdict
	// PC is the instruction the finding is at (-1 for AnalysisLimit).
	PC int
	// Line is PC's source line from PairingOptions.Lines, or 0.
	Line int
	// OpenedAt is the pc of the tx_begin that opened the transaction in
	// question (NestedTransaction, TransactionLeak), or -1.
	OpenedAt int
	// Message says it in words.
	Message string
}

// String renders the finding as "pc N (line L): verdict Kind: message".
func (f PairingFinding) String() string {
	where := fmt.Sprintf("pc %d", f.PC)
	if f.Line > 0 {
		where += fmt.Sprintf(" (line %d)", f.Line)
	}
	return fmt.Sprintf("%s: %s %s: %s", where, f.Verdict, f.Kind, f.Message)
}

// PairingReport is the result of TxPairing.
type PairingReport struct {
	// Verdict is PairingViolation if any finding is a violation, else
	// PairingNotProvable if there is any finding, else PairingProven.
	Verdict  PairingVerdict
	Findings []PairingFinding // sorted by pc, then kind
	// States is the number of (function context, pc, state) triples
	// explored.
	States int
}

// String lists the verdict and the findings, one per line.
func (r *PairingReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "transaction pairing: %s", r.Verdict)
	for _, f := range r.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// PairingOptions describe the program beyond its text. The zero value
// analyses a raw program entered at pc 0 with no function registry, every
// call that is not a function being a syscall that returns.
type PairingOptions struct {
	// Entry is the pc execution starts at.
	Entry int
	// Functions is the function registry (vm.Program.Functions): in V0-V2
	// `call imm` that is not a syscall calls Functions[imm].
	Functions map[uint32]int
	// Syscalls are the registered syscalls. With a set, a V0-V2 call that
	// is neither a syscall nor a function faults, as in the VM; nil takes
	// it as a syscall that returns. The transaction syscalls are
	// recognised by name whatever the set says.
	Syscalls SyscallSet
	// Lines optionally maps a pc to its source line (sbpf/asm's
	// Program.Lines, or a DWARF line table), for the findings.
	Lines []int
	// MaxStates bounds the analysis; 0 means DefaultPairingMaxStates.
	MaxStates int
}

// DefaultPairingMaxStates bounds TxPairing's work when PairingOptions
// give no bound.
const DefaultPairingMaxStates = 1 << 20

// TxPairing proves that a program uses transactional memory correctly on
// every path: no tx_begin while a transaction is open, no tx_commit or
// tx_abort without one, and no exit from the entry function with one
// open — the run-time faults NestedTransaction, NoActiveTransaction and
// TransactionLeak of package ext/txmem.
//
// It explores the control-flow graph from the entry point with the
// transaction's state (open or closed, where it was opened, and which
// registers hold agora_tx_test's answer) as the abstract state, exactly,
// so no information is lost at merges. Local calls are analysed per
// calling state with function summaries (the states a function can return
// in), computed to a fixed point, so recursion is handled; r6-r9 survive a
// call, as the VM restores them. A path ends where the VM would fault: at
// an unknown opcode, a jump or fall-through out of the text, an
// unresolved call, or a syscall that never returns (abort, sol_panic_).
// An indirect call (callx) is a NotProvable finding; the analysis goes on
// past it assuming the callee left the transaction's state unchanged, but
// reports anything it then finds as not provable rather than as a
// violation. A program that calls none of the transaction syscalls is
// proven at once.
//
// The program need not have passed Structural: any text is analysed
// without panicking. A text whose length is not a multiple of 8, or an
// unknown version, is an error.
func TxPairing(text []byte, v sbpf.Version, opts *PairingOptions) (*PairingReport, error) {
	if err := checkText(text, v); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &PairingOptions{}
	}
	a := &pairing{
		flow:     newFlow[pstate](len(text)/sbpf.InsnSize, opts.MaxStates),
		text:     text,
		v:        v,
		opts:     opts,
		begin:    sbpf.SyscallHash(TxBeginName),
		commit:   sbpf.SyscallHash(TxCommitName),
		abort:    sbpf.SyscallHash(TxAbortName),
		test:     sbpf.SyscallHash(TxTestName),
		noReturn: noReturnHashes(),
	}
	a.ret = returnState
	a.onLimit = func(visited int) {
		a.report(PairAnalysisLimit, -1, pstate{tainted: true, openedAt: -1},
			fmt.Sprintf("gave up after %d states; pairing is not proven", visited))
	}
	rep := &PairingReport{Verdict: PairingProven}
	if !a.usesTransactions() {
		return rep, nil
	}
	a.run()
	rep.States = len(a.visited)
	rep.Verdict, rep.Findings = a.result()
	return rep, nil
}

// pstate is the abstract state at an instruction.
type pstate struct {
	open     bool
	tainted  bool   // reached through an indirect call
	flags    uint16 // bit r: register r holds what agora_tx_test would return now
	openedAt int32  // pc of the tx_begin that opened the transaction, or -1
}

const (
	argRegs    uint16 = 0b11_1111      // r0-r5, clobbered by calls
	calleeRegs uint16 = 0b11_1100_0000 // r6-r9, restored after a local call
)

type pairing struct {
	flow[pstate]
	text                       []byte
	v                          sbpf.Version
	opts                       *PairingOptions
	begin, commit, abort, test uint32
	noReturn                   []uint32

	findingSet
}

// usesTransactions reports whether any slot is a call of a transaction
// syscall that changes state (tx_test alone needs no pairing).
func (a *pairing) usesTransactions() bool {
	for pc := 0; pc < a.n; pc++ {
		insn := sbpf.Decode(a.text[pc*sbpf.InsnSize:])
		if a.v.Lookup(insn.Op) != sbpf.OpCall || (a.v.StaticSyscalls() && insn.Src != 0) {
			continue
		}
		switch uint32(insn.Imm) {
		case a.begin, a.commit, a.abort:
			return true
		}
	}
	return false
}

func (a *pairing) run() {
	closed := pstate{openedAt: -1}
	top := a.context(flowKey[pstate]{entry: int32(a.opts.Entry), in: closed, top: true})
	a.push(top, a.opts.Entry, closed)
	a.drain(a.step)
}

func (a *pairing) report(kind PairingKind, pc int, st pstate, msg string) {
	verdict := PairingViolation
	if kind > PairTransactionLeak {
		verdict = PairingNotProvable // the analysis could not follow a path
	} else if st.tainted {
		verdict = PairingNotProvable
		if kind <= PairTransactionLeak {
			msg += " (on a path through an indirect call, whose callee may have changed the transaction's state)"
		}
	}
	f := PairingFinding{Kind: kind, Verdict: verdict, PC: pc, OpenedAt: -1, Message: msg}
	if kind == PairNestedTransaction || kind == PairTransactionLeak {
		f.OpenedAt = int(st.openedAt)
	}
	a.add(f, a.opts.Lines)
}

func bit(r uint8) uint16 {
	if r > 10 {
		return 0
	}
	return 1 << r
}

// step explores the successors of one instruction.
func (a *pairing) step(ctx int32, pc int, st pstate) {
	insn := sbpf.Decode(a.text[pc*sbpf.InsnSize:])
	op := a.v.Lookup(insn.Op)
	info := op.Info()
	switch info.Format {
	case sbpf.FmtNone: // exit
		if op != sbpf.OpExit {
			return
		}
		c := a.contexts[ctx]
		if c.key.top {
			if st.open {
				a.report(PairTransactionLeak, pc, st, fmt.Sprintf("exit with the transaction opened at pc %d still open", st.openedAt))
			}
			return
		}
		a.addExit(ctx, st)
	case sbpf.FmtLDDW:
		if pc+1 >= a.n {
			return
		}
		st.flags &^= bit(insn.Dst)
		a.push(ctx, pc+2, st)
	case sbpf.FmtJa:
		a.push(ctx, pc+1+int(insn.Off), st)
	case sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		target := pc + 1 + int(insn.Off)
		if taken, known := a.decide(op, info, insn, st); known {
			if taken {
				a.push(ctx, target, st)
			} else {
				a.push(ctx, pc+1, st)
			}
			return
		}
		a.push(ctx, target, st)
		a.push(ctx, pc+1, st)
	case sbpf.FmtCall:
		a.call(ctx, pc, st, insn)
	case sbpf.FmtCallx:
		a.report(PairIndirectCall, pc, st, "indirect call: the callee is not known statically")
		st.tainted = true
		st.flags = 0
		a.push(ctx, pc+1, st)
	case sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		a.push(ctx, pc+1, st)
	default:
		if op == sbpf.OpInvalid {
			return // faults
		}
		// ALU, load, endian: the destination is written.
		f := st.flags &^ bit(insn.Dst)
		if (op == sbpf.OpMov64Reg || op == sbpf.OpMov32Reg) && st.flags&bit(insn.Src) != 0 {
			f |= bit(insn.Dst) // a copy of a 0/1 flag, in 32 or 64 bits
		}
		st.flags = f
		a.push(ctx, pc+1, st)
	}
}

// decide evaluates a conditional jump whose operands hold agora_tx_test's
// answer (or an immediate), which the state determines.
func (a *pairing) decide(op sbpf.Op, info sbpf.OpInfo, insn sbpf.Instruction, st pstate) (taken, known bool) {
	flag := uint64(0)
	if st.open {
		flag = 1
	}
	if st.flags&bit(insn.Dst) == 0 {
		return false, false
	}
	x, y := flag, uint64(int64(insn.Imm))
	if info.Format == sbpf.FmtJumpReg {
		if st.flags&bit(insn.Src) == 0 {
			return false, false
		}
		y = flag
	}
	if info.Is32 {
		x, y = uint64(uint32(x)), uint64(uint32(y))
		return compare32(op, uint32(x), uint32(y))
	}
	return compare64(op, x, y)
}

func compare64(op sbpf.Op, x, y uint64) (bool, bool) {
	sx, sy := int64(x), int64(y)
	switch op {
	case sbpf.OpJeqImm, sbpf.OpJeqReg:
		return x == y, true
	case sbpf.OpJneImm, sbpf.OpJneReg:
		return x != y, true
	case sbpf.OpJgtImm, sbpf.OpJgtReg:
		return x > y, true
	case sbpf.OpJgeImm, sbpf.OpJgeReg:
		return x >= y, true
	case sbpf.OpJltImm, sbpf.OpJltReg:
		return x < y, true
	case sbpf.OpJleImm, sbpf.OpJleReg:
		return x <= y, true
	case sbpf.OpJsetImm, sbpf.OpJsetReg:
		return x&y != 0, true
	case sbpf.OpJsgtImm, sbpf.OpJsgtReg:
		return sx > sy, true
	case sbpf.OpJsgeImm, sbpf.OpJsgeReg:
		return sx >= sy, true
	case sbpf.OpJsltImm, sbpf.OpJsltReg:
		return sx < sy, true
	case sbpf.OpJsleImm, sbpf.OpJsleReg:
		return sx <= sy, true
	}
	return false, false
}

func compare32(op sbpf.Op, x, y uint32) (bool, bool) {
	sx, sy := int32(x), int32(y)
	switch op {
	case sbpf.OpJeq32Imm, sbpf.OpJeq32Reg:
		return x == y, true
	case sbpf.OpJne32Imm, sbpf.OpJne32Reg:
		return x != y, true
	case sbpf.OpJgt32Imm, sbpf.OpJgt32Reg:
		return x > y, true
	case sbpf.OpJge32Imm, sbpf.OpJge32Reg:
		return x >= y, true
	case sbpf.OpJlt32Imm, sbpf.OpJlt32Reg:
		return x < y, true
	case sbpf.OpJle32Imm, sbpf.OpJle32Reg:
		return x <= y, true
	case sbpf.OpJset32Imm, sbpf.OpJset32Reg:
		return x&y != 0, true
	case sbpf.OpJsgt32Imm, sbpf.OpJsgt32Reg:
		return sx > sy, true
	case sbpf.OpJsge32Imm, sbpf.OpJsge32Reg:
		return sx >= sy, true
	case sbpf.OpJslt32Imm, sbpf.OpJslt32Reg:
		return sx < sy, true
	case sbpf.OpJsle32Imm, sbpf.OpJsle32Reg:
		return sx <= sy, true
	}
	return false, false
}

// call follows `call imm` as the VM resolves it.
func (a *pairing) call(ctx int32, pc int, st pstate, insn sbpf.Instruction) {
	imm := uint32(insn.Imm)
	if !a.v.StaticSyscalls() || insn.Src == 0 {
		switch imm {
		case a.begin:
			if st.open {
				a.report(PairNestedTransaction, pc, st, fmt.Sprintf("tx_begin with the transaction opened at pc %d still open", st.openedAt))
				return
			}
			a.push(ctx, pc+1, pstate{open: true, tainted: st.tainted, openedAt: int32(pc)})
			return
		case a.commit, a.abort:
			if !st.open {
				name := "tx_commit"
				if imm == a.abort {
					name = "tx_abort"
				}
				a.report(PairNoActiveTransaction, pc, st, name+" without an open transaction")
				return
			}
			a.push(ctx, pc+1, pstate{tainted: st.tainted, openedAt: -1})
			return
		case a.test:
			st.flags = st.flags&^argRegs | bit(0)
			a.push(ctx, pc+1, st)
			return
		}
		if slices.Contains(a.noReturn, imm) {
			return
		}
		syscalls := a.opts.Syscalls
		if syscalls != nil && syscalls.HasSyscall(imm) {
			st.flags &^= argRegs
			a.push(ctx, pc+1, st)
			return
		}
		if !a.v.StaticSyscalls() {
			if target, ok := a.opts.Functions[imm]; ok {
				a.callLocal(ctx, pc, st, target)
				return
			}
		}
		if syscalls == nil {
			st.flags &^= argRegs // an unknown syscall that returns
			a.push(ctx, pc+1, st)
		}
		return // unresolved: the VM faults
	}
	if insn.Src == 1 {
		a.callLocal(ctx, pc, st, pc+1+int(insn.Imm))
	}
}

// callLocal enters target in the caller's state (less the frame pointer's
// flag) and returns through every exit state of the callee's context.
func (a *pairing) callLocal(ctx int32, pc int, st pstate, target int) {
	in := st
	in.flags &^= bit(sbpf.FramePointerReg)
	a.flow.callLocal(ctx, pc, st, in, target)
}

// returnState is the caller's state after a call made in caller returned
// in exit: the callee's transaction state and r0-r5, the caller's r6-r9
// (which the VM restores) while their flags still hold.
func returnState(caller, exit pstate) pstate {
	out := exit
	out.tainted = caller.tainted || exit.tainted
	out.flags = exit.flags & argRegs
	if exit.open == caller.open {
		out.flags |= caller.flags & calleeRegs
	}
	return out
}
