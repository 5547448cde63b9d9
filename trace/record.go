package trace

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// DefaultInterval is the number of instructions between checkpoints. At
// the interpreter's speed it is a checkpoint every few hundred
// microseconds: seeking re-executes at most that much, and copying the
// state that often costs a few percent of the run (see agora bench trace).
const DefaultInterval = 1 << 18

// Options configure a recording.
type Options struct {
	// Interval is the number of instructions between checkpoints
	// (DefaultInterval when 0).
	Interval uint64
	// Logs, when set, returns every log line emitted so far (the syscall
	// context's messages); the recorder stores each syscall's new lines.
	// When nil, a run context with a Messages() []string method is used.
	Logs func() []string
	// Features describe how the run was composed; stored as given.
	Features []string
	// Debug is stored for debuggers.
	Debug DebugInfo
}

// Recorder records one run. Prepare the program against the registry
// Registry returns, then call Run.
type Recorder struct {
	opts    Options
	budget  uint64
	sysCU   uint64 // compute units charged by syscalls so far
	next    uint64 // instruction count of the next checkpoint
	nlogs   int
	logs0   int // log lines that existed before the run
	logFn   func() []string
	events  []SyscallEvent
	cps     []Checkpoint
	names   []string
	pending []Write // ranges the current syscall obtained for writing
}

// NewRecorder returns a recorder.
func NewRecorder(opts Options) *Recorder {
	if opts.Interval == 0 {
		opts.Interval = DefaultInterval
	}
	return &Recorder{opts: opts}
}

// Registry returns a registry with the syscalls of reg, each wrapped so
// that its answer is recorded.
func (r *Recorder) Registry(reg *vm.Registry) (*vm.Registry, error) {
	out := vm.NewRegistry()
	r.names = r.names[:0]
	for _, s := range reg.Syscalls() {
		if err := out.Register(s.Name, r.wrap(s)); err != nil {
			return nil, err
		}
		r.names = append(r.names, s.Name)
	}
	return out, nil
}

func (r *Recorder) observe(addr uint64, b []byte) {
	r.pending = append(r.pending, Write{Addr: addr, Data: b})
}

func (r *Recorder) wrap(s vm.Syscall) vm.SyscallFunc {
	fn, hash := s.Fn, s.Hash
	return func(m *vm.Machine, a1, a2, a3, a4, a5 uint64) (uint64, error) {
		before := m.Remaining()
		ev := SyscallEvent{
			Insns: r.budget - before - r.sysCU - 1,
			PC:    m.PC(),
			Hash:  hash,
			Args:  [5]uint64{a1, a2, a3, a4, a5},
		}
		r.pending = r.pending[:0]
		m.ObserveStores(r.observe)
		v, err := fn(m, a1, a2, a3, a4, a5)
		m.ObserveStores(nil)
		ev.R0, ev.CU = v, before-m.Remaining()
		r.sysCU += ev.CU
		for _, w := range r.pending {
			ev.Writes = append(ev.Writes, Write{Addr: w.Addr, Data: bytes.Clone(w.Data)})
		}
		if r.logFn != nil {
			all := r.logFn()
			if len(all) > r.nlogs {
				ev.Logs = slices.Clone(all[r.nlogs:])
				r.nlogs = len(all)
			}
		}
		if err != nil {
			ev.Err = &ErrInfo{Kind: vm.ErrorKindOf(err), Message: err.Error(), PC: -1}
		}
		r.events = append(r.events, ev)
		return v, err
	}
}

// Step takes a checkpoint when the interval has passed; Run installs the
// recorder as the run's hook with a stride of the interval.
func (r *Recorder) Step(m *vm.Machine, pc int) {
	insns := r.budget - m.Remaining() - 1 - r.sysCU
	if insns < r.next {
		return
	}
	r.cps = append(r.cps, Checkpoint{Insns: insns, Events: len(r.events), State: m.Snapshot()})
	r.next = insns + r.opts.Interval
}

// Run runs exe (prepared against r.Registry) on m and returns its result
// and the trace. opts.Hook must be nil: the recorder is the hook.
func (r *Recorder) Run(m *vm.Machine, exe vm.Runnable, opts vm.RunOptions) (vm.Result, *Trace) {
	r.budget, r.sysCU, r.next, r.nlogs, r.logs0 = opts.Budget, 0, 0, 0, 0
	r.logFn = r.opts.Logs
	if ms, ok := opts.Context.(interface{ Messages() []string }); ok && r.logFn == nil {
		r.logFn = ms.Messages
	}
	if r.logFn != nil {
		// Lines logged before the run (a runtime's "invoke") are not the
		// program's.
		r.nlogs = len(r.logFn())
		r.logs0 = r.nlogs
	}
	r.events, r.cps = nil, nil
	t := &Trace{
		Program:  exe.Program(),
		Config:   exe.Config(),
		Budget:   opts.Budget,
		Syscalls: slices.Clone(r.names),
		Features: r.opts.Features,
		Input:    bytes.Clone(opts.Input),
		Interval: r.opts.Interval,
		Debug:    r.opts.Debug,
	}
	opts.Hook, opts.HookStride = r, r.opts.Interval
	res := exe.Run(m, opts)
	t.Events, t.Checkpoints = r.events, r.cps
	if len(t.Checkpoints) == 0 {
		// A run that faulted before its first instruction (an entry
		// outside the text) still gets the initial state.
		st := &vm.State{Input: bytes.Clone(t.Input), Remaining: opts.Budget, PC: exe.Program().Entry}
		t.Checkpoints = []Checkpoint{{State: st}}
	}
	final := m.Snapshot()
	t.Outcome = Outcome{
		R0:     res.R0,
		CU:     res.CU,
		Insns:  res.CU - r.sysCU,
		Final:  final,
		Memory: MemoryDigest(final),
	}
	if r.logFn != nil {
		t.Outcome.Logs = slices.Clone(r.logFn()[r.logs0:])
	}
	t.Outcome.Err = errInfo(res.Err)
	return res, t
}

// errInfo describes a run's error as the CLI reports it.
func errInfo(err error) *ErrInfo {
	if err == nil {
		return nil
	}
	ei := &ErrInfo{Kind: vm.ErrorKindOf(err), Message: err.Error(), PC: -1}
	if ve, ok := err.(*vm.Error); ok {
		ei.PC = ve.PC
	}
	return ei
}

// MemoryDigest is the SHA-256 of the memory a program can change: the
// stack and heap without trailing zero bytes (so that how far a region was
// touched does not matter) and the whole input region, each prefixed with
// its length.
func MemoryDigest(s *vm.State) [32]byte {
	h := sha256.New()
	for _, b := range [][]byte{trimZeros(s.Stack), trimZeros(s.Heap), s.Input} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func trimZeros(b []byte) []byte {
	i := len(b)
	for i > 0 && b[i-1] == 0 {
		i--
	}
	return b[:i]
}

// StackAddr is the guest address of byte off of the stack region's host
// memory (V0's gapped stack maps every other frame).
func StackAddr(v sbpf.Version, c vm.Config, off int) uint64 {
	fs := uint64(max(c.StackFrameSize, 1))
	if v.StackFrameGaps() && !c.NoStackGaps {
		return sbpf.StackStart + uint64(off)/fs*2*fs + uint64(off)%fs
	}
	return sbpf.StackStart + uint64(off)
}
