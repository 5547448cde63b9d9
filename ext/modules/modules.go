package modules

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// NameCall is the syscall's name.
const NameCall = extnames.ModuleCall

// Names lists the package's syscalls.
func Names() []string { return []string{NameCall} }

// Aliases returns the assembler mnemonic module_call.
func Aliases() map[string]string { return extnames.Aliases(Names()...) }

// Target block layout.
const (
	TargetSize    = 48
	offFnHash     = 32
	offFlags      = 36
	offVersion    = 40
	FlagWritable  = 1 // the callee's changes to the argument are copied back
	knownFlags    = FlagWritable
	MaxWindow     = 64 << 10 // bytes of argument, and of out buffer, at most
	MaxNesting    = 8        // module calls in progress at once, the outermost included
	maxCallDepth  = 64       // the VM's default call depth, which callee frames count against
	cacheCapacity = 256      // prepared modules kept per registry
)

// Prices, by the project's rule (docs/modules.md): the syscall base and
// the bytes copied in and out at CPI's rate, then the callee's own CU.
const (
	CostCall   = 100
	BytesPerCU = 250
)

// Host resolves program ids for a run: ModuleELF returns the ELF of the
// program id names as the run sees it, and its version (for the Solana
// runtime, the slot its active code was deployed at). The Solana
// runtime's contexts implement it.
type Host interface {
	ModuleELF(id [32]byte) (elf []byte, version uint64, err error)
}

// Module is a loaded, verified program ready to be called.
type Module struct {
	ID      [32]byte
	Version uint64
	Hash    [32]byte // sha256 of the ELF
	Exports []elf.Export
	exe     *vm.Executable
	byHash  map[uint32]int
}

// Load checks elfBytes as a module against reg: the ELF loads with
// broken ELFs rejected, passes the structural verifier, and its exports
// are read. maxDepth is the call depth the callee may use.
func Load(id [32]byte, version uint64, elfBytes []byte, reg *vm.Registry, maxDepth int) (*Module, error) {
	opts := elf.RuntimeOptions()
	opts.RejectBrokenELFs = true
	p, err := elf.Load(elfBytes, reg, &opts)
	if err != nil {
		return nil, errorf(KindUnverifiedModule, "program %s: %v", pubkey.Pubkey(id), err)
	}
	if err := verify.Structural(p.Text, p.Version, reg); err != nil {
		return nil, errorf(KindUnverifiedModule, "program %s: %v", pubkey.Pubkey(id), err)
	}
	exps, err := elf.Exports(elfBytes)
	if err != nil {
		return nil, errorf(KindUnverifiedModule, "program %s: its exports: %v", pubkey.Pubkey(id), err)
	}
	cfg := vm.DefaultConfig()
	cfg.MaxCallDepth = maxDepth
	r, err := vm.Interpreter{}.Prepare(p, reg, cfg)
	if err != nil {
		return nil, errorf(KindUnverifiedModule, "program %s: %v", pubkey.Pubkey(id), err)
	}
	m := &Module{ID: id, Version: version, Hash: sha256.Sum256(elfBytes), Exports: exps, exe: r.(*vm.Executable), byHash: map[uint32]int{}}
	for _, x := range exps {
		m.byHash[x.Hash] = x.PC
	}
	return m, nil
}

// Register adds agora_module_call to r; programs resolve modules against
// r itself.
func Register(r *vm.Registry) error {
	if r == nil {
		return fmt.Errorf("modules: nil registry")
	}
	f := &family{reg: r, cache: map[cacheKey]*cacheEntry{}}
	if name, taken := r.Name(sbpf.SyscallHash(NameCall)); taken {
		return fmt.Errorf("modules: syscall %q collides with registered %q", NameCall, name)
	}
	if err := r.Register(NameCall, f.call); err != nil {
		return fmt.Errorf("modules: %w", err)
	}
	return nil
}

type cacheKey struct {
	id      [32]byte
	version uint64
	depth   int
}

type cacheEntry struct {
	once sync.Once
	hash [32]byte
	// seen is the ELF slice last found to hold hash: the same backing
	// array and length again skips hashing (the host serves one slice
	// per version); any other slice is hashed and compared.
	seen []byte
	mod  *Module
	err  error
}

// family is the syscall with its cache of prepared modules. The cache
// only saves work: an entry is used only for bytes whose sha256 it has
// checked, so whatever it holds is what loading those bytes again would
// give.
type family struct {
	reg   *vm.Registry
	mu    sync.Mutex
	cache map[cacheKey]*cacheEntry
	// machines are reused between calls: a Machine's stack and heap are
	// the cost of a call otherwise. Resume resets everything it uses.
	machines sync.Pool
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (f *family) module(id [32]byte, version uint64, elfBytes []byte, depth int) (*Module, error) {
	k := cacheKey{id, version, depth}
	f.mu.Lock()
	e, ok := f.cache[k]
	if ok && !sameSlice(e.seen, elfBytes) {
		if h := sha256.Sum256(elfBytes); h == e.hash {
			e.seen = elfBytes
		} else {
			ok = false // other bytes under the same version: load them afresh
		}
	}
	if !ok {
		if len(f.cache) >= cacheCapacity {
			clear(f.cache)
		}
		e = &cacheEntry{hash: sha256.Sum256(elfBytes), seen: elfBytes}
		f.cache[k] = e
	}
	f.mu.Unlock()
	e.once.Do(func() { e.mod, e.err = Load(id, version, elfBytes, f.reg, depth) })
	return e.mod, e.err
}

// calleeCtx is the context a callee runs with: the caller's log, the
// caller's host for nested calls, and the nesting depth.
type calleeCtx struct {
	parent  any
	host    Host
	nesting int
}

func (c *calleeCtx) Log(msg string) {
	if s, ok := c.parent.(syscalls.LogSink); ok {
		s.Log(msg)
	}
}

func (c *calleeCtx) ModuleELF(id [32]byte) ([]byte, uint64, error) { return c.host.ModuleELF(id) }

func hostOf(m *vm.Machine) (Host, int, error) {
	switch h := m.Context().(type) {
	case *calleeCtx:
		return h.host, h.nesting, nil
	case Host:
		return h, 0, nil
	}
	return nil, 0, errorf(KindNoHost, "the run's context (%T) cannot resolve programs", m.Context())
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

// call is agora_module_call(target_ptr, arg_ptr, arg_len, out_ptr, out_cap).
func (f *family) call(m *vm.Machine, targetPtr, argPtr, argLen, outPtr, outCap uint64) (uint64, error) {
	if err := m.Consume(CostCall); err != nil {
		return 0, err
	}
	tb, err := m.Translate(vm.Load, targetPtr, TargetSize)
	if err != nil {
		return 0, err
	}
	var id [32]byte
	copy(id[:], tb)
	fnHash := binary.LittleEndian.Uint32(tb[offFnHash:])
	flags := binary.LittleEndian.Uint32(tb[offFlags:])
	pin := binary.LittleEndian.Uint64(tb[offVersion:])
	if flags&^knownFlags != 0 {
		return 0, errorf(KindBadTarget, "flags %#x at offset %d: only FlagWritable (1) is defined", flags, offFlags)
	}
	if argLen > MaxWindow || outCap > MaxWindow {
		return 0, errorf(KindBadTarget, "argument of %d and out buffer of %d bytes: each at most %d", argLen, outCap, MaxWindow)
	}
	if err := m.Consume(ceilDiv(argLen+outCap, BytesPerCU)); err != nil {
		return 0, err
	}
	host, nesting, err := hostOf(m)
	if err != nil {
		return 0, err
	}
	if nesting+1 >= MaxNesting {
		return 0, errorf(KindCallDepth, "%d module calls in progress, at most %d", nesting+1, MaxNesting)
	}
	callerDepth := 0
	if fv := m.Frames(); fv.Depth != nil {
		callerDepth = *fv.Depth
	}
	calleeDepth := maxCallDepth - callerDepth - 1
	if calleeDepth < 1 {
		return 0, errorf(KindCallDepth, "the caller is %d calls deep; the callee's frame would exceed %d", callerDepth, maxCallDepth)
	}
	arg, err := m.Translate(vm.Load, argPtr, argLen)
	if err != nil {
		return 0, err
	}
	if _, err := m.Translate(vm.Store, outPtr, outCap); err != nil {
		return 0, err
	}
	elfBytes, version, err := host.ModuleELF(id)
	if err != nil {
		return 0, errorf(KindUnknownModule, "program %s: %v", pubkey.Pubkey(id), err)
	}
	if pin != 0 && pin != version {
		return 0, errorf(KindVersionMismatch, "program %s is at version %d, the caller pinned %d", pubkey.Pubkey(id), version, pin)
	}
	mod, err := f.module(id, version, elfBytes, calleeDepth)
	if err != nil {
		return 0, err
	}
	pc, ok := mod.byHash[fnHash]
	if !ok {
		names := make([]string, len(mod.Exports))
		for i, x := range mod.Exports {
			names[i] = x.Name
		}
		sort.Strings(names)
		return 0, errorf(KindMissingExport, "program %s exports no function with hash %#x (it exports %s)", pubkey.Pubkey(id), fnHash, strings.Join(names, ", "))
	}

	// The window: the argument, 8-byte aligned, then the out buffer.
	outOff := (argLen + 7) &^ 7
	window := make([]byte, outOff+outCap)
	copy(window, arg)
	writable := flags&FlagWritable != 0
	if writable {
		if _, err := m.Translate(vm.Store, argPtr, argLen); err != nil {
			return 0, err
		}
	}
	cfg := mod.exe.Config()
	st := &vm.State{PC: pc, Remaining: m.Remaining(), Input: window}
	st.Regs[1] = sbpf.InputStart
	st.Regs[2] = argLen
	st.Regs[3] = sbpf.InputStart + outOff
	st.Regs[4] = outCap
	if mod.exe.Program().Version.DynamicFrames() {
		st.Regs[10] = sbpf.StackStart + uint64(cfg.StackFrameSize*cfg.MaxCallDepth)
	} else {
		st.Regs[10] = sbpf.StackStart + uint64(cfg.StackFrameSize)
	}
	run := make([]byte, len(window)) // Resume copies the window in
	cm, _ := f.machines.Get().(*vm.Machine)
	if cm == nil {
		cm = vm.NewMachine()
	}
	res := cm.Resume(mod.exe, vm.RunOptions{Input: run, Budget: m.Remaining(), Context: &calleeCtx{parent: m.Context(), host: host, nesting: nesting + 1}}, st)
	f.machines.Put(cm)
	if err := m.Consume(res.CU); err != nil {
		return 0, err
	}
	if res.Err != nil {
		return 0, errorf(KindModuleFault, "program %s function %#x: %v", pubkey.Pubkey(id), fnHash, res.Err)
	}
	if !writable && !bytes.Equal(run[:argLen], arg) {
		return 0, errorf(KindReadOnlyWrite, "program %s function %#x changed its read-only argument", pubkey.Pubkey(id), fnHash)
	}
	out, err := m.Translate(vm.Store, outPtr, outCap)
	if err != nil {
		return 0, err
	}
	copy(out, run[outOff:])
	if writable && argLen > 0 {
		back, err := m.Translate(vm.Store, argPtr, argLen)
		if err != nil {
			return 0, err
		}
		copy(back, run[:argLen])
	}
	return res.R0, nil
}
