package modules

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// testHost serves ELFs by program id, with a version each, and collects
// logs.
type testHost struct {
	elfs     map[[32]byte][]byte
	versions map[[32]byte]uint64
	logs     []string
}

func (h *testHost) Log(msg string) { h.logs = append(h.logs, msg) }
func (h *testHost) ModuleELF(id [32]byte) ([]byte, uint64, error) {
	b, ok := h.elfs[id]
	if !ok {
		return nil, 0, fmt.Errorf("no program")
	}
	return b, h.versions[id], nil
}

// build assembles a V0 program and writes it with the given exports.
func build(t testing.TB, src string, exports ...string) []byte {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: Aliases()})
	if err != nil {
		t.Fatal(err)
	}
	obj := &elf.Object{Version: sbpf.V0, Text: p.Text, ROData: p.ROData, Entry: p.Entry, CallTargets: p.Functions,
		Functions: map[string]int{"entrypoint": p.Entry}, Exports: exports,
		SyscallName: func(h uint32) (string, bool) { n, ok := p.SyscallNames[h]; return n, ok }}
	for _, x := range exports {
		obj.Functions[x] = p.Labels[x]
	}
	b, err := elf.Write(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mathModule exports double (out = 2·arg, r0 = 7), scribble (writes its
// argument), fault, spin, chatty (logs) and recurse (calls the target
// block it is given, with itself as the argument).
const mathModule = `
entrypoint:
    mov64 r0, 0
    exit
double:
    ldxdw r5, [r1+0]
    add64 r5, r5
    stxdw [r3+0], r5
    mov64 r0, 7
    exit
scribble:
    mov64 r5, 9
    stxdw [r1+0], r5
    mov64 r0, 0
    exit
fault:
    ldxdw r0, [r0+0]
    exit
spin:
    ja spin
chatty:
    mov64 r1, r3
    mov64 r2, 0
    syscall sol_log_64_
    mov64 r0, 0
    exit
recurse:
    mov64 r5, r4
    mov64 r4, r3
    mov64 r3, r2
    mov64 r2, r1
    syscall agora_module_call
    exit
`

// caller calls the target block at input+0 with the argument at
// input+48 (length at input+56's first byte... fixed: 48 bytes of target,
// then argLen bytes of argument, then the out buffer).
func caller(argLen, outCap int) string {
	return fmt.Sprintf(`
entrypoint:
    mov64 r6, r1
    mov64 r2, r6
    add64 r2, 48
    mov64 r3, %d
    mov64 r4, r6
    add64 r4, %d
    mov64 r5, %d
    mov64 r1, r6
    syscall agora_module_call
    exit
`, argLen, 48+argLen, outCap)
}

var modID = [32]byte{1}

func target(id [32]byte, fn string, flags uint32, version uint64) []byte {
	b := make([]byte, TargetSize)
	copy(b, id[:])
	binary.LittleEndian.PutUint32(b[offFnHash:], sbpf.HashSymbol([]byte(fn)))
	binary.LittleEndian.PutUint32(b[offFlags:], flags)
	binary.LittleEndian.PutUint64(b[offVersion:], version)
	return b
}

func registry(t testing.TB) *vm.Registry {
	reg := syscalls.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

type outcome struct {
	res   vm.Result
	input []byte
	host  *testHost
}

// callModule runs the caller over input = target ‖ arg ‖ out.
func callModule(t testing.TB, reg *vm.Registry, host any, tgt, arg []byte, outCap int, budget uint64) outcome {
	t.Helper()
	src := caller(len(arg), outCap)
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: Aliases()})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	input := append(append(append([]byte(nil), tgt...), arg...), make([]byte, outCap)...)
	res := exe.Run(nil, vm.RunOptions{Input: input, Budget: budget, Context: host})
	h, _ := host.(*testHost)
	return outcome{res, input, h}
}

func newHost(t testing.TB) *testHost {
	return &testHost{elfs: map[[32]byte][]byte{modID: build(t, mathModule, "double", "scribble", "fault", "spin", "chatty", "recurse")},
		versions: map[[32]byte]uint64{modID: 3}}
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func TestCall(t *testing.T) {
	reg := registry(t)
	o := callModule(t, reg, newHost(t), target(modID, "double", 0, 0), u64(21), 8, 10_000)
	if o.res.Err != nil || o.res.R0 != 7 {
		t.Fatalf("r0 %d err %v", o.res.R0, o.res.Err)
	}
	if got := binary.LittleEndian.Uint64(o.input[56:]); got != 42 {
		t.Fatalf("out = %d, want 42", got)
	}
	// The caller's 10 instructions, the syscall's price, and the
	// callee's 5 instructions: all charged to the caller.
	if want := uint64(10 + CostCall + 1 + 5); o.res.CU != want {
		t.Fatalf("CU %d, want %d", o.res.CU, want)
	}
	// Pinned to the active version.
	if o := callModule(t, reg, newHost(t), target(modID, "double", 0, 3), u64(1), 8, 10_000); o.res.Err != nil {
		t.Fatal(o.res.Err)
	}
}

func TestWritableArgument(t *testing.T) {
	o := callModule(t, registry(t), newHost(t), target(modID, "scribble", FlagWritable, 0), u64(5), 8, 10_000)
	if o.res.Err != nil || binary.LittleEndian.Uint64(o.input[48:]) != 9 {
		t.Fatalf("err %v arg %x", o.res.Err, o.input[48:56])
	}
}

func TestCalleeLogsReachTheCaller(t *testing.T) {
	o := callModule(t, registry(t), newHost(t), target(modID, "chatty", 0, 0), nil, 8, 10_000)
	if o.res.Err != nil || len(o.host.logs) != 1 || !strings.Contains(o.host.logs[0], "0x4") {
		t.Fatalf("err %v logs %q", o.res.Err, o.host.logs)
	}
}

// Every error path: a clear error kind, and neither the argument nor the
// out buffer changed.
func TestErrorPaths(t *testing.T) {
	unverified := func(h *testHost) {
		// An invalid opcode (0xff) after the entrypoint: it loads, the
		// structural verifier rejects it.
		text := make([]byte, 3*8)
		text[0], text[8], text[16] = 0xb7, 0xff, 0x95
		b, err := elf.Write(&elf.Object{Version: sbpf.V0, Text: text, Functions: map[string]int{"entrypoint": 0, "double": 0}, Exports: []string{"double"}})
		if err != nil {
			t.Fatal(err)
		}
		h.elfs[modID] = b
	}
	tests := []struct {
		name   string
		tgt    []byte
		setup  func(*testHost)
		budget uint64
		want   error
		detail string
	}{
		{"missing export", target(modID, "halve", 0, 0), nil, 0, ErrMissingExport, "it exports chatty, double, entrypoint, fault, recurse, scribble, spin"},
		{"unknown module", target([32]byte{9}, "double", 0, 0), nil, 0, ErrUnknownModule, ""},
		{"unverified module", target(modID, "double", 0, 0), unverified, 0, ErrUnverifiedModule, ""},
		{"pinned version not active", target(modID, "double", 0, 2), nil, 0, ErrVersionMismatch, "at version 3, the caller pinned 2"},
		{"read-only argument written", target(modID, "scribble", 0, 0), nil, 0, ErrReadOnlyWrite, ""},
		{"callee faults", target(modID, "fault", 0, 0), nil, 0, ErrModuleFault, "Access violation"},
		{"unknown flags", target(modID, "double", 6, 0), nil, 0, ErrBadTarget, ""},
		{"nesting too deep", nil, nil, 0, ErrModuleFault, "ModuleCallDepthExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			tgt := tt.tgt
			if tgt == nil { // the module recursing into itself
				tgt = target(modID, "recurse", 0, 0)
			}
			arg := u64(5)
			if tt.tgt == nil {
				arg = tgt
			}
			o := callModule(t, registry(t), h, tgt, arg, 8, 100_000)
			if !errors.Is(o.res.Err, tt.want) || !strings.Contains(o.res.Err.Error(), tt.detail) {
				t.Fatalf("err %v, want %v with %q", o.res.Err, tt.want, tt.detail)
			}
			if !bytes.Equal(o.input[48:], append(arg, make([]byte, 8)...)) {
				t.Fatalf("a failed call changed the caller's memory: %x", o.input[48:])
			}
		})
	}
}

// A callee that never stops spends the caller's budget: its CU are the
// caller's.
func TestCalleeCUAreTheCallers(t *testing.T) {
	o := callModule(t, registry(t), newHost(t), target(modID, "spin", 0, 0), nil, 8, 5_000)
	if o.res.Err == nil || o.res.CU != 5_000 {
		t.Fatalf("err %v CU %d, want the whole budget spent", o.res.Err, o.res.CU)
	}
}

func TestNoHost(t *testing.T) {
	o := callModule(t, registry(t), syscalls.NewContext([32]byte{}), target(modID, "double", 0, 0), u64(1), 8, 10_000)
	if !errors.Is(o.res.Err, ErrNoHost) {
		t.Fatalf("err %v", o.res.Err)
	}
}
