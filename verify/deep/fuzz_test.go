package deep_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/verify/absint"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/verify/econ"
	"github.com/agora-vm/agora/vm"
)

// genProgram turns bytes into a V0 program biased toward what the
// analyses reason about: loads and stores off r1 and r10 (and off
// computed registers), arithmetic with small immediates, forward and
// backward jumps, then exit.
func genProgram(b []byte) []byte {
	var text []byte
	emit := func(i sbpf.Instruction) { text = sbpf.AppendEncoded(text, i) }
	loads := []sbpf.Opcode{sbpf.LdxB, sbpf.LdxH, sbpf.LdxW, sbpf.LdxDW}
	stores := []sbpf.Opcode{sbpf.StxB, sbpf.StxH, sbpf.StxW, sbpf.StxDW}
	alu := []sbpf.Opcode{sbpf.Add64Imm, sbpf.Sub64Imm, sbpf.And64Imm, sbpf.Mov64Imm, sbpf.Lsh64Imm, sbpf.Rsh64Imm, sbpf.Mul64Imm, sbpf.Add64Reg, sbpf.Mov64Reg}
	n := min(len(b)/4, 48)
	for k := 0; k < n; k++ {
		x := b[4*k : 4*k+4]
		reg := x[1]%6 + 1 // r1..r6
		src := x[2] % 11
		off := int16(int8(x[3]))
		switch x[0] % 6 {
		case 0, 1:
			base := []uint8{1, 10, reg}[x[2]%3]
			if base == 10 {
				off = -int16(x[3]%64) - 8
			}
			emit(sbpf.Instruction{Op: loads[x[0]/6%4], Dst: reg, Src: base, Off: off})
		case 2:
			base := []uint8{1, 10, reg}[x[2]%3]
			if base == 10 {
				off = -int16(x[3]%64) - 8
			}
			emit(sbpf.Instruction{Op: stores[x[0]/6%4], Dst: base, Src: x[1] % 10, Off: off})
		case 3, 4:
			emit(sbpf.Instruction{Op: alu[x[0]/6%uint8(len(alu))], Dst: reg, Src: src % 10, Imm: int32(int8(x[3]))})
		case 5:
			emit(sbpf.Instruction{Op: sbpf.Opcode(0x25), Dst: reg, Imm: int32(x[3] % 64), Off: int16(x[2]%8) - 2}) // jgt imm
		}
	}
	emit(sbpf.Instruction{Op: 0xb7, Dst: 0}) // mov64 r0, 0
	emit(sbpf.Instruction{Op: 0x95})         // exit
	return text
}

func deepOptions(text []byte) *deep.Options {
	p := vm.NewRawProgram(sbpf.V0, text, nil, 0)
	return &deep.Options{Version: sbpf.V0, Text: text, ROData: p.ROData, RODataVAddr: p.RODataVAddr,
		HeapSize: vm.DefaultConfig().HeapSize, Timeout: 2 * time.Second, QueryTimeout: 500 * time.Millisecond,
		MaxPaths: 16, MaxPathSteps: 400}
}

// FuzzAnalyze: the deep analyses never panic on any program text.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte{0x79, 0x12, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Add(genProgram([]byte("some bytes to turn into a program!")))
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 4096 {
			return
		}
		text = text[:len(text)/8*8]
		if _, err := deep.Analyze(deepOptions(text)); err != nil {
			t.Logf("error (allowed): %v", err)
		}
	})
}

// checkMemorySafe runs a program the abstract interpreter calls memory
// safe on an input and fails on an access violation.
func checkMemorySafe(t *testing.T, text, input []byte) bool {
	if verify.Structural(text, sbpf.V0, syscalls.NewRegistry()) != nil {
		return false
	}
	p := vm.NewRawProgram(sbpf.V0, text, nil, 0)
	res, err := absint.Analyze(&absint.Program{Version: sbpf.V0, Text: text},
		&absint.Layout{InputLen: -1, HeapSize: vm.DefaultConfig().HeapSize, ROData: p.ROData, RODataVAddr: p.RODataVAddr}, absint.Options{})
	if err != nil {
		return false
	}
	for _, a := range res.Accesses {
		if !a.Proven {
			return false
		}
	}
	if len(res.Unknown) > 0 {
		return false
	}
	for len(input) < res.NeedInput {
		input = append(input, byte(len(input)*7))
	}
	exe, err := vm.Interpreter{}.Prepare(p, syscalls.NewRegistry(), vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 10000})
	if k := vm.ErrorKindOf(r.Err); k == "AccessViolation" || k == "StackAccessViolation" {
		t.Fatalf("proven memory safe (input of at least %d bytes) but faults on %x: %v", res.NeedInput, input, r.Err)
	}
	return true
}

// FuzzMemorySafe: a program the analysis calls memory safe never faults
// with an access violation, whatever its input.
func FuzzMemorySafe(f *testing.F) {
	f.Add([]byte("ldxdw r2, [r1+8] and so on, random"), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, prog, input []byte) {
		if len(input) > 1024 {
			return
		}
		checkMemorySafe(t, genProgram(prog), input)
	})
}

// TestMemorySafeRandom is FuzzMemorySafe over a fixed sample, so every
// test run checks the property.
func TestMemorySafeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	safe := 0
	for range 1500 {
		prog := make([]byte, 4*(1+r.IntN(24)))
		for i := range prog {
			prog[i] = byte(r.Uint32())
		}
		input := make([]byte, r.IntN(96))
		for i := range input {
			input[i] = byte(r.Uint32())
		}
		if checkMemorySafe(t, genProgram(prog), input) {
			safe++
		}
	}
	t.Logf("%d of 1500 random programs proven memory safe, none faulted", safe)
	if safe < 50 {
		t.Fatalf("only %d programs proven safe: the sample does not exercise the property", safe)
	}
}

// TestAnalyzeRandom runs every analysis over random programs.
func TestAnalyzeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 40 {
		prog := make([]byte, 4*(1+r.IntN(24)))
		for i := range prog {
			prog[i] = byte(r.Uint32())
		}
		if _, err := deep.Analyze(deepOptions(genProgram(prog))); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzInvariant: the invariant parser never panics, and what it accepts
// is a boolean whose positions lie in the source.
func FuzzInvariant(f *testing.F) {
	for _, s := range []string{"sum(lamports) == old(sum(lamports))", "u64(acct[1].data[8..16]) <= 3 * old(acct[0].lamports) + 7",
		"acct[0].lamports > 0 && !(acct[1].lamports == 5) || 1 == 1", "u8(acct[0].data[0..1]) != -1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := econ.Parse(s)
		if err != nil {
			var pe *econ.ParseError
			if !asParseError(err, &pe) || pe.Pos < 0 || pe.Pos > len(s) {
				t.Fatalf("%q: bad error %v", s, err)
			}
			return
		}
		if !e.IsBool() {
			t.Fatalf("%q accepted as a non-boolean", s)
		}
		_ = econ.Check(e, []int{16, 16})
	})
}

func asParseError(err error, pe **econ.ParseError) bool {
	p, ok := err.(*econ.ParseError)
	*pe = p
	return ok
}
