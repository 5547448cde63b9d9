package vm

import (
	"errors"

	"github.com/agora-vm/agora/sbpf"
)

// Tools that record, replay and step programs (package trace) need three
// things a plain run does not: to capture the machine's state, to start a
// run from a captured state, and to pause a run from a hook. They live
// here, outside the hot loop; a run that uses none of them pays nothing.

// ErrPaused is the Result.Err of a run that a hook stopped with
// Machine.Pause. The machine's state is that before the instruction the
// hook was called for; Snapshot captures it and Resume continues it.
var ErrPaused = errors.New("vm: paused by a hook")

// Frame is one active BPF-to-BPF call: the caller's saved r6-r9 and frame
// pointer and the instruction index to return to.
type Frame struct {
	Saved    [sbpf.ScratchRegs]uint64
	FP       uint64
	ReturnPC int
}

// State is a machine's complete state between two instructions: enough
// to resume the run exactly (Resume). Memory holds only the bytes a
// program can change: the stack and heap up to the furthest byte written
// so far, and the whole input region.
type State struct {
	Regs      [11]uint64
	PC        int
	Remaining uint64  // compute units left before the instruction at PC
	Frames    []Frame // active calls, outermost first
	Stack     []byte  // host bytes of the stack (frames without V0's gaps)
	Heap      []byte
	Input     []byte
}

// Pause asks the run to stop before the instruction the hook was called
// for. Only a Hook's Step may call it; the run then returns ErrPaused.
func (m *Machine) Pause() { m.pauseReq = true }

// Snapshot copies the machine's state. Inside a hook's Step it is the
// state before the instruction at pc; after a run, the final state.
func (m *Machine) Snapshot() *State {
	st := &State{}
	m.View(st)
	st.Stack = append([]byte(nil), st.Stack...)
	st.Heap = append([]byte(nil), st.Heap...)
	st.Input = append([]byte(nil), st.Input...)
	return st
}

// View fills st as Snapshot would, without copying memory: st's memory
// then aliases the machine's stack and heap and the run's input, so it
// stays valid only until the machine or the input changes (its Frames
// are st's own, reusing their capacity). A replayer compares a final
// state through it; a recorder keeps the input it aliases when the
// caller hands that buffer over. Resume needs a copy (Snapshot): it
// clears the stack and heap a view aliases.
func (m *Machine) View(st *State) {
	st.PC, st.Remaining = m.pc, m.remaining+m.stepCharge
	copy(st.Regs[:], m.regs[:11])
	st.Frames = st.Frames[:0]
	if cap(st.Frames) < m.depth {
		st.Frames = make([]Frame, 0, m.depth)
	}
	for i := range m.depth {
		f := &m.frames[i]
		st.Frames = append(st.Frames, Frame{Saved: f.saved, FP: f.fp, ReturnPC: f.returnPC})
	}
	if st.Frames == nil {
		st.Frames = []Frame{}
	}
	st.Stack = m.stack[:min(m.mem.slots[sbpf.StackStart>>32].dirty, uint64(len(m.stack)))]
	st.Heap = m.heap[:min(m.mem.slots[sbpf.HeapStart>>32].dirty, uint64(len(m.heap)))]
	st.Input = m.mem.slots[sbpf.InputStart>>32].host
}

// InputWritten is the length of the input region's prefix that the
// current (or last) run may have written, counting from its start or
// Resume: every byte past it is as the run found it.
func (m *Machine) InputWritten() int {
	r := &m.mem.slots[sbpf.InputStart>>32]
	return int(min(r.dirty, uint64(len(r.host))))
}

// ObserveStores calls f with every range a syscall obtains for writing
// through Translate or writes with RestoreMemory, until it is called
// again with nil. A recorder uses it to learn which bytes a syscall wrote.
func (m *Machine) ObserveStores(f func(addr uint64, b []byte)) { m.storeObs = f }

// Resume runs e from st, as if the run that produced st had continued.
// opts.Input is the input region: its length must be len(st.Input), and
// its contents are replaced by st.Input (st.Input may be opts.Input
// itself, for a caller that has put the state's input there already).
// opts.Budget is the original budget, so Result.CU counts from the start
// of that run.
func (m *Machine) Resume(e *Executable, opts RunOptions, st *State) Result {
	m.setup(e, opts)
	if len(opts.Input) != len(st.Input) || len(st.Stack) > len(m.stack) || len(st.Heap) > len(m.heap) ||
		len(st.Frames) >= len(m.frames) || st.Remaining > opts.Budget {
		return Result{Err: errBadState}
	}
	for _, f := range st.Frames {
		if f.ReturnPC < 0 || f.ReturnPC >= len(e.code) {
			return Result{Err: errBadState}
		}
	}
	copy(m.regs[:11], st.Regs[:])
	m.pc, m.remaining, m.depth = st.PC, st.Remaining, len(st.Frames)
	for i, f := range st.Frames {
		m.frames[i] = callFrame{saved: f.Saved, fp: f.FP, returnPC: f.ReturnPC}
	}
	copy(m.stack, st.Stack)
	copy(m.heap, st.Heap)
	copy(opts.Input, st.Input) // copy does nothing when both are one buffer
	m.mem.slots[sbpf.StackStart>>32].dirty = uint64(len(st.Stack))
	m.mem.slots[sbpf.HeapStart>>32].dirty = uint64(len(st.Heap))
	if m.pc < 0 || m.pc >= len(e.code)-1 {
		m.pc = len(e.code) - 1
	}
	return m.finish(opts)
}

var errBadState = errors.New("vm: state does not fit the executable or input")
