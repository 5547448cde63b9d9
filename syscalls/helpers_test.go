package syscalls

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// in returns the guest address of byte off of the input region.
func in(off uint64) uint64 { return sbpf.InputStart + off }

// prog builds straight-line test programs and counts the compute units
// their instructions cost when each runs once.
type prog struct {
	text  []byte
	insns uint64
}

func (p *prog) emit(i sbpf.Instruction) *prog {
	p.text = sbpf.AppendEncoded(p.text, i)
	p.insns++
	return p
}

// set loads a 64-bit constant into dst (lddw: two slots, one unit).
func (p *prog) set(dst uint8, v uint64) *prog {
	p.text = sbpf.AppendEncoded(p.text, sbpf.Instruction{Op: sbpf.LdDwImm, Dst: dst, Imm: int32(uint32(v))})
	p.text = sbpf.AppendEncoded(p.text, sbpf.Instruction{Imm: int32(uint32(v >> 32))})
	p.insns++
	return p
}

// call loads args into r1.. and calls the syscall name.
func (p *prog) call(name string, args ...uint64) *prog {
	for i, a := range args {
		p.set(uint8(i+1), a)
	}
	return p.emit(sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash(name))})
}

// keep copies r0 into reg (r6-r9 survive later calls untouched).
func (p *prog) keep(reg uint8) *prog {
	return p.emit(sbpf.Instruction{Op: sbpf.Mov64Reg, Dst: reg, Src: 0})
}

func (p *prog) exit() *prog { return p.emit(sbpf.Instruction{Op: sbpf.Exit}) }

func run(t testing.TB, v sbpf.Version, p *prog, input []byte, budget uint64, ctx any) vm.Result {
	t.Helper()
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(v, p.text, nil, 0), NewRegistry(), vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: budget, Context: ctx})
}

// slices writes a (pointer, length) array at off of input, one entry per
// (offset, length) pair, each pointer into the input region.
func slices(input []byte, off uint64, pairs ...[2]uint64) {
	for i, pr := range pairs {
		binary.LittleEndian.PutUint64(input[off+uint64(i)*16:], in(pr[0]))
		binary.LittleEndian.PutUint64(input[off+uint64(i)*16+8:], pr[1])
	}
}

func wantOK(t *testing.T, res vm.Result, cu uint64) {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("unexpected error: %v", res.Err)
	}
	if res.CU != cu {
		t.Fatalf("CU = %d, want %d", res.CU, cu)
	}
}

// wantKind checks that the run failed with a SyscallError whose stable
// kind is kind, after consuming cu units.
func wantKind(t *testing.T, res vm.Result, kind string, cu uint64) {
	t.Helper()
	var ve *vm.Error
	if !errors.As(res.Err, &ve) || ve.Kind != vm.SyscallError {
		t.Fatalf("err = %v, want a SyscallError", res.Err)
	}
	if got := vm.ErrorKindOf(res.Err); got != kind {
		t.Fatalf("kind = %q (%v), want %q", got, res.Err, kind)
	}
	if res.CU != cu {
		t.Fatalf("CU = %d, want %d", res.CU, cu)
	}
}

func wantLogs(t *testing.T, ctx *Context, want ...string) {
	t.Helper()
	got := ctx.Messages()
	if len(got) != len(want) {
		t.Fatalf("logs = %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("log %d = %q, want %q", i, got[i], want[i])
		}
	}
}
