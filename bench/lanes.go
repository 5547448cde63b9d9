package bench

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// LanesRow is one workload of the lanes benchmark at one lane count:
// the program's wall time per run (median), the CU it is charged (every
// lane) and its CU span (the critical path), and the speedups against
// the one-lane run of the same program in the same process.
type LanesRow struct {
	Name        string  `json:"name"`
	Lanes       int     `json:"lanes"`
	Ns          float64 `json:"ns"`
	CU          uint64  `json:"cu"`
	CUSpan      uint64  `json:"cu_span"`
	Speedup     float64 `json:"speedup"`      // one-lane ns / this ns
	SpanSpeedup float64 `json:"span_speedup"` // cu / cu_span
	Claimed     string  `json:"claimed"`      // the design proposal's figure
}

// lanesWorkload is a program of the lanes benchmark: children that each
// take a u64 size from their argument and return a u64.
type lanesWorkload struct {
	name, claimed string
	children      []lanesChild
}

type lanesChild struct {
	label string // the kernel's label in the program
	n     uint64 // its size argument
}

// Kernels of the lanes benchmark. Each child takes r1 = its argument (a
// u64 n) and returns r0; the inputs come from a linear congruential
// generator, so the programs need no data.
const lanesKernels = `
perception:                 # an exponential moving average over n
    ldxdw r6, [r1+0]        # samples; r0 = sum of |x - ema|
    lddw r7, 0x2545f4914f6cdd1d
    mov64 r8, 0
    mov64 r0, 0
perception_loop:
    mul64 r7, r9
    add64 r7, 1442695
    mov64 r2, r7
    rsh64 r2, 40
    mov64 r3, r2
    sub64 r3, r8
    arsh64 r3, 3
    add64 r8, r3
    mov64 r3, r2
    sub64 r3, r8
    jsge r3, 0, perception_pos
    neg64 r3
perception_pos:
    add64 r0, r3
    sub64 r6, 1
    jne r6, 0, perception_loop
    exit
ml:                         # a fixed-point neuron over n samples of 4
    ldxdw r6, [r1+0]        # features; r0 = sum of relu(w . x)
    lddw r7, 0x1b873593cc9e2d51
    mov64 r0, 0
ml_loop:
    mov64 r4, 0
    mul64 r7, r9
    add64 r7, 1442695
    mov64 r2, r7
    rsh64 r2, 48
    mul64 r2, 3
    add64 r4, r2
    mov64 r2, r7
    rsh64 r2, 32
    and64 r2, 0xffff
    mul64 r2, -2
    add64 r4, r2
    mov64 r2, r7
    rsh64 r2, 16
    and64 r2, 0xffff
    mul64 r2, 5
    add64 r4, r2
    mov64 r2, r7
    and64 r2, 0xffff
    mul64 r2, -4
    add64 r4, r2
    jsle r4, 0, ml_next
    add64 r0, r4
ml_next:
    sub64 r6, 1
    jne r6, 0, ml_loop
    exit
analytics:                  # mean and variance of n samples;
    ldxdw r6, [r1+0]        # r0 = n·Σx² − (Σx)², scaled down
    mov64 r5, r6
    lddw r7, 0x9e3779b97f4a7c15
    mov64 r3, 0
    mov64 r4, 0
analytics_loop:
    mul64 r7, r9
    add64 r7, 1442695
    mov64 r2, r7
    rsh64 r2, 52
    add64 r3, r2
    mul64 r2, r2
    add64 r4, r2
    sub64 r6, 1
    jne r6, 0, analytics_loop
    mul64 r4, r5
    mul64 r3, r3
    sub64 r4, r3
    div64 r4, r5
    div64 r4, r5
    mov64 r0, r4
    exit
montecarlo:                 # n random walks of 64 steps; r0 = the sum
    ldxdw r6, [r1+0]        # of their squared end points
    ldxdw r7, [r1+8]
    mov64 r0, 0
mc_walk:
    mov64 r8, 0
    mov64 r5, 64
mc_step:
    mov64 r2, r7
    lsh64 r2, 13
    xor64 r7, r2
    mov64 r2, r7
    rsh64 r2, 7
    xor64 r7, r2
    mov64 r2, r7
    lsh64 r2, 17
    xor64 r7, r2
    mov64 r2, r7
    and64 r2, 2
    sub64 r2, 1
    add64 r8, r2
    sub64 r5, 1
    jne r5, 0, mc_step
    mul64 r8, r8
    add64 r0, r8
    sub64 r6, 1
    jne r6, 0, mc_walk
    exit
`

// lanesWorkloads are the proposal's two examples of parallel agent
// work: three different analyses of one decision, and 1,000 Monte Carlo
// runs split over eight children.
func lanesWorkloads() []lanesWorkload {
	mc := make([]lanesChild, 8)
	for i := range mc {
		mc[i] = lanesChild{"montecarlo", 125}
	}
	return []lanesWorkload{
		{"perception-ml-analytics", "150,000 → 50,000 CU (3×)", []lanesChild{{"perception", 3000}, {"ml", 2200}, {"analytics", 3500}}},
		{"monte-carlo-1000", "2.5–6×", mc},
	}
}

// lanesSource is w's program: the parent puts each child's argument (its
// size and a seed) in its stack frame, spawns every child, joins them in
// order and returns the sum of their results. The LCG multiplier lives
// in r9 for every kernel (children start with the parent's registers
// cleared, so each kernel sets it first).
func lanesSource(w lanesWorkload) string {
	var b strings.Builder
	limit := 1_300_000 / len(w.children) // each child's CU reservation
	b.WriteString("entrypoint:\n    mov64 r6, 0\n")
	for i, c := range w.children {
		off := 16 * (i + 1)
		fmt.Fprintf(&b, "    stdw [r10-%d], %d\n    stdw [r10-%d], %d\n", off, c.n, off-8, 0x9e37+i*0x10001)
		fmt.Fprintf(&b, "    mov64 r1, {%s_entry}\n    mov64 r2, r10\n    sub64 r2, %d\n    mov64 r3, 16\n    mov64 r4, %d\n    parallel_spawn\n", c.label, off, limit)
		fmt.Fprintf(&b, "    stxdw [r10-%d], r0\n", 16*len(w.children)+16+8*i)
	}
	for i := range w.children {
		fmt.Fprintf(&b, "    ldxdw r1, [r10-%d]\n    mov64 r2, 0\n    mov64 r3, 0\n    parallel_join\n    add64 r6, r0\n", 16*len(w.children)+16+8*i)
	}
	b.WriteString("    mov64 r0, r6\n    exit\n")
	for _, k := range []string{"perception", "ml", "analytics", "montecarlo"} {
		fmt.Fprintf(&b, "%s_entry:\n    lddw r9, 0x5851f42d4c957f2d\n    ja %s\n", k, k)
	}
	b.WriteString(lanesKernels)
	return b.String()
}

// assembleLanes assembles src twice, the second time with every {label}
// replaced by its instruction index (the spawn's fn_pc).
func assembleLanes(src string, reg *vm.Registry) (vm.Runnable, error) {
	opts := &asm.Options{Aliases: lanes.Aliases()}
	subst := func(labels map[string]int) string {
		s := src
		for {
			i := strings.IndexByte(s, '{')
			if i < 0 {
				return s
			}
			j := strings.IndexByte(s[i:], '}') + i
			s = s[:i] + fmt.Sprint(labels[s[i+1:j]]) + s[j+1:]
		}
	}
	p, err := asm.Assemble(subst(nil), sbpf.V0, opts)
	if err != nil {
		return nil, err
	}
	if p, err = asm.Assemble(subst(p.Labels), sbpf.V0, opts); err != nil {
		return nil, err
	}
	return vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
}

// BenchLanes runs each workload at every lane count of counts: one lane
// runs the children serially, each to completion at its spawn; L lanes
// run them on goroutines with GOMAXPROCS set to L for the measurement
// (restored after). Each configuration runs reps times (at least 3); ns
// is the median. The results must agree at every count.
func BenchLanes(counts []int, reps int) ([]LanesRow, error) {
	reps = max(reps, 3)
	var rows []LanesRow
	for _, w := range lanesWorkloads() {
		var base float64
		var want vm.Result
		for _, n := range counts {
			if n < 1 {
				return nil, fmt.Errorf("lanes bench: %d lanes", n)
			}
			reg := syscalls.NewRegistry()
			if err := lanes.RegisterWith(reg, lanes.Options{Serial: n == 1}); err != nil {
				return nil, err
			}
			exe, err := assembleLanes(lanesSource(w), reg)
			if err != nil {
				return nil, fmt.Errorf("lanes bench: %s: %w", w.name, err)
			}
			prev := runtime.GOMAXPROCS(n)
			times := make([]float64, 0, reps)
			var res vm.Result
			var span uint64
			m := vm.NewMachine()
			exe.Run(m, vm.RunOptions{Input: make([]byte, 8), Budget: 1_400_000, Context: syscalls.NewContext([32]byte{})}) // warm up
			for range reps {
				ctx := syscalls.NewContext([32]byte{})
				start := time.Now()
				res = exe.Run(m, vm.RunOptions{Input: make([]byte, 8), Budget: 1_400_000, Context: ctx})
				times = append(times, float64(time.Since(start).Nanoseconds()))
				if res.Err != nil {
					runtime.GOMAXPROCS(prev)
					return nil, fmt.Errorf("lanes bench: %s at %d lanes: %w", w.name, n, res.Err)
				}
				span = lanes.Span(m, res.CU)
			}
			runtime.GOMAXPROCS(prev)
			if len(rows) > 0 && rows[len(rows)-1].Name == w.name && (res.R0 != want.R0 || res.CU != want.CU) {
				return nil, fmt.Errorf("lanes bench: %s: %d lanes gave r0 %d, %d CU; %d lanes gave r0 %d, %d CU", w.name, n, res.R0, res.CU, counts[0], want.R0, want.CU)
			}
			want = res
			slices.Sort(times)
			ns := times[len(times)/2]
			if base == 0 {
				base = ns
			}
			rows = append(rows, LanesRow{Name: w.name, Lanes: n, Ns: ns, CU: res.CU, CUSpan: span,
				Speedup: base / ns, SpanSpeedup: float64(res.CU) / float64(max(span, 1)), Claimed: w.claimed})
		}
	}
	return rows, nil
}
