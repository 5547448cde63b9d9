package crypto

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// callOverhead is the CU of the harness program around the syscall: five
// lddw, the call and the exit.
const callOverhead = 7

// arena lays out guest memory in the input region (writable, r1 points at
// it) and hands out guest addresses.
type arena struct{ buf []byte }

// put copies b in at an 8-aligned offset and returns its guest address.
func (a *arena) put(b []byte) uint64 {
	for len(a.buf)%8 != 0 {
		a.buf = append(a.buf, 0)
	}
	addr := sbpf.InputStart + uint64(len(a.buf))
	a.buf = append(a.buf, b...)
	return addr
}

// alloc reserves n zero bytes.
func (a *arena) alloc(n int) uint64 { return a.put(make([]byte, n)) }

// at returns n bytes at a guest address the arena handed out.
func (a *arena) at(addr uint64, n int) []byte {
	off := addr - sbpf.InputStart
	return a.buf[off : off+uint64(n)]
}

// slices lays out each b and an array of SolBytes descriptors pointing at
// them, and returns the array's address.
func (a *arena) slices(bs [][]byte) uint64 {
	desc := make([]byte, solBytesSize*len(bs))
	for i, b := range bs {
		binary.LittleEndian.PutUint64(desc[i*solBytesSize:], a.put(b))
		binary.LittleEndian.PutUint64(desc[i*solBytesSize+8:], uint64(len(b)))
	}
	return a.put(desc)
}

// run is one call of a syscall from an sBPF program.
type run struct {
	R0  uint64
	CU  uint64
	Err error
}

func (r run) kind() string { return vm.ErrorKindOf(r.Err) }

// callProgram is `lddw r1..r5, args; call name; exit`.
func callProgram(name string, args [5]uint64) []byte {
	var text []byte
	for i, v := range args {
		text = sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.LdDwImm, Dst: uint8(i + 1), Imm: int32(uint32(v))})
		text = sbpf.AppendEncoded(text, sbpf.Instruction{Imm: int32(uint32(v >> 32))})
	}
	text = sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash(name))})
	return sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.Exit})
}

// harness runs the package's syscalls from sBPF programs.
type harness struct {
	t   testing.TB
	reg *vm.Registry
	m   *vm.Machine
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	reg := vm.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, reg: reg, m: vm.NewMachine()}
}

// call runs name with args over the arena's memory and a budget.
func (h *harness) call(a *arena, budget uint64, name string, args ...uint64) run {
	h.t.Helper()
	var regs [5]uint64
	copy(regs[:], args)
	exe, err := vm.NewExecutable(vm.NewRawProgram(sbpf.V0, callProgram(name, regs), nil, 0), h.reg, vm.Config{})
	if err != nil {
		h.t.Fatal(err)
	}
	res := h.m.Run(exe, vm.RunOptions{Input: a.buf, Budget: budget})
	return run{R0: res.R0, CU: res.CU, Err: res.Err}
}

const bigBudget = 100_000_000

// expect checks a call's code and CU (price plus the harness).
func expect(t testing.TB, r run, code Code, price uint64) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("call aborted: %v (kind %s)", r.Err, r.kind())
	}
	if Code(r.R0) != code || r.CU != price+callOverhead {
		t.Fatalf("got r0=%v cu=%d, want r0=%v cu=%d", Code(r.R0), r.CU, code, price+callOverhead)
	}
}

// expectAbort checks an aborted call's kind and CU: the five lddw and the
// call, plus what the syscall charged before it failed.
func expectAbort(t testing.TB, r run, kind string, charged uint64) {
	t.Helper()
	if r.Err == nil {
		t.Fatalf("call returned r0=%v, want abort %s", Code(r.R0), kind)
	}
	var ve *vm.Error
	if !errors.As(r.Err, &ve) || ve.Kind != vm.SyscallError {
		t.Fatalf("abort %v is not a SyscallError", r.Err)
	}
	if r.kind() != kind || r.CU != charged+callOverhead-1 {
		t.Fatalf("got abort %s (%v) cu=%d, want %s cu=%d", r.kind(), r.Err, r.CU, kind, charged+callOverhead-1)
	}
}

// conformanceDir is ../shared/conformance relative to the module root, or
// "" when this checkout has none.
func conformanceDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "conformance")
	if _, err := os.Stat(c); err != nil {
		return ""
	}
	return c
}
