package jit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// quiet is an engine whose fallback messages go nowhere.
var quiet = Engine{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

// testRegistry has one syscall that charges, reads and writes guest memory
// and can fail, so handoffs to the interpreter are exercised.
func testRegistry() *vm.Registry {
	reg := vm.NewRegistry()
	reg.MustRegister("jit_test_syscall", func(m *vm.Machine, a, b, c, d, e uint64) (uint64, error) {
		if err := m.Consume(a & 0x3f); err != nil {
			return 0, err
		}
		buf, err := m.Translate(vm.Store, b, c&0x1f)
		if err != nil {
			return 0, err
		}
		for i := range buf {
			buf[i] ^= byte(d)
		}
		return a*3 + d, nil
	})
	return reg
}

var testSyscall = sbpf.SyscallHash("jit_test_syscall")

// outcome is everything a run lets a caller observe.
type outcome struct {
	r0, cu  uint64
	err     string
	kind    vm.ErrorKind
	pc      int
	regs    [11]uint64
	input   []byte
	heap    []byte
	stack   []byte
	stackHi []byte
}

func observe(m *vm.Machine, res vm.Result, input []byte, cfg vm.Config) outcome {
	o := outcome{r0: res.R0, cu: res.CU, regs: m.Registers(), input: bytes.Clone(input)}
	if res.Err != nil {
		o.err = res.Err.Error()
		var ve *vm.Error
		if errors.As(res.Err, &ve) {
			o.kind, o.pc = ve.Kind, ve.PC
		}
	}
	o.heap, _ = m.ReadMemory(sbpf.HeapStart, uint64(cfg.HeapSize))
	o.stack, _ = m.ReadMemory(sbpf.StackStart, 4096)
	o.stackHi, _ = m.ReadMemory(sbpf.StackStart+uint64(64*4096)-4096, 4096)
	return o
}

func (o outcome) String() string {
	return fmt.Sprintf("r0=%#x cu=%d err=%q kind=%v pc=%d regs=%x", o.r0, o.cu, o.err, o.kind, o.pc, o.regs)
}

func equal(a, b outcome) bool {
	return a.r0 == b.r0 && a.cu == b.cu && a.err == b.err && a.kind == b.kind && a.pc == b.pc && a.regs == b.regs &&
		bytes.Equal(a.input, b.input) && bytes.Equal(a.heap, b.heap) && bytes.Equal(a.stack, b.stack) && bytes.Equal(a.stackHi, b.stackHi)
}

// pair runs the same program on both engines, each on its own reused
// machine (so lazy clearing between runs is checked too).
type pair struct {
	im, jm *vm.Machine
	reg    *vm.Registry
}

func newPair() *pair { return &pair{im: vm.NewMachine(), jm: vm.NewMachine(), reg: testRegistry()} }

func (p *pair) check(t *testing.T, prog *vm.Program, cfg vm.Config, input []byte, budget uint64) *Runnable {
	t.Helper()
	ie, err := vm.Interpreter{}.Prepare(prog, p.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	je, err := quiet.PrepareJIT(prog, p.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	in1, in2 := bytes.Clone(input), bytes.Clone(input)
	want := observe(p.im, ie.Run(p.im, vm.RunOptions{Input: in1, Budget: budget}), in1, ie.Config())
	got := observe(p.jm, je.Run(p.jm, vm.RunOptions{Input: in2, Budget: budget}), in2, je.Config())
	if !equal(want, got) {
		t.Fatalf("version %v budget %d: engines differ\ninterp: %v\njit:    %v\ninput %x / %x\nprogram %x", prog.Version, budget, want, got, want.input, got.input, prog.Text)
	}
	return je
}

// validOps lists the opcodes version v knows.
func validOps(v sbpf.Version) []sbpf.Opcode {
	var ops []sbpf.Opcode
	for o := range 256 {
		if v.Lookup(sbpf.Opcode(o)) != sbpf.OpInvalid {
			ops = append(ops, sbpf.Opcode(o))
		}
	}
	return ops
}

// randomProgram builds n slots after a prologue that points r2, r3 and r4
// at the input, the stack and the heap, so memory instructions often hit.
func randomProgram(rng *rand.Rand, v sbpf.Version, n int) *vm.Program {
	ops := validOps(v)
	var text []byte
	add := func(i sbpf.Instruction) { text = sbpf.AppendEncoded(text, i) }
	lddw := func(r uint8, x uint64) {
		add(sbpf.Instruction{Op: sbpf.LdDwImm, Dst: r, Imm: int32(uint32(x))})
		add(sbpf.Instruction{Imm: int32(uint32(x >> 32))})
	}
	if v.LowerRodataVaddr() { // V3+ has no lddw; build the addresses
		add(sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: 2, Imm: 4})
		add(sbpf.Instruction{Op: sbpf.Lsh64Imm, Dst: 2, Imm: 32})
		add(sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: 4, Imm: 3})
		add(sbpf.Instruction{Op: sbpf.Lsh64Imm, Dst: 4, Imm: 32})
	} else {
		lddw(2, sbpf.InputStart)
		lddw(4, sbpf.HeapStart)
	}
	add(sbpf.Instruction{Op: sbpf.Mov64Reg, Dst: 3, Src: 10})
	add(sbpf.Instruction{Op: sbpf.Add64Imm, Dst: 3, Imm: -64})
	start := len(text) / 8
	funcs := map[uint32]int{}
	for pc := start; pc < start+n; pc++ {
		op := ops[rng.IntN(len(ops))]
		info := v.Lookup(op).Info()
		i := sbpf.Instruction{Op: op, Dst: uint8(rng.IntN(10)), Src: uint8(rng.IntN(11))}
		switch rng.IntN(4) {
		case 0:
			i.Imm = int32(rng.IntN(16))
		case 1:
			i.Imm = int32(rng.Uint32())
		case 2:
			i.Imm = int32(rng.IntN(130)) - 65
		default:
			i.Imm = int32(rng.IntN(64))
		}
		switch info.Format {
		case sbpf.FmtLoad, sbpf.FmtStoreImm, sbpf.FmtStoreReg:
			base := []uint8{1, 2, 3, 4, 10, 3, 2}[rng.IntN(7)]
			if info.Format == sbpf.FmtLoad {
				i.Src = base
			} else {
				i.Dst = base
			}
			i.Off = int16(rng.IntN(80)) - 8
			if rng.IntN(20) == 0 {
				i.Off = int16(rng.Uint32())
			}
		case sbpf.FmtJa, sbpf.FmtJumpImm, sbpf.FmtJumpReg:
			i.Off = int16(rng.IntN(n+4)) - int16(pc-start) - 2
			if rng.IntN(3) == 0 { // short forward jumps keep loops rarer
				i.Off = int16(rng.IntN(6))
			}
		case sbpf.FmtCall:
			switch rng.IntN(3) {
			case 0:
				i.Imm, i.Src = int32(testSyscall), 0
				if v.StaticSyscalls() {
					i.Src = 0
				}
			default:
				t := start + rng.IntN(n)
				if v.StaticSyscalls() {
					i.Src, i.Imm = 1, int32(t-pc-1)
				} else {
					i.Src = 0
					i.Imm = int32(sbpf.PCHash(uint64(t)))
					funcs[uint32(i.Imm)] = t
				}
			}
		case sbpf.FmtLDDW:
			if pc == start+n-1 {
				continue
			}
			add(i)
			add(sbpf.Instruction{Imm: int32(rng.Uint32())})
			pc++
			continue
		}
		if info.Format == sbpf.FmtCallx && rng.IntN(2) == 0 {
			i.Imm = int32(rng.IntN(11))
		}
		if rng.IntN(200) == 0 {
			i.Dst = uint8(rng.IntN(16))
		}
		add(i)
	}
	add(sbpf.Instruction{Op: sbpf.Exit})
	return vm.NewRawProgram(v, text, funcs, 0)
}

func randomInput(rng *rand.Rand) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestDifferentialRandom runs random programs of every version on both
// engines and requires every observable to agree.
func TestDifferentialRandom(t *testing.T) {
	rounds := 3000
	if testing.Short() {
		rounds = 600
	}
	p := newPair()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range rounds {
		v := sbpf.Version(i % int(sbpf.LatestVersion+1))
		prog := randomProgram(rng, v, 4+rng.IntN(60))
		cfg := vm.Config{HeapSize: 64 * rng.IntN(3)}
		budget := uint64(rng.IntN(3000))
		p.check(t, prog, cfg, randomInput(rng), budget)
	}
}

// FuzzDifferential compares the engines on arbitrary bytes of every
// version: unverified programs must agree as exactly as verified ones.
func FuzzDifferential(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		prog := randomProgram(rng, sbpf.Version(i%5), 20)
		f.Add(prog.Text, uint8(i%5), uint16(1000), uint8(1))
	}
	p := newPair()
	f.Fuzz(func(t *testing.T, text []byte, version uint8, budget uint16, heap uint8) {
		text = text[:len(text)/8*8]
		v := sbpf.Version(version % uint8(sbpf.LatestVersion+1))
		prog := vm.NewRawProgram(v, text, map[uint32]int{sbpf.PCHash(0): 0, sbpf.PCHash(1): 1}, 0)
		p.check(t, prog, vm.Config{HeapSize: int(heap%4) * 32}, make([]byte, 48), uint64(budget))
	})
}
