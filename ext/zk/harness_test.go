package zk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

// The harness runs the syscalls from sBPF programs assembled from text:
//
//	lddw r2, ARGS      ; the argument block
//	lddw r1, CURVE
//	syscall NAME
//	exit
//
// Guest memory is the input region, laid out by an arena.

// callOverhead is the CU of the program around the syscall: two lddw, the
// call and the exit.
const callOverhead = 4

// arena lays out guest memory in the input region (r1 points at it) and
// hands out guest addresses.
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

// block writes the 48-byte argument block for three (address, length)
// pairs and returns its address.
func (a *arena) block(vkAddr, vkLen, proofAddr, proofLen, pubAddr, pubLen uint64) uint64 {
	b := make([]byte, ArgsSize)
	for i, v := range []uint64{vkAddr, vkLen, proofAddr, proofLen, pubAddr, pubLen} {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return a.put(b)
}

// args copies the three byte strings in and returns the block's address.
func (a *arena) args(x Args) uint64 {
	vk := a.put(x.VerifyingKey)
	proof := a.put(x.Proof)
	pub := a.put(x.PublicInputs)
	return a.block(vk, uint64(len(x.VerifyingKey)), proof, uint64(len(x.Proof)), pub, uint64(len(x.PublicInputs)))
}

// run is one call of a syscall from an sBPF program.
type run struct {
	R0  uint64
	CU  uint64
	Err error
}

func (r run) kind() string { return vm.ErrorKindOf(r.Err) }

func newRegistry(t testing.TB) *vm.Registry {
	t.Helper()
	reg := vm.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// call assembles the program for name with r1 = curve and r2 = argsAddr
// and runs it over the arena's memory.
func call(t testing.TB, reg *vm.Registry, a *arena, budget uint64, name string, curve, argsAddr uint64) run {
	t.Helper()
	src := fmt.Sprintf("lddw r2, %#x\nlddw r1, %#x\nsyscall %s\nexit\n", argsAddr, curve, name)
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: a.buf, Budget: budget})
	return run{R0: res.R0, CU: res.CU, Err: res.Err}
}

const bigBudget = 1_400_000

// expect checks a successful call's r0 and CU (price plus the program).
func expect(t testing.TB, r run, r0, price uint64) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("call aborted: %v (kind %s)", r.Err, r.kind())
	}
	if r.R0 != r0 || r.CU != price+callOverhead {
		t.Fatalf("got r0=%d cu=%d, want r0=%d cu=%d", r.R0, r.CU, r0, price+callOverhead)
	}
}

// expectAbort checks an aborted call's kind and CU: the two lddw and the
// call, plus what the syscall charged before it failed.
func expectAbort(t testing.TB, r run, kind string, charged uint64) {
	t.Helper()
	if r.Err == nil {
		t.Fatalf("call returned r0=%d, want abort %s", r.R0, kind)
	}
	var ve *vm.Error
	if !errors.As(r.Err, &ve) {
		t.Fatalf("abort %v is not a *vm.Error", r.Err)
	}
	if r.kind() != kind || r.CU != charged+callOverhead-1 {
		t.Fatalf("got abort %s (%v) cu=%d, want %s cu=%d", r.kind(), r.Err, r.CU, kind, charged+callOverhead-1)
	}
}

// verifyIn runs the syscall of f's scheme on x from a program.
func verifyIn(t testing.TB, reg *vm.Registry, f *fixture, x Args, budget uint64) run {
	t.Helper()
	a := &arena{}
	addr := a.args(x)
	return call(t, reg, a, budget, syscallNameOf(f.scheme), uint64(f.curve), addr)
}
