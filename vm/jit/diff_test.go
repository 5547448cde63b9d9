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
	// The dirty marks: how much of the input, stack and heap the run may
	// have written.
	written    [3]int
	dirtyStack []byte
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
	var st vm.State
	m.View(&st)
	o.written = [3]int{m.InputWritten(), len(st.Stack), len(st.Heap)}
	o.dirtyStack = bytes.Clone(st.Stack) // every frame the run may have written
	return o
}

func (o outcome) String() string {
	return fmt.Sprintf("r0=%#x cu=%d err=%q kind=%v pc=%d regs=%x written=%v", o.r0, o.cu, o.err, o.kind, o.pc, o.regs, o.written)
}

func equal(a, b outcome) bool {
	return a.r0 == b.r0 && a.cu == b.cu && a.err == b.err && a.kind == b.kind && a.pc == b.pc && a.regs == b.regs && a.written == b.written && bytes.Equal(a.dirtyStack, b.dirtyStack) &&
		bytes.Equal(a.input, b.input) && bytes.Equal(a.heap, b.heap) && bytes.Equal(a.stack, b.stack) && bytes.Equal(a.stackHi, b.stackHi)
}

// pair runs the same program on both engines, each on its own reused
// machine (so lazy clearing between runs is checked too).
type pair struct {
	im, jm *vm.Machine
	reg    *vm.Registry
	eng    Engine
	last   outcome // the interpreter's outcome of the last check
}

func newPair() *pair {
	return &pair{im: vm.NewMachine(), jm: vm.NewMachine(), reg: testRegistry(), eng: quiet}
}

func (p *pair) check(t *testing.T, prog *vm.Program, cfg vm.Config, input []byte, budget uint64) *Runnable {
	t.Helper()
	ie, err := vm.Interpreter{}.Prepare(prog, p.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	je, err := p.eng.PrepareJIT(prog, p.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.compare(t, ie, je, input, budget)
	return je
}

// compare runs prepared programs on both engines.
func (p *pair) compare(t *testing.T, ie vm.Runnable, je *Runnable, input []byte, budget uint64) {
	t.Helper()
	prog := je.Program()
	in1, in2 := bytes.Clone(input), bytes.Clone(input)
	want := observe(p.im, ie.Run(p.im, vm.RunOptions{Input: in1, Budget: budget}), in1, ie.Config())
	got := observe(p.jm, je.Run(p.jm, vm.RunOptions{Input: in2, Budget: budget}), in2, je.Config())
	p.last = want
	if !equal(want, got) {
		t.Fatalf("version %v budget %d: engines differ\ninterp: %v\njit:    %v\ninput %x / %x\nprogram %x", prog.Version, budget, want, got, want.input, got.input, prog.Text)
	}
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
	for i := range 20 { // loads and stores, in access groups
		prog := denseProgram(rng, sbpf.Version(i%5), 24)
		f.Add(prog.Text, uint8(i%5), uint16(200), uint8(2))
	}
	p := newPair()
	f.Fuzz(func(t *testing.T, text []byte, version uint8, budget uint16, heap uint8) {
		text = text[:len(text)/8*8]
		v := sbpf.Version(version % uint8(sbpf.LatestVersion+1))
		prog := vm.NewRawProgram(v, text, map[uint32]int{sbpf.PCHash(0): 0, sbpf.PCHash(1): 1}, 0)
		p.check(t, prog, vm.Config{HeapSize: int(heap%4) * 32}, make([]byte, 48), uint64(budget))
	})
}

// TestDifferentialConfigs runs random programs under limits other than
// the default: call depths whose return addresses do not fit the private
// stack (returns then go through the table), tiny depths, other frame
// sizes (other gap shifts) and V0 without gaps; a third of them with
// read-only data that does not start at its slot's base.
func TestDifferentialConfigs(t *testing.T) {
	cfgs := []vm.Config{
		{MaxCallDepth: 200},
		{MaxCallDepth: 2},
		{StackFrameSize: 256, MaxCallDepth: 8},
		{StackFrameSize: 1 << 14, MaxCallDepth: 4},
		{NoStackGaps: true},
	}
	rounds := 400
	if testing.Short() {
		rounds = 100
	}
	p := newPair()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range rounds {
		// Half the rounds compile without BMI2, as on hosts that lack it.
		p.eng.opts.noBMI2 = i%2 == 1
		v := sbpf.Version(i % int(sbpf.LatestVersion+1))
		cfg := cfgs[i%len(cfgs)]
		cfg.HeapSize = 64 * rng.IntN(3)
		prog := randomProgram(rng, v, 4+rng.IntN(60))
		if i%3 == 2 { // read-only data off its slot's base: relative limits
			prog.RODataVAddr += 8 * uint64(1+rng.IntN(4))
		}
		p.check(t, prog, cfg, randomInput(rng), uint64(rng.IntN(3000)))
	}
}

// TestRecursionWithSyscalls: a syscall in every leaf of a recursive
// function leaves machine code with native return addresses pending; the
// returns after re-entry must take the frame table's return pc. Every
// budget is checked against the interpreter.
func TestRecursionWithSyscalls(t *testing.T) {
	text := assemble(
		I{Op: sbpf.Mov64Imm, Dst: 1, Imm: 7},
		I{Op: sbpf.Call, Imm: int32(sbpf.PCHash(3))},
		I{Op: sbpf.Exit},
		// fib(r1), at 3
		I{Op: sbpf.Mov64Reg, Dst: 0, Src: 1},
		I{Op: sbpf.JgtImm, Dst: 1, Imm: 1, Off: 9},
		I{Op: sbpf.Mov64Reg, Dst: 7, Src: 1}, // leaf: a syscall that writes the stack
		I{Op: sbpf.Mov64Imm, Dst: 1, Imm: 1},
		I{Op: sbpf.Mov64Reg, Dst: 2, Src: 10},
		I{Op: sbpf.Add64Imm, Dst: 2, Imm: -8},
		I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 4},
		I{Op: sbpf.Mov64Imm, Dst: 4, Imm: 0x5a},
		I{Op: sbpf.Call, Imm: int32(testSyscall)},
		I{Op: sbpf.Mov64Reg, Dst: 0, Src: 7},
		I{Op: sbpf.Exit},
		// at 14
		I{Op: sbpf.Mov64Reg, Dst: 6, Src: 1},
		I{Op: sbpf.Sub64Imm, Dst: 1, Imm: 1},
		I{Op: sbpf.Call, Imm: int32(sbpf.PCHash(3))},
		I{Op: sbpf.Mov64Reg, Dst: 7, Src: 0},
		I{Op: sbpf.Mov64Reg, Dst: 1, Src: 6},
		I{Op: sbpf.Sub64Imm, Dst: 1, Imm: 2},
		I{Op: sbpf.Call, Imm: int32(sbpf.PCHash(3))},
		I{Op: sbpf.Add64Reg, Dst: 0, Src: 7},
		I{Op: sbpf.Exit},
	)
	funcs := map[uint32]int{sbpf.PCHash(3): 3}
	p := newPair()
	for _, cfg := range []vm.Config{{}, {MaxCallDepth: 200}, {MaxCallDepth: 5}} {
		prog := vm.NewRawProgram(sbpf.V0, text, funcs, 0)
		r := p.check(t, prog, cfg, nil, 1_000_000)
		if !r.Compiled() {
			t.Fatalf("not compiled: %v", r.Fallback())
		}
		for b := uint64(0); b < 700; b += 3 {
			p.check(t, prog, cfg, nil, b)
		}
	}
	res := p.check(t, vm.NewRawProgram(sbpf.V0, text, funcs, 0), vm.Config{}, nil, 1_000_000).Run(nil, vm.RunOptions{Budget: 1_000_000})
	if res.Err != nil || res.R0 != 13 {
		t.Fatalf("fib(7) = %d, %v", res.R0, res.Err)
	}
}

// TestStackGapsEveryFrame stores and loads at addresses all over a gapped
// (and an ungapped) stack, in and out of the gaps and across frame
// boundaries, for several frame sizes, and compares each frame of the
// whole stack with the interpreter's: the inline gap transform must map
// every frame exactly as translate does.
func TestStackGapsEveryFrame(t *testing.T) {
	p := newPair()
	for i, cfg := range []vm.Config{
		{StackFrameSize: 4096, MaxCallDepth: 6},
		{StackFrameSize: 256, MaxCallDepth: 6},
		{StackFrameSize: 2, MaxCallDepth: 6},
		{StackFrameSize: 1, MaxCallDepth: 6},
		{StackFrameSize: 512, MaxCallDepth: 6, NoStackGaps: true},
		{StackFrameSize: 4096, MaxCallDepth: 6},
		{StackFrameSize: 256, MaxCallDepth: 6},
	} {
		p.eng.opts.noBMI2 = i >= 5 // the last two without BMI2
		fs := uint64(cfg.StackFrameSize)
		for _, off := range []uint64{0, 1, fs/2 + 3, fs - 8, fs - 1, fs, fs + 5, 2*fs - 4, 2 * fs, 3*fs - 2, 4*fs + 7, 7*fs - 8, 11*fs + 1, 12*fs - 8, 12 * fs} {
			for _, size := range []sbpf.Opcode{sbpf.StxDW, sbpf.StxW, sbpf.StxH, sbpf.StxB} {
				addr := sbpf.StackStart + off
				load := map[sbpf.Opcode]sbpf.Opcode{sbpf.StxDW: sbpf.LdxDW, sbpf.StxW: sbpf.LdxW, sbpf.StxH: sbpf.LdxH, sbpf.StxB: sbpf.LdxB}[size]
				text := assemble(
					I{Op: sbpf.LdDwImm, Dst: 1, Imm: int32(uint32(addr))}, I{Imm: int32(addr >> 32)},
					I{Op: sbpf.LdDwImm, Dst: 2, Imm: 0x55667788}, I{Imm: 0x11223344},
					I{Op: size, Dst: 1, Src: 2, Off: 0},
					I{Op: sbpf.StDWImm, Dst: 1, Off: 8, Imm: -3},
					I{Op: load, Dst: 0, Src: 1, Off: 0},
					I{Op: sbpf.LdxDW, Dst: 3, Src: 1, Off: 8},
					I{Op: sbpf.Add64Reg, Dst: 0, Src: 3},
					I{Op: sbpf.Exit},
				)
				prog := vm.NewRawProgram(sbpf.V0, text, nil, 0)
				if size == sbpf.StxW { // relative limits (see jregion)
					prog.RODataVAddr += 0x40
				}
				p.check(t, prog, cfg, nil, 100)
				for k := range uint64(2 * cfg.MaxCallDepth) {
					a, errA := p.im.ReadMemory(sbpf.StackStart+k*fs, fs)
					b, errB := p.jm.ReadMemory(sbpf.StackStart+k*fs, fs)
					if !bytes.Equal(a, b) || (errA == nil) != (errB == nil) {
						t.Fatalf("frame size %d, store %v at +%d: stack chunk %d differs:\ninterp %x %v\njit    %x %v", fs, size, off, k, a, errA, b, errB)
					}
				}
			}
		}
	}
}

// TestUnalignedReadOnlyData loads from read-only data that starts inside
// its slot (as an ELF with optimized read-only data does), below, at and
// around its start and end, and stores to it; such a program is compiled
// with limits relative to each region's start.
func TestUnalignedReadOnlyData(t *testing.T) {
	p := newPair()
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
		ro := make([]byte, 100)
		for i := range ro {
			ro[i] = byte(i*7 + 1)
		}
		for _, shift := range []uint64{0, 0x40, 0x123} {
			for _, delta := range []int64{-0x200, -9, -8, -1, 0, 1, 7, 91, 92, 93, 99, 100, 0x1000} {
				for _, op := range []sbpf.Opcode{sbpf.LdxDW, sbpf.LdxB, sbpf.StDWImm} {
					base := sbpf.BytecodeStart
					if v.LowerRodataVaddr() {
						base = sbpf.RodataStart
					}
					addr := uint64(int64(base+shift) + delta)
					i := I{Op: op, Dst: 0, Src: 1}
					if op == sbpf.StDWImm {
						i = I{Op: op, Dst: 1, Imm: 5}
					}
					text := assemble(
						I{Op: sbpf.Mov64Imm, Dst: 1, Imm: int32(uint32(addr))},
						I{Op: sbpf.Lsh64Imm, Dst: 1, Imm: 32}, I{Op: sbpf.Rsh64Imm, Dst: 1, Imm: 32},
						I{Op: sbpf.Mov64Imm, Dst: 2, Imm: int32(addr >> 32)},
						I{Op: sbpf.Lsh64Imm, Dst: 2, Imm: 32},
						I{Op: sbpf.Or64Reg, Dst: 1, Src: 2},
						i,
						I{Op: sbpf.StxDW, Dst: 10, Src: 0, Off: -8}, // the stack still works
						I{Op: sbpf.LdxDW, Dst: 0, Src: 10, Off: -8},
						I{Op: sbpf.Exit})
					prog := vm.NewRawProgram(v, text, nil, 0)
					prog.ROData, prog.RODataVAddr = ro, base+shift
					r := p.check(t, prog, vm.Config{}, nil, 100)
					if want := shift != 0 && wantCompiled(); relativeLimits(r) != want {
						t.Fatalf("read-only data at +%#x: relative limits %v, want %v", shift, relativeLimits(r), want)
					}
				}
			}
		}
	}
}
