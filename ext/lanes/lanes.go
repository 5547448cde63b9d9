package lanes

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// Syscall names, as programs call them.
const (
	NameSpawn       = extnames.ParallelSpawn
	NameJoin        = extnames.ParallelJoin
	NameFence       = extnames.ParallelFence
	NameAtomicLoad  = extnames.AtomicLoad
	NameAtomicStore = extnames.AtomicStore
	NameAtomicCAS   = extnames.AtomicCAS
)

// Limits.
const (
	// MaxTasks bounds the children one lane may have spawned and not yet
	// released (joined or fenced), so memory stays bounded.
	MaxTasks = 16
	// MaxDepth bounds nesting: the program's children may spawn, their
	// children may not. With MaxTasks, at most 16 + 16·16 children are
	// outstanding in one run.
	MaxDepth = 2
	// MaxArgLen bounds a spawn argument.
	MaxArgLen = 64 << 10
)

// Prices in compute units, calibrated by the extension price rule (33 ns
// per CU; `agora bench costs --filter parallel` measures them): a base
// per call for the goroutine hand-off and the bookkeeping, plus, at the
// spawn and again at the merge, CopyCUPerKiB per KiB of heap and input —
// a spawn copies them twice (the base the merge compares against, and
// the child's own view), the child's run copies the heap in and out, and
// the merge compares both. Atomics sit at the 1-CU floor (they take
// about 10 ns).
const (
	CostSpawn    = 80
	CostJoin     = 20
	CostFence    = 20
	CostAtomic   = 1
	CopyCUPerKiB = 4
)

// Names lists every syscall of the package, in registration order.
func Names() []string {
	return []string{NameSpawn, NameJoin, NameFence, NameAtomicLoad, NameAtomicStore, NameAtomicCAS}
}

// Aliases returns the assembler mnemonics of the package
// (parallel_spawn, parallel_join, parallel_fence, atomic_load,
// atomic_store, atomic_cas), to pass as asm.Options.Aliases.
func Aliases() map[string]string { return extnames.Aliases(Names()...) }

// Options configure a Register call.
type Options struct {
	// Serial runs every child to completion inside its spawn, on the
	// spawning goroutine. Results are identical to the parallel mode by
	// construction; tests compare the two.
	Serial bool
	// Observer, if set, sees every child's run start and end; a trace
	// recorder uses it to record children. Observers should set Serial,
	// so that they are called from one goroutine.
	Observer Observer
}

// Observer sees children's runs. LaneStart is called on the goroutine
// that runs the child, before its first instruction, with the machine it
// runs on, its path (spawn handles from the top-level program down: [2]
// is the program's second child, [2 1] that child's first) and its start
// state (budget in Remaining); the state is the child's, read-only.
// LaneEnd is called when its run returns, before anything reads the
// machine.
type Observer interface {
	LaneStart(child *vm.Machine, path []uint64, start *vm.State)
	LaneEnd(child *vm.Machine, path []uint64, res vm.Result)
}

// Register adds the syscalls of this package to r, with children running
// in parallel goroutines.
func Register(r *vm.Registry) error { return RegisterWith(r, Options{}) }

// RegisterWith is Register with options.
func RegisterWith(r *vm.Registry, o Options) error {
	if r == nil {
		return fmt.Errorf("lanes: nil registry")
	}
	f := &family{serial: o.Serial, observer: o.Observer}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameSpawn, f.spawn},
		{NameJoin, sysJoin},
		{NameFence, sysFence},
		{NameAtomicLoad, sysAtomicLoad},
		{NameAtomicStore, sysAtomicStore},
		{NameAtomicCAS, sysAtomicCAS},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("lanes: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("lanes: %w", err)
		}
	}
	return nil
}

// family is what one Register call's syscalls share: the mode, and a
// pool of child machines, so that a spawn reuses the stack and heap of an
// earlier child instead of allocating its own. It is safe for concurrent
// use.
type family struct {
	serial   bool
	observer Observer
	machines sync.Pool
	bufs     sync.Pool // *[]byte: copies of heaps and inputs, reused after merges
}

// copyOut copies n bytes of m's memory at addr into a buffer of the pool:
// spawns and merges copy whole heaps and inputs, and allocating those
// afresh each time cost more than the copying.
func (f *family) copyOut(m *vm.Machine, addr, n uint64) ([]byte, error) {
	src, err := m.Translate(vm.Load, addr, n)
	if err != nil {
		return nil, err
	}
	var b []byte
	if p, ok := f.bufs.Get().(*[]byte); ok && uint64(cap(*p)) >= n {
		b = (*p)[:n]
	} else {
		b = make([]byte, n)
	}
	copy(b, src)
	return b, nil
}

// release returns buffers of copyOut to the pool.
func (f *family) release(bufs ...[]byte) {
	for _, b := range bufs {
		if cap(b) > 0 {
			f.bufs.Put(&b)
		}
	}
}

// atomicOp is one atomic store or compare-and-swap a child made, replayed
// on its parent's memory when the child merges.
type atomicOp struct {
	addr     uint64
	cas      bool
	expected uint64
	value    uint64
}

// task is one spawned child. The child's goroutine owns every field below
// done until it closes done; the parent reads them only after.
type task struct {
	fam        *family
	handle     uint64
	pc         uint64
	path       []uint64 // spawn handles from the top-level program down
	exe        *vm.Executable
	startClock uint64 // the parent's span clock at the spawn
	heapBase   []byte // the parent's heap at the spawn
	inputBase  []byte // the parent's input at the spawn
	argOff     uint64 // the argument's offset in the child's input
	argLen     uint64
	limit      uint64
	depth      int // 1 for the program's children
	done       chan struct{}
	released   bool // joined or fenced: not a leak
	joined     bool
	merged     bool

	// Written by the child's run.
	res     vm.Result
	heap    []byte
	input   []byte
	span    uint64
	atomics []atomicOp
	words   map[uint64]bool // 8-byte words its atomics wrote (membership only)
	out     []byte          // the argument buffer as the child left it
}

// lane is the state of one machine's run that spawned children. It is the
// machine's vm.WriteWatcher, so it lives exactly as long as the run
// (a run's setup removes the watcher) and its AtExit sees leaks.
type lane struct {
	base     uint64 // m.Remaining() when the lane was created
	depth    int    // 0 for the program, 1 for its children...
	reserved uint64 // budgets of the children not merged yet
	charged  uint64 // children's CU charged to the meter so far
	ext      uint64 // how far children's critical paths extend the span
	tasks    []*task
	merged   int // tasks[:merged] are merged, in spawn order
	live     int // spawned, not released
}

// BeforeWrite implements vm.WriteWatcher; lanes compare values at merge
// time and need no write log.
func (*lane) BeforeWrite(uint64, []byte) {}

// AtExit implements vm.WriteWatcher: a child neither joined nor fenced is
// a TaskLeak.
func (l *lane) AtExit(*vm.Machine) error {
	for _, t := range l.tasks {
		if !t.released {
			return errorf(KindTaskLeak, "exit with task %d neither joined nor fenced", t.handle)
		}
	}
	return nil
}

// clock is the lane's span clock: its own CU so far plus the waiting its
// joins added.
func (l *lane) clock(m *vm.Machine) uint64 { return l.base - m.Remaining() - l.charged + l.ext }

// laneOf returns m's lane, creating it when create is set.
func laneOf(m *vm.Machine, create bool) (*lane, error) {
	switch w := m.Watcher().(type) {
	case *lane:
		return w, nil
	case nil:
		if !create {
			return nil, nil
		}
		l := &lane{base: m.Remaining()}
		if t, ok := m.Context().(*task); ok {
			l.depth = t.depth
		}
		m.WatchWrites(l)
		return l, nil
	default:
		return nil, errorf(KindWatcherInUse, "the machine's write watcher is a %T (a transaction is open?)", w)
	}
}

// Span returns the critical path, in CU, of the run that just finished on
// m and consumed totalCU: totalCU less the children's CU, plus the time
// the run waited for children at joins and fences. Without children it is
// totalCU.
func Span(m *vm.Machine, totalCU uint64) uint64 {
	l, ok := m.Watcher().(*lane)
	if !ok || l.charged > totalCU {
		return totalCU
	}
	return totalCU - l.charged + l.ext
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

// CopyCost is the CU of copying (at a spawn) or comparing (at a merge) n
// bytes: CopyCUPerKiB per KiB, rounded up.
func CopyCost(n uint64) uint64 { return ceilDiv(n*CopyCUPerKiB, 1024) }

// spawn is agora_parallel_spawn(fn_pc, arg_ptr, arg_len, cu_limit) -> handle.
func (f *family) spawn(m *vm.Machine, fnPC, argPtr, argLen, cuLimit, _ uint64) (uint64, error) {
	exe := m.Executable()
	if exe == nil {
		return 0, fmt.Errorf("lanes: spawn outside a run")
	}
	n := uint64(len(exe.Program().Text) / sbpf.InsnSize)
	if fnPC >= n {
		return 0, errorf(KindInvalidFunction, "fn_pc %d outside the program's %d instructions", fnPC, n)
	}
	if argLen > MaxArgLen {
		return 0, errorf(KindArgumentTooLarge, "argument of %d bytes exceeds %d", argLen, MaxArgLen)
	}
	l, err := laneOf(m, true)
	if err != nil {
		return 0, err
	}
	if l.depth >= MaxDepth {
		return 0, errorf(KindTooManyTasks, "a lane at depth %d may not spawn (MaxDepth %d)", l.depth, MaxDepth)
	}
	if l.live >= MaxTasks {
		return 0, errorf(KindTooManyTasks, "%d tasks outstanding", l.live)
	}
	heapLen, inputLen := uint64(m.HeapSize()), uint64(m.InputSize())
	if err := m.Consume(CostSpawn + CopyCost(heapLen+inputLen+argLen)); err != nil {
		return 0, err
	}
	arg, err := m.Translate(vm.Load, argPtr, argLen)
	if err != nil {
		return 0, err
	}
	// The parent's heap and input at the spawn: the child's starting view,
	// and the base its merge compares against.
	heap, err := f.copyOut(m, sbpf.HeapStart, heapLen)
	if err != nil {
		return 0, err
	}
	input, err := f.copyOut(m, sbpf.InputStart, inputLen)
	if err != nil {
		return 0, err
	}
	// The child's input is the parent's followed, 8-byte aligned, by its
	// private copy of the argument.
	argOff := (uint64(len(input)) + 7) &^ 7
	childInput := make([]byte, argOff+argLen)
	copy(childInput, input)
	copy(childInput[argOff:], arg)
	t := &task{
		fam:        f,
		handle:     uint64(len(l.tasks)) + 1,
		pc:         fnPC,
		exe:        exe,
		startClock: l.clock(m),
		heapBase:   heap,
		inputBase:  input,
		argOff:     argOff,
		argLen:     argLen,
		limit:      min(cuLimit, m.Remaining()-min(m.Remaining(), l.reserved)),
		depth:      l.depth + 1,
		done:       make(chan struct{}),
	}
	if pt, ok := m.Context().(*task); ok {
		t.path = append(t.path, pt.path...)
	}
	t.path = append(t.path, t.handle)
	l.reserved += t.limit
	l.tasks = append(l.tasks, t)
	l.live++
	if f.serial {
		t.run(childInput)
	} else {
		go t.run(childInput)
	}
	return t.handle, nil
}

// run executes the child on a machine of its own and records its result.
func (t *task) run(input []byte) {
	defer close(t.done)
	cfg := t.exe.Config()
	st := &vm.State{PC: 0, Remaining: t.limit, Heap: t.heapBase}
	st.Input = input
	st.Regs[1] = sbpf.InputStart + t.argOff
	if t.exe.Program().Version.DynamicFrames() {
		st.Regs[10] = sbpf.StackStart + uint64(cfg.StackFrameSize*cfg.MaxCallDepth)
	} else {
		st.Regs[10] = sbpf.StackStart + uint64(cfg.StackFrameSize)
	}
	st.PC = int(t.pc)
	cm, _ := t.fam.machines.Get().(*vm.Machine)
	if cm == nil {
		cm = vm.NewMachine()
	}
	// input is the child's own copy, made at the spawn: it serves as the
	// run's input region directly.
	if o := t.fam.observer; o != nil {
		o.LaneStart(cm, t.path, st)
	}
	t.res = cm.Resume(t.exe, vm.RunOptions{Input: input, Budget: t.limit, Context: t}, st)
	if o := t.fam.observer; o != nil {
		o.LaneEnd(cm, t.path, t.res)
	}
	t.span = Span(cm, t.res.CU)
	t.input = input
	t.out = bytes.Clone(input[t.argOff:])
	if t.res.Err == nil {
		h, err := t.fam.copyOut(cm, sbpf.HeapStart, uint64(len(t.heapBase)))
		if err != nil {
			t.res.Err = err
		}
		t.heap = h
	}
	// A child that spawned keeps its lane (and its children's results)
	// reachable from its machine's watcher; such a machine is not reused.
	if cm.Watcher() == nil {
		t.fam.machines.Put(cm)
	}
}

// merge waits for tasks[:upto] and merges each one not yet merged into
// m, in spawn order: it charges the child's CU, advances the span, checks
// and applies the child's writes, and replays its atomics.
func (l *lane) merge(m *vm.Machine, upto int) error {
	for ; l.merged < upto; l.merged++ {
		t := l.tasks[l.merged]
		<-t.done
		t.merged = true
		l.reserved -= t.limit
		if end := t.startClock + t.span; end > l.clock(m) {
			l.ext += end - l.clock(m)
		}
		if err := m.Consume(t.res.CU); err != nil {
			return err
		}
		l.charged += t.res.CU
		if t.res.Err != nil {
			return errorf(KindLaneFault, "task %d (pc %d) failed: %s: %v", t.handle, t.pc, vm.ErrorKindOf(t.res.Err), t.res.Err)
		}
		if err := m.Consume(CopyCost(uint64(len(t.heapBase) + len(t.inputBase)))); err != nil {
			return err
		}
		err := t.mergeInto(m)
		// Only the argument buffer outlives the merge. The child's input
		// was its machine's input region; the other copies are reused.
		t.fam.release(t.heapBase, t.inputBase, t.heap)
		t.heapBase, t.inputBase, t.heap, t.input = nil, nil, nil, nil
		if err != nil {
			return err
		}
	}
	return nil
}

// mergeInto applies the child's writes to the parent's memory: every byte
// of the heap and of the parent's input whose value the child changed. A
// byte the parent's current memory no longer holds at its spawn value is
// a conflict, unless the child changed it only through atomics. Nothing
// is written when there is a conflict.
func (t *task) mergeInto(m *vm.Machine) error {
	type region struct {
		start       uint64
		base, child []byte
		parent      []byte
		dirty       []int // offsets of the 64-byte chunks the child changed
	}
	regs := []region{
		{start: sbpf.HeapStart, base: t.heapBase, child: t.heap},
		{start: sbpf.InputStart, base: t.inputBase, child: t.input[:len(t.inputBase)]},
	}
	// Check every changed byte before writing any, so that a conflict
	// writes nothing; only chunks that differ are visited byte by byte.
	for i := range regs {
		r := &regs[i]
		p, err := m.Translate(vm.Store, r.start, uint64(len(r.base)))
		if err != nil {
			return err
		}
		r.parent = p
		for off := 0; off < len(r.base); off += 64 {
			end := min(off+64, len(r.base))
			if bytes.Equal(r.base[off:end], r.child[off:end]) {
				continue
			}
			r.dirty = append(r.dirty, off)
			for j := off; j < end; j++ {
				if r.base[j] == r.child[j] || t.words[(r.start+uint64(j))&^7] {
					continue
				}
				if r.parent[j] != r.base[j] {
					return errorf(KindLaneWriteConflict, "task %d wrote byte %#x, which changed since its spawn", t.handle, r.start+uint64(j))
				}
			}
		}
	}
	for _, r := range regs {
		for _, off := range r.dirty {
			for j := off; j < min(off+64, len(r.base)); j++ {
				if r.base[j] != r.child[j] && !t.words[(r.start+uint64(j))&^7] {
					r.parent[j] = r.child[j]
				}
			}
		}
	}
	for _, op := range t.atomics {
		if _, err := atomicDo(m, op); err != nil {
			return err
		}
	}
	return nil
}

// handleTask returns the lane's task with handle h, or InvalidHandle.
func handleTask(l *lane, h uint64) (*task, int, error) {
	if l == nil || h == 0 || h > uint64(len(l.tasks)) {
		return nil, 0, errorf(KindInvalidHandle, "no task %d", h)
	}
	t := l.tasks[h-1]
	if t.joined {
		return nil, 0, errorf(KindInvalidHandle, "task %d joined twice", h)
	}
	return t, int(h), nil
}

// sysJoin is agora_parallel_join(handle, out_ptr, out_cap) -> the child's r0.
func sysJoin(m *vm.Machine, h, outPtr, outCap, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostJoin); err != nil {
		return 0, err
	}
	l, err := laneOf(m, false)
	if err != nil {
		return 0, err
	}
	t, upto, err := handleTask(l, h)
	if err != nil {
		return 0, err
	}
	if err := l.merge(m, upto); err != nil {
		return 0, err
	}
	t.joined = true
	if !t.released {
		t.released = true
		l.live--
	}
	if n := min(outCap, t.argLen); n > 0 {
		out, err := m.Translate(vm.Store, outPtr, n)
		if err != nil {
			return 0, err
		}
		copy(out, t.out[:n])
	}
	return t.res.R0, nil
}

// sysFence is agora_parallel_fence() -> 0.
func sysFence(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostFence); err != nil {
		return 0, err
	}
	l, err := laneOf(m, false)
	if err != nil || l == nil {
		return 0, err
	}
	if err := l.merge(m, len(l.tasks)); err != nil {
		return 0, err
	}
	for _, t := range l.tasks {
		if !t.released {
			t.released = true
			l.live--
		}
	}
	return 0, nil
}

// atomicWord returns the eight writable bytes at addr.
func atomicWord(m *vm.Machine, addr uint64) ([]byte, error) {
	if addr%8 != 0 {
		return nil, errorf(KindAtomicMisaligned, "address %#x is not 8-byte aligned", addr)
	}
	return m.Translate(vm.Store, addr, 8)
}

// atomicDo performs op on m's memory and returns the old value. Inside a
// child it also logs op for the merge.
func atomicDo(m *vm.Machine, op atomicOp) (uint64, error) {
	w, err := atomicWord(m, op.addr)
	if err != nil {
		return 0, err
	}
	old := binary.LittleEndian.Uint64(w)
	if !op.cas || old == op.expected {
		binary.LittleEndian.PutUint64(w, op.value)
	}
	if t, ok := m.Context().(*task); ok {
		t.atomics = append(t.atomics, op)
		if t.words == nil {
			t.words = map[uint64]bool{}
		}
		t.words[op.addr] = true
	}
	return old, nil
}

// sysAtomicLoad is agora_atomic_load(addr) -> the value.
func sysAtomicLoad(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostAtomic); err != nil {
		return 0, err
	}
	w, err := atomicWord(m, addr)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(w), nil
}

// sysAtomicStore is agora_atomic_store(addr, v) -> the old value.
func sysAtomicStore(m *vm.Machine, addr, v, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostAtomic); err != nil {
		return 0, err
	}
	return atomicDo(m, atomicOp{addr: addr, value: v})
}

// sysAtomicCAS is agora_atomic_cas(addr, expected, new) -> the old value.
func sysAtomicCAS(m *vm.Machine, addr, expected, v, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostAtomic); err != nil {
		return 0, err
	}
	return atomicDo(m, atomicOp{addr: addr, cas: true, expected: expected, value: v})
}
