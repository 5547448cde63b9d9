// Package deep is the driver of the deep verifier: it runs the abstract
// interpreter (memory safety), the symbolic executor (overflow, faults
// with counterexamples, economic invariants, resource bounds) and the
// taint analysis over one program and gathers their verdicts into one
// report of what is proven, what is violated (with an input that shows
// it) and what is unknown (and why).
//
// It never calls anything proven that an analysis could not prove: a
// bound reached, a construct not modelled or a solver timeout makes the
// property unknown. It only reads the program; running counterexamples is
// its callers' business.
package deep

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/verify/absint"
	"github.com/agora-vm/agora/verify/econ"
	"github.com/agora-vm/agora/verify/symex"
	"github.com/agora-vm/agora/verify/taint"
)

// Accounts describe an instruction's shape: the accounts (their data
// lengths, owners and flags fix the input layout; their lamports and data
// are symbolic), the program id, and the instruction data's length.
type Accounts struct {
	Inputs    []abi.AccountInput
	ProgramID [32]byte
	DataLen   int
}

// Options say what to analyse.
type Options struct {
	Version     sbpf.Version
	Text        []byte
	Entry       int
	Functions   map[uint32]int
	ROData      []byte
	RODataVAddr uint64
	HeapSize    int
	// Syscalls names registered syscalls by hash (nil: none known).
	Syscalls func(hash uint32) (string, bool)
	// Lines gives "file:line" per pc ("" where unknown).
	Lines []string
	// Accounts, when set, runs the program as an instruction over them.
	Accounts *Accounts
	// Private are taint sources; Invariants are checked at every exit.
	Private    []taint.Spec
	Invariants []*econ.Expr
	// Timeout bounds the whole analysis; 0 means 30s.
	Timeout time.Duration
	// MaxPaths and MaxPathSteps bound the symbolic execution (paths, and
	// instructions on one path); 0 means its defaults.
	MaxPaths, MaxPathSteps int
	// MaxSolverWork bounds the symbolic execution's solver work (gates
	// summed over its queries); 0 means symex's default.
	MaxSolverWork int64
	// QueryTimeout bounds one solver call; 0 means 2s.
	QueryTimeout time.Duration
	// Price gives a syscall's compute units from its size operands
	// (symex.Config.Price): with it the CU bound includes the syscalls'
	// prices; without it a program that calls syscalls gets a bound on
	// its instructions only.
	Price func(name string, sizes []uint64) (uint64, bool)
}

// Counterexample is an input that reaches a finding: raw input bytes, or
// instruction data and accounts (in the accounts file format).
type Counterexample struct {
	InputHex string        `json:"input_hex,omitempty"`
	DataHex  *string       `json:"data_hex,omitempty"`
	Accounts []AccountJSON `json:"accounts,omitempty"`
}

// AccountJSON is one account of a counterexample, as `agora run
// --accounts` reads it.
type AccountJSON struct {
	Key        string `json:"key"`
	Owner      string `json:"owner"`
	Lamports   uint64 `json:"lamports"`
	DataHex    string `json:"data_hex"`
	Signer     bool   `json:"signer"`
	Writable   bool   `json:"writable"`
	Executable bool   `json:"executable"`
}

// Finding is one violation.
type Finding struct {
	Kind           string          `json:"kind"` // overflow, oob, leak, conservation, invariant, unbounded
	PC             int             `json:"pc"`
	Line           string          `json:"line,omitempty"`
	Path           []int           `json:"path"`
	Counterexample *Counterexample `json:"counterexample,omitempty"`
	Message        string          `json:"message"`
	// Input is the whole input region of the counterexample (raw bytes,
	// or the serialized instruction).
	Input []byte `json:"-"`
}

// Report is the verdict: the last JSON line of `agora verify --deep`.
type Report struct {
	Proven   []string  `json:"proven"`
	Findings []Finding `json:"findings"`
	Unknown  []string  `json:"unknown"`
	// Stats are figures about the run, not verdicts.
	Stats Stats `json:"-"`
}

// Stats count the work done.
type Stats struct {
	AbsintSteps int
	Paths       int
	MaxCU       uint64
	// Queries are the symbolic execution's satisfiability checks, Solved
	// those that needed the solver, SolverWork the gates they summed.
	Queries, Solved int
	SolverWork      int64
	// The wall time of each analysis.
	Absint, Taint, Symex time.Duration
}

// Exit codes of `agora verify --deep`.
const (
	ExitProven   = 0
	ExitViolated = 1
	ExitUnknown  = 3
)

// ExitCode is 1 with any finding, else 3 with anything unknown, else 0.
func (r *Report) ExitCode() int {
	switch {
	case len(r.Findings) > 0:
		return ExitViolated
	case len(r.Unknown) > 0:
		return ExitUnknown
	}
	return ExitProven
}

// ErrUsage marks an option that cannot be honoured (wrapped).
var ErrUsage = errors.New("deep: bad options")

// Analyze runs every analysis.
func Analyze(o *Options) (*Report, error) {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = 2 * time.Second
	}
	if len(o.Invariants) > 0 && o.Accounts == nil {
		return nil, fmt.Errorf("%w: --invariant needs --accounts", ErrUsage)
	}
	deadline := time.Now().Add(o.Timeout)
	rep := &Report{Proven: []string{}, Findings: []Finding{}, Unknown: []string{}}
	in, err := o.input()
	if err != nil {
		return nil, err
	}
	for _, p := range o.Private {
		if err := p.Validate(in.taintShape()); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
	}
	for _, inv := range o.Invariants {
		if err := econ.Check(inv, in.dataLens); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUsage, err)
		}
	}

	// 1. Memory safety by abstract interpretation.
	prog := &absint.Program{Version: o.Version, Text: o.Text, Entry: o.Entry, Functions: o.Functions, Syscalls: o.Syscalls}
	lay := &absint.Layout{InputLen: in.absLen, Input: in.bytes, InputKnown: in.known, HeapSize: o.HeapSize, ROData: o.ROData, RODataVAddr: o.RODataVAddr}
	t0 := time.Now()
	ai, err := absint.Analyze(prog, lay, absint.Options{})
	rep.Stats.Absint = time.Since(t0)
	if err != nil && !errors.Is(err, absint.ErrLimit) {
		return nil, err
	}
	if ai != nil {
		rep.Stats.AbsintSteps = ai.States
	}

	// 2. Information flow, before the symbolic execution, which may use
	// all the time left.
	var tr *taint.Result
	t0 = time.Now()
	if len(o.Private) > 0 {
		tr, err = taint.Analyze(&taint.Program{Version: o.Version, Text: o.Text, Entry: o.Entry, Functions: o.Functions, Syscalls: o.Syscalls, Deadline: deadline},
			ai, in.taintShape(), o.Private)
		if err != nil {
			return nil, err
		}
	}
	rep.Stats.Taint = time.Since(t0)

	// 3. Symbolic execution on a concrete input shape.
	if o.Accounts == nil {
		n := 8
		if ai != nil {
			n = max(n, ai.NeedInput)
		}
		if ai == nil || !allInputProven(ai) {
			n = max(n, 64)
		}
		n = min(n, 4096)
		in.bytes = make([]byte, n)
		in.symbolic = make([]bool, n)
		for i := range in.symbolic {
			in.symbolic[i] = true
		}
	}
	cfg := &symex.Config{Version: o.Version, Text: o.Text, Entry: o.Entry, Functions: o.Functions, Syscalls: o.Syscalls,
		ROData: o.ROData, RODataVAddr: o.RODataVAddr, HeapSize: o.HeapSize,
		Input: in.bytes, Symbolic: in.symbolic, Accounts: in.accounts, Conservation: o.Accounts != nil,
		Invariants: o.Invariants, Overflow: true, Deadline: deadline, MaxPaths: o.MaxPaths, MaxPathSteps: o.MaxPathSteps,
		QueryTimeout: o.QueryTimeout, MaxSolverWork: o.MaxSolverWork, Price: o.Price}
	if ai != nil {
		cfg.NoWrap = func(pc int) bool { return noWrap(o, ai, pc) }
	}
	t0 = time.Now()
	sx, err := symex.Run(cfg)
	if err != nil {
		return nil, err
	}
	rep.Stats.Symex = time.Since(t0)
	rep.Stats.Paths, rep.Stats.MaxCU = sx.Paths, sx.MaxCU
	rep.Stats.Queries, rep.Stats.Solved, rep.Stats.SolverWork = sx.Queries, sx.Solved, sx.SolverWork
	// A raw-mode exploration covers every input only when every input
	// access is proven within the bytes it had.
	exhaustive := sx.Complete && (o.Accounts != nil || ai != nil && allInputProven(ai) && len(ai.Unknown) == 0)
	why := sx.Why
	if sx.Complete && !exhaustive {
		why = []string{fmt.Sprintf("the paths were explored for %d input bytes only, and longer inputs were not shown to behave the same", len(in.bytes))}
	}
	for _, f := range sx.Findings {
		rep.Findings = append(rep.Findings, o.finding(f.Kind, f.PC, f.Path, f.Input, f.Message, in))
	}

	// Memory verdicts.
	oobAt := map[int]bool{}
	for _, f := range sx.Findings {
		if f.Kind == "oob" {
			oobAt[f.PC] = true
		}
	}
	// Violations found only past an over-approximated syscall: neither
	// findings nor ruled out.
	type site struct {
		kind string
		pc   int
	}
	uncertain, listed := map[string]bool{}, map[site]bool{}
	for _, f := range sx.Uncertain {
		if listed[site{f.Kind, f.PC}] || hasKind(sx.Findings, f.Kind) {
			continue
		}
		listed[site{f.Kind, f.PC}], uncertain[f.Kind] = true, true
		rep.Unknown = append(rep.Unknown, fmt.Sprintf("%s: pc %d%s: %s", f.Kind, f.PC, o.at(f.PC), f.Message))
	}
	// open reports that nothing was found or left uncertain of kind k.
	open := func(k string) bool { return !hasKind(sx.Findings, k) && !uncertain[k] }
	switch {
	case ai == nil:
		if exhaustive && open("oob") {
			rep.Proven = append(rep.Proven, "memory: every load and store is in bounds on every path (symbolic execution)")
		} else if !hasKind(sx.Findings, "oob") {
			rep.Unknown = append(rep.Unknown, "memory: the abstract interpretation reached its step bound")
		}
	default:
		unproven := 0
		for _, x := range ai.Accesses {
			if x.Proven || oobAt[x.PC] {
				continue
			}
			if exhaustive {
				continue // every path was followed and none faults here
			}
			unproven++
			if unproven > maxMemoryUnknown {
				continue
			}
			rep.Unknown = append(rep.Unknown, fmt.Sprintf("memory: pc %d%s may fault: %s", x.PC, o.at(x.PC), x.Reason))
		}
		if unproven > maxMemoryUnknown {
			rep.Unknown = append(rep.Unknown, fmt.Sprintf("memory: %d more accesses may fault (not listed)", unproven-maxMemoryUnknown))
		}
		for _, n := range ai.Unknown {
			if exhaustive {
				continue
			}
			unproven++
			rep.Unknown = append(rep.Unknown, fmt.Sprintf("memory: pc %d%s: %s", n.PC, o.at(n.PC), n.Message))
		}
		if unproven == 0 && len(oobAt) == 0 && !uncertain["oob"] {
			msg := "memory: every load and store is in bounds on every path"
			if o.Accounts == nil && ai.NeedInput > 0 {
				msg += fmt.Sprintf(" (for inputs of at least %d bytes)", ai.NeedInput)
			}
			rep.Proven = append(rep.Proven, msg)
		}
	}

	// Overflow.
	if open("overflow") {
		if exhaustive {
			rep.Proven = append(rep.Proven, "overflow: no add, sub, mul, shift or neg wraps on any input")
		} else {
			rep.Unknown = append(rep.Unknown, "overflow: no wrap found on the paths explored, but "+joinWhy(why))
		}
	}

	// Economics.
	if o.Accounts != nil {
		if open("conservation") {
			if exhaustive {
				rep.Proven = append(rep.Proven, "conservation: lamports are conserved and only owned accounts are debited on every successful path")
			} else {
				rep.Unknown = append(rep.Unknown, "conservation: "+joinWhy(why))
			}
		}
		if len(o.Invariants) > 0 && open("invariant") {
			if exhaustive {
				rep.Proven = append(rep.Proven, fmt.Sprintf("invariant: the %d invariant(s) hold after every successful path", len(o.Invariants)))
			} else {
				rep.Unknown = append(rep.Unknown, "invariant: "+joinWhy(why))
			}
		}
	}

	// Resource bounds.
	switch {
	case !open("unbounded"):
	case exhaustive && !sx.Syscalls:
		rep.Proven = append(rep.Proven, fmt.Sprintf("cu: at most %d compute units on every path", sx.MaxCU))
		rep.Proven = append(rep.Proven, fmt.Sprintf("stack: at most %d frame(s) of %d bytes", sx.MaxDepth, sbpf.StackFrameSize))
	case exhaustive && o.Price != nil && len(sx.Unpriced) == 0:
		rep.Proven = append(rep.Proven, fmt.Sprintf("cu: at most %d compute units on every path (the syscalls' prices included)", sx.MaxCU))
		rep.Proven = append(rep.Proven, fmt.Sprintf("stack: at most %d frame(s) of %d bytes", sx.MaxDepth, sbpf.StackFrameSize))
	case exhaustive && o.Price != nil:
		rep.Unknown = append(rep.Unknown, fmt.Sprintf("cu: no bound proven: no static price for %s (the price depends on what the analysis does not model)", strings.Join(sx.Unpriced, ", ")))
		rep.Proven = append(rep.Proven, fmt.Sprintf("stack: at most %d frame(s) of %d bytes", sx.MaxDepth, sbpf.StackFrameSize))
	case exhaustive:
		rep.Proven = append(rep.Proven, fmt.Sprintf("cu: at most %d instructions on every path, plus the syscalls' prices", sx.MaxCU))
		rep.Proven = append(rep.Proven, fmt.Sprintf("stack: at most %d frame(s) of %d bytes", sx.MaxDepth, sbpf.StackFrameSize))
	default:
		rep.Unknown = append(rep.Unknown, "cu: no bound proven: "+joinWhy(why))
	}
	if ai != nil && ai.HeapEnd > 0 && allProven(ai) {
		rep.Proven = append(rep.Proven, fmt.Sprintf("heap: at most %d bytes touched", ai.HeapEnd))
	}

	// Information flow.
	if tr != nil {
		for _, l := range tr.Leaks {
			f := Finding{Kind: "leak", PC: l.PC, Line: o.line(l.PC), Path: l.Path, Message: l.Message}
			rep.Findings = append(rep.Findings, f)
		}
		switch {
		case len(tr.Leaks) > 0:
		case tr.Complete:
			rep.Proven = append(rep.Proven, "leak: no private input reaches r0, return data, logs, CPI data or unowned accounts")
		default:
			rep.Unknown = append(rep.Unknown, "leak: "+joinWhy(tr.Why))
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return cmp.Or(cmp.Compare(a.PC, b.PC), cmp.Compare(a.Kind, b.Kind)) })
	return rep, nil
}

// noWrap reports whether the abstract interpretation's ranges before pc
// rule out the wrap-around symex.Wraps defines, on every path.
func noWrap(o *Options, ai *absint.Result, pc int) bool {
	if pc < 0 || (pc+1)*sbpf.InsnSize > len(o.Text) {
		return false
	}
	insn := sbpf.Decode(o.Text[pc*sbpf.InsnSize:])
	op := o.Version.Lookup(insn.Op)
	info := op.Info()
	d, ok := ai.RegAt(pc, insn.Dst)
	if !ok || d.Kind != absint.VScalar {
		return false
	}
	s := absint.Val{Kind: absint.VScalar, N: absint.Const(uint64(int64(insn.Imm)))}
	if info.Format == sbpf.FmtALUReg {
		if s, ok = ai.RegAt(pc, insn.Src); !ok || s.Kind != absint.VScalar {
			return false
		}
	}
	dn, sn := d.N, s.N

	if info.Is32 {
		if dn.Umax > math.MaxUint32 || sn.Umax > math.MaxUint32 {
			return false
		}
	}
	limit := uint64(math.MaxUint64)
	if info.Is32 {
		limit = math.MaxUint32
	}
	negImm := info.Format == sbpf.FmtALUImm && insn.Imm < 0
	switch op {
	case sbpf.OpAdd64Imm, sbpf.OpAdd64Reg, sbpf.OpAdd32Imm, sbpf.OpAdd32Reg:
		if negImm {
			return !info.Is32 && dn.Umin >= uint64(-int64(insn.Imm))
		}
		sum, carry := bits.Add64(dn.Umax, sn.Umax, 0)
		return carry == 0 && sum <= limit
	case sbpf.OpSub64Imm, sbpf.OpSub64Reg, sbpf.OpSub32Imm, sbpf.OpSub32Reg:
		if o.Version.SwapSubImmOperands() && info.Format == sbpf.FmtALUImm {
			return false // V2: imm - dst; the solver decides
		}
		return !negImm && dn.Umin >= sn.Umax
	case sbpf.OpMul64Imm, sbpf.OpMul64Reg, sbpf.OpMul32Imm, sbpf.OpMul32Reg:
		if negImm {
			return false
		}
		hi, lo := bits.Mul64(dn.Umax, sn.Umax)
		return hi == 0 && lo <= limit
	}
	return false
}

// maxMemoryUnknown bounds the memory accesses listed one by one.
const maxMemoryUnknown = 20

func joinWhy(why []string) string {
	if len(why) == 0 {
		return "the exploration was incomplete"
	}
	s := why[0]
	for _, w := range why[1:] {
		s += "; " + w
	}
	return s
}

func hasKind(fs []symex.Finding, kind string) bool {
	return slices.ContainsFunc(fs, func(f symex.Finding) bool { return f.Kind == kind })
}

// allInputProven: every access that may touch the input region is
// proven, so in raw mode the bytes past NeedInput are never read.
func allInputProven(ai *absint.Result) bool {
	for _, x := range ai.Accesses {
		if !x.Proven && (x.Region == absint.RInput || x.Region == absint.RNone) {
			return false
		}
	}
	return true
}

func allProven(ai *absint.Result) bool {
	for _, x := range ai.Accesses {
		if !x.Proven {
			return false
		}
	}
	return len(ai.Unknown) == 0
}

func (o *Options) line(pc int) string {
	if pc >= 0 && pc < len(o.Lines) {
		return o.Lines[pc]
	}
	return ""
}

func (o *Options) at(pc int) string {
	if l := o.line(pc); l != "" {
		return " (" + l + ")"
	}
	return ""
}

// finding turns a symbolic-execution finding into a reported one.
func (o *Options) finding(kind string, pc int, path []int, input []byte, msg string, in *inputShape) Finding {
	f := Finding{Kind: kind, PC: pc, Line: o.line(pc), Path: path, Message: msg, Input: input}
	if path == nil {
		f.Path = []int{pc}
	}
	if o.Accounts == nil {
		f.Counterexample = &Counterexample{InputHex: hex.EncodeToString(input)}
		return f
	}
	ce := &Counterexample{}
	data := hex.EncodeToString(input[in.dataOff : in.dataOff+o.Accounts.DataLen])
	ce.DataHex = &data
	for i, a := range o.Accounts.Inputs {
		e := in.layout.Entry(i)
		lam := binary.LittleEndian.Uint64(input[e.LamportsOffset:])
		d := input[e.DataOffset : e.DataOffset+e.DataLen]
		ce.Accounts = append(ce.Accounts, AccountJSON{Key: abi.EncodeKey(a.Key), Owner: abi.EncodeKey(a.Owner), Lamports: lam,
			DataHex: hex.EncodeToString(d), Signer: a.Signer, Writable: a.Writable, Executable: a.Executable})
	}
	f.Counterexample = ce
	return f
}

// inputShape is the input region the analyses assume.
type inputShape struct {
	absLen   int // -1: unknown (raw mode)
	bytes    []byte
	known    []bool
	symbolic []bool
	accounts []symex.Account
	layout   *abi.Layout
	dataOff  int
	dataLens []int
	owned    []bool
}

func (in *inputShape) taintShape() *taint.Shape {
	sh := &taint.Shape{Raw: in.layout == nil}
	if in.layout != nil {
		sh.DataOff = in.dataOff
		sh.DataLen = len(in.bytes) - in.dataOff - 32
		for i := 0; i < in.layout.NumEntries(); i++ {
			e := in.layout.Entry(i)
			sh.Accounts = append(sh.Accounts, taint.AccountShape{DataOff: e.DataOffset, DataLen: e.DataLen, Owned: in.owned[i]})
		}
	}
	return sh
}

func (o *Options) input() (*inputShape, error) {
	if o.Accounts == nil {
		return &inputShape{absLen: -1}, nil
	}
	a := o.Accounts
	if a.DataLen < 0 || a.DataLen > 10240 {
		return nil, fmt.Errorf("%w: instruction data length %d is outside 0..10240", ErrUsage, a.DataLen)
	}
	accts, ix, err := abi.Build(a.ProgramID, a.Inputs, make([]byte, a.DataLen))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	buf, lay, err := abi.Serialize(accts, ix)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	in := &inputShape{absLen: len(buf), bytes: buf, known: make([]bool, len(buf)), symbolic: make([]bool, len(buf)), layout: lay}
	in.dataOff = lay.InstructionDataOffset()
	for i := range a.DataLen {
		in.symbolic[in.dataOff+i] = true
	}
	for i := 0; i < lay.NumEntries(); i++ {
		e := lay.Entry(i)
		owned := a.Inputs[i].Owner == a.ProgramID
		in.owned = append(in.owned, owned)
		in.dataLens = append(in.dataLens, e.DataLen)
		in.accounts = append(in.accounts, symex.Account{LamportsOff: e.LamportsOffset, DataOff: e.DataOffset, DataLen: e.DataLen, Owned: owned, Dup: e.Duplicate})
		if e.Duplicate {
			continue
		}
		for j := range 8 {
			in.symbolic[e.LamportsOffset+j] = true
		}
		for j := range e.DataLen {
			in.symbolic[e.DataOffset+j] = true
		}
	}
	for i := range in.known {
		in.known[i] = !in.symbolic[i]
	}
	return in, nil
}
