package crypto

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/vm"
)

// callOverhead is the CU of the harness program around the syscall.
const callOverhead = testutil.CallOverhead

// arena lays out guest memory in the input region (see testutil.Arena).
type arena struct{ testutil.Arena }

func (a *arena) put(b []byte) uint64 { return a.Put(b) }
func (a *arena) alloc(n int) uint64  { return a.Alloc(n) }

func (a *arena) at(addr uint64, n int) []byte { return a.At(addr, n) }

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
	res, err := testutil.Call(h.m, h.reg, a.Buf, budget, nil, name, args...)
	if err != nil {
		h.t.Fatal(err)
	}
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

// conformanceDir is ../shared/conformance beside the module root, or ""
// when this checkout has none.
func conformanceDir(t testing.TB) string { return testutil.ConformanceDir("") }
