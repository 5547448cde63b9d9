package txmem

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/vm"
)

// A calibration compares two sBPF loops that differ only in the work
// being priced: the loop with the syscalls (or with the stores inside a
// transaction) and a baseline loop without them. Both run iterations
// times per run; the difference of their times per iteration is the
// Go time of the work, dispatch included, and the difference of their
// compute units per iteration is what the published prices charge for it.
type calibration struct {
	name       string
	n          uint64 // bytes logged per iteration
	loop, base string // loop bodies; r6 = input, r7 = heap, r8 free
	iterations int
}

func calibrationLoop(body string, iterations int) string {
	return fmt.Sprintf(`
    mov64 r6, r1
    lddw r7, 0x300000000
    mov64 r9, %d
loop:
%s
    sub64 r9, 1
    jne r9, 0, loop
    exit`, iterations, body)
}

// memsetHeap is sol_memset_ of n bytes at the start of the heap.
func memsetHeap(n int) string {
	return fmt.Sprintf("    mov64 r1, r7\n    mov64 r2, 1\n    mov64 r3, %d\n    syscall sol_memset_", n)
}

// stores is k 8-byte stores, every stride bytes, from the start of the heap.
func stores(k, stride int) string {
	var b strings.Builder
	for i := range k {
		fmt.Fprintf(&b, "    stdw [r7+%d], 1\n", i*stride)
	}
	return b.String()
}

func calibrations() []calibration {
	const nop = "    mov64 r0, 0"
	out := []calibration{
		{"begin+commit", 0, "    tx_begin\n    tx_commit", nop + "\n" + nop, 1000},
		{"begin+abort", 0, "    tx_begin\n    tx_abort", nop + "\n" + nop, 1000},
		{"test", 0, "    tx_test", nop, 1000},
	}
	for _, n := range []int{1024, 8192, 32768} {
		out = append(out,
			calibration{fmt.Sprintf("commit/memset=%d", n), uint64(n), "    tx_begin\n" + memsetHeap(n) + "\n    tx_commit", nop + "\n" + memsetHeap(n) + "\n" + nop, 20},
			calibration{fmt.Sprintf("abort/memset=%d", n), uint64(n), "    tx_begin\n" + memsetHeap(n) + "\n    tx_abort", nop + "\n" + memsetHeap(n) + "\n" + nop, 20},
		)
	}
	// Many small stores: the slow store path and, when fresh, logging.
	out = append(out,
		calibration{"commit/stores=256x8", 256 * 8, "    tx_begin\n" + stores(256, 8) + "    tx_commit", nop + "\n" + stores(256, 8) + nop, 20},
		calibration{"abort/stores=256x8", 256 * 8, "    tx_begin\n" + stores(256, 8) + "    tx_abort", nop + "\n" + stores(256, 8) + nop, 20},
		// Sparse stores: a shadow page and a run per store (4 KiB apart).
		calibration{"commit/stores=8x8,sparse", 8 * 8, "    tx_begin\n" + stores(8, 4096) + "    tx_commit", nop + "\n" + stores(8, 4096) + nop, 100},
		calibration{"abort/stores=8x8,sparse", 8 * 8, "    tx_begin\n" + stores(8, 4096) + "    tx_abort", nop + "\n" + stores(8, 4096) + nop, 100},
		// Stores to bytes already logged: the bitmap test only.
		calibration{"commit/stores=256x8,same", 8, "    tx_begin\n" + stores(256, 0) + "    tx_commit", nop + "\n" + stores(256, 0) + nop, 20},
	)
	return out
}

type calibrated struct {
	c          calibration
	nsPerIter  float64 // loop − baseline
	cuPerIter  uint64
	loopNsIter float64
}

func runCalibration(t testing.TB, c calibration, roundTime time.Duration, rounds int) calibrated {
	reg := registry(t)
	loop := prepare(t, reg, calibrationLoop(c.loop, c.iterations))
	base := prepare(t, reg, calibrationLoop(c.base, c.iterations))
	m := vm.NewMachine()
	input := make([]byte, 64)
	run := func(e vm.Runnable) vm.Result {
		return e.Run(m, vm.RunOptions{Input: input, Budget: 1 << 40})
	}
	lr, br := run(loop), run(base)
	if lr.Err != nil || br.Err != nil {
		t.Fatalf("%s: %v %v", c.name, lr.Err, br.Err)
	}
	timeOf := func(e vm.Runnable) float64 {
		runs := 0
		start := time.Now()
		for time.Since(start) < roundTime {
			run(e)
			runs++
		}
		return float64(time.Since(start).Nanoseconds()) / float64(runs)
	}
	// The fastest of several alternating rounds of each: on a shared
	// machine, interference only ever adds time.
	var loops, bases []float64
	for range rounds {
		loops = append(loops, timeOf(loop)/float64(c.iterations))
		bases = append(bases, timeOf(base)/float64(c.iterations))
	}
	l, b := slices.Min(loops), slices.Min(bases)
	return calibrated{c, l - b, (lr.CU - br.CU) / uint64(c.iterations), l}
}

// BenchmarkCalibration measures every priced operation against its
// baseline and reports the Go time per operation (ns/op of the work
// alone), the compute units the prices charge for it (CU) and the time
// per CU (ns/CU), which the price rule of docs/costs.md keeps at or below 33.
func BenchmarkCalibration(b *testing.B) {
	for _, c := range calibrations() {
		b.Run(c.name, func(b *testing.B) {
			var r calibrated
			for b.Loop() {
				r = runCalibration(b, c, 20*time.Millisecond, 5)
			}
			b.ReportMetric(r.nsPerIter, "ns/work")
			b.ReportMetric(float64(r.cuPerIter), "CU")
			b.ReportMetric(r.nsPerIter/float64(max(r.cuPerIter, 1)), "ns/CU")
		})
	}
}

// TestCalibrationTable prints the measurements behind the prices when
// AGORA_CALIBRATE is set; it is a tool, not a check.
func TestCalibrationTable(t *testing.T) {
	if !calibrateRequested() {
		t.Skip("set AGORA_CALIBRATE=1 to measure")
	}
	for _, c := range calibrations() {
		r := runCalibration(t, c, 50*time.Millisecond, 7)
		t.Logf("%-28s n=%6d  work %9.1f ns  charged %4d CU  %6.1f ns/CU  (per-byte %.3f ns)", c.name, c.n, r.nsPerIter, r.cuPerIter,
			r.nsPerIter/float64(max(r.cuPerIter, 1)), r.nsPerIter/float64(max(c.n, 1)))
	}
}

func calibrateRequested() bool { return os.Getenv("AGORA_CALIBRATE") != "" }
