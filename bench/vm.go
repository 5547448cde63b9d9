package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Workload is one VM benchmark: an sBPF program, its input, and the same
// algorithm in Go.
type Workload struct {
	Name   string
	Source string // sBPF assembly (V0)
	// Input returns a fresh input buffer. Timed loops reuse one buffer for
	// every run (the programs may rewrite it), so allocation is not timed.
	Input func() []byte
	// Native runs the algorithm in Go on input and returns what the
	// program returns in r0, so the two are checked against each other.
	Native func(input []byte) uint64
}

const (
	aluIterations  = 100_000
	memBytes       = 4096
	fibN           = 18
	shaRounds      = 32
	shaMessageSize = 1024
)

// Workloads returns the VM benchmark set: alu-loop, mem-loop, call-heavy
// and syscall-heavy.
func Workloads() []Workload {
	return []Workload{
		{
			Name: "alu-loop",
			Source: fmt.Sprintf(`
    mov64 r1, %d
    mov64 r0, 0
loop:
    add64 r0, r1
    xor64 r0, 0x55
    sub64 r1, 1
    jne r1, 0, loop
    exit`, aluIterations),
			Input: func() []byte { return nil },
			Native: func([]byte) uint64 {
				var r0 uint64
				for r1 := uint64(aluIterations); r1 != 0; r1-- {
					r0 += r1
					r0 ^= 0x55
				}
				return r0
			},
		},
		{
			Name: "mem-loop",
			Source: fmt.Sprintf(`
    mov64 r2, r1
    mov64 r3, %d
    mov64 r0, 0
loop:
    ldxdw r4, [r2+0]
    add64 r0, r4
    add64 r4, 1
    stxdw [r2+0], r4
    add64 r2, 8
    sub64 r3, 1
    jne r3, 0, loop
    exit`, memBytes/8),
			Input: func() []byte { return make([]byte, memBytes) },
			Native: func(in []byte) uint64 {
				var sum uint64
				for i := 0; i+8 <= len(in); i += 8 {
					v := binary.LittleEndian.Uint64(in[i:])
					sum += v
					binary.LittleEndian.PutUint64(in[i:], v+1)
				}
				return sum
			},
		},
		{
			Name: "call-heavy",
			Source: fmt.Sprintf(`
    mov64 r1, %d
    call function_fib
    exit
function_fib:
    mov64 r0, r1
    jlt r1, 2, done
    mov64 r6, r1
    sub64 r1, 1
    call function_fib
    mov64 r7, r0
    mov64 r1, r6
    sub64 r1, 2
    call function_fib
    add64 r0, r7
done:
    exit`, fibN),
			Input:  func() []byte { return nil },
			Native: func([]byte) uint64 { return nativeFib(fibN) },
		},
		{
			Name: "syscall-heavy",
			// Hash a 1 KiB input `shaRounds` times with sol_sha256; r0 is
			// the first 8 bytes of the last digest.
			Source: fmt.Sprintf(`
    mov64 r6, r1
    mov64 r7, %d
    stxdw [r10-16], r6
    mov64 r1, %d
    stxdw [r10-8], r1
loop:
    mov64 r1, r10
    sub64 r1, 16
    mov64 r2, 1
    mov64 r3, r10
    sub64 r3, 64
    syscall sol_sha256
    sub64 r7, 1
    jne r7, 0, loop
    ldxdw r0, [r10-64]
    exit`, shaRounds, shaMessageSize),
			Input: func() []byte {
				b := make([]byte, shaMessageSize)
				for i := range b {
					b[i] = byte(i)
				}
				return b
			},
			Native: func(in []byte) uint64 {
				var d [32]byte
				for range shaRounds {
					d = sha256.Sum256(in)
				}
				return binary.LittleEndian.Uint64(d[:])
			},
		},
	}
}

func nativeFib(n uint64) uint64 {
	if n < 2 {
		return n
	}
	return nativeFib(n-1) + nativeFib(n-2)
}

// Prepared is a workload ready to run.
type Prepared struct {
	Workload
	Exe vm.Runnable
	// Insns is the number of sBPF instructions one run executes.
	Insns uint64
	// R0 is what one run returns (checked against Native).
	R0 uint64
	// CodeBytes is the machine code's size, for a compiling engine.
	CodeBytes int
	// PrepareNsPer1k is the engine's preparation time per 1,000
	// instructions of the program, for a compiling engine.
	PrepareNsPer1k float64

	// ctx is the syscall context every run starts afresh from: cleared,
	// not allocated, so that a run's time is the VM's (the native loop
	// allocates nothing either).
	ctx syscalls.Context
}

// Prepare assembles w for the interpreter and runs it once to count its
// instructions and check it against the native implementation.
func Prepare(w Workload) (*Prepared, error) { return PrepareOn(w, vm.Interpreter{}) }

// PrepareOn is Prepare on the given engine. The compile time and code
// size are recorded when the engine reports them.
func PrepareOn(w Workload, engine vm.Engine) (*Prepared, error) {
	p, err := asm.Assemble(w.Source, sbpf.V0, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.Name, err)
	}
	reg := syscalls.NewRegistry()
	start := time.Now()
	exe, err := engine.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.Config{})
	if err != nil {
		return nil, err
	}
	prepNs := time.Since(start).Nanoseconds()
	counter := &stepCounter{}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: w.Input(), Budget: 1 << 40, Hook: counter, Context: syscalls.NewContext([32]byte{})})
	if res.Err != nil {
		return nil, fmt.Errorf("%s: %w", w.Name, res.Err)
	}
	if want := w.Native(w.Input()); res.R0 != want {
		return nil, fmt.Errorf("%s: sBPF returned %#x, native %#x", w.Name, res.R0, want)
	}
	// The hooked run above is the interpreter's; check the engine's own.
	if got := exe.Run(vm.NewMachine(), vm.RunOptions{Input: w.Input(), Budget: 1 << 40, Context: syscalls.NewContext([32]byte{})}); got.Err != nil || got.R0 != res.R0 || got.CU != res.CU {
		return nil, fmt.Errorf("%s: the engine returned r0=%#x cu=%d err=%v, the interpreter r0=%#x cu=%d", w.Name, got.R0, got.CU, got.Err, res.R0, res.CU)
	}
	out := &Prepared{Workload: w, Exe: exe, Insns: uint64(counter.n), R0: res.R0}
	if c, ok := exe.(interface{ CodeSize() int }); ok && c.CodeSize() > 0 {
		out.CodeBytes = c.CodeSize()
		out.PrepareNsPer1k = float64(prepNs) * 1000 / float64(len(p.Text)/sbpf.InsnSize)
	}
	return out, nil
}

type stepCounter struct{ n int }

func (c *stepCounter) Step(*vm.Machine, int) { c.n++ }

// RunOnce executes the prepared program once on m, with a fresh syscall
// context. Runs of one Prepared must not overlap.
func (p *Prepared) RunOnce(m *vm.Machine, input []byte) vm.Result {
	p.ctx = syscalls.Context{}
	return p.Exe.Run(m, vm.RunOptions{Input: input, Budget: 1 << 40, Context: &p.ctx})
}

// Figure is one benchmark result.
type Figure struct {
	Name            string  `json:"name"`
	NsPerInsn       float64 `json:"ns_per_insn"`
	NativeNsPerInsn float64 `json:"native_ns_per_insn"`
	Ratio           float64 `json:"ratio"`
	// CodeBytes and CompileUsPer1kInsns are reported for a compiling engine.
	CodeBytes           int     `json:"code_bytes,omitempty"`
	CompileUsPer1kInsns float64 `json:"compile_us_per_1k_insns,omitempty"`
}

// Measure times the VM and the native baseline alternately, rounds times,
// each round lasting about roundTime, and reports the medians.
func Measure(p *Prepared, rounds int, roundTime time.Duration) Figure {
	m := vm.NewMachine()
	vmTimes := make([]float64, 0, rounds)
	nativeTimes := make([]float64, 0, rounds)
	vmInput, nativeInput := p.Input(), p.Input()
	for range rounds {
		vmTimes = append(vmTimes, timing.PerOp(roundTime, func() { p.RunOnce(m, vmInput) }))
		nativeTimes = append(nativeTimes, timing.PerOp(roundTime, func() { sink = p.Native(nativeInput) }))
	}
	vmNs := timing.Median(vmTimes) / float64(p.Insns)
	nativeNs := timing.Median(nativeTimes) / float64(p.Insns)
	return Figure{Name: p.Name, NsPerInsn: vmNs, NativeNsPerInsn: nativeNs, Ratio: vmNs / nativeNs,
		CodeBytes: p.CodeBytes, CompileUsPer1kInsns: p.PrepareNsPer1k / 1000}
}

var sink uint64
