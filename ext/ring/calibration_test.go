package ring

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

// A calibration compares a program doing k priced calls with a baseline
// doing the same with each call replaced by a mov: the difference of
// their times over k is the Go time of one call (dispatch included), the
// difference of their compute units over k its price. The heap is 256
// KiB; r6 holds the ring's address, r7 a message buffer.
type calibration struct {
	name     string
	n        uint64 // message bytes
	setup    string // before the measured calls, in both programs
	call     string // one measured call
	k        int    // calls per run
	capacity int
}

const calibHeap = 256 << 10

func (c calibration) source(baseline bool) string {
	var b strings.Builder
	b.WriteString("    lddw r6, 0x300000000\n    mov64 r7, r6\n    add64 r7, 0x3f000\n")
	size, _ := Size(uint64(c.capacity), max(c.n, 1))
	fmt.Fprintf(&b, "    mov64 r1, r6\n    mov64 r2, %d\n    mov64 r3, %d\n    mov64 r4, %d\n    syscall agora_ring_create\n", size, c.capacity, max(c.n, 1))
	b.WriteString(c.setup)
	for range c.k {
		if baseline {
			b.WriteString("    mov64 r1, r6\n    mov64 r2, r7\n    mov64 r3, 0\n    mov64 r4, 0\n    mov64 r0, 0\n")
		} else {
			b.WriteString(c.call)
		}
	}
	b.WriteString("    exit\n")
	return b.String()
}

func pushCall(n uint64) string {
	return fmt.Sprintf("    mov64 r1, r6\n    mov64 r2, r7\n    mov64 r3, %d\n    mov64 r4, 0\n    syscall agora_ring_push\n", n)
}

func readCall(name string, n uint64) string {
	return fmt.Sprintf("    mov64 r1, r6\n    mov64 r2, 0\n    mov64 r3, r7\n    mov64 r4, %d\n    syscall %s\n", n, name)
}

func calibrations() []calibration {
	var out []calibration
	create := "    mov64 r1, r6\n    mov64 r2, 4096\n    mov64 r3, 4\n    mov64 r4, 64\n    syscall agora_ring_create\n"
	out = append(out,
		calibration{"create", 0, "", create, 200, 1},
		calibration{"size", 0, "", "    mov64 r1, r6\n    mov64 r2, 0\n    mov64 r3, 0\n    mov64 r4, 0\n    syscall agora_ring_size\n", 200, 1},
		calibration{"pop/empty", 0, "", readCall(NamePop, 0), 200, 1},
	)
	for _, n := range []uint64{8, 64, 1024} {
		k := int(min(1000, 200_000/SlotSize(n)))
		var pushes strings.Builder
		for range k {
			pushes.WriteString(pushCall(n))
		}
		out = append(out,
			calibration{fmt.Sprintf("push/n=%d", n), n, "", pushCall(n), k, k},
			calibration{fmt.Sprintf("pop/n=%d", n), n, pushes.String(), readCall(NamePop, n), k, k},
			calibration{fmt.Sprintf("peek/n=%d", n), n, pushCall(n), readCall(NamePeek, n), 200, 1},
		)
	}
	return out
}

type calibrated struct {
	nsPerCall float64
	cuPerCall uint64
}

func runCalibration(t testing.TB, c calibration, roundTime time.Duration, rounds int) calibrated {
	reg := vm.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	exe := func(src string) vm.Runnable {
		p, err := asm.Assemble(src, sbpf.V0, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := vm.DefaultConfig()
		cfg.HeapSize = calibHeap
		e, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	loop, base := exe(c.source(false)), exe(c.source(true))
	m := vm.NewMachine()
	run := func(e vm.Runnable) vm.Result { return e.Run(m, vm.RunOptions{Budget: 1 << 40}) }
	lr, br := run(loop), run(base)
	if lr.Err != nil || br.Err != nil || (strings.HasPrefix(c.name, "push") && lr.R0 != 0) {
		t.Fatalf("%s: %v %v r0=%d", c.name, lr.Err, br.Err, lr.R0)
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
	var loops, bases []float64
	for range rounds {
		loops = append(loops, timeOf(loop))
		bases = append(bases, timeOf(base))
	}
	return calibrated{(slices.Min(loops) - slices.Min(bases)) / float64(c.k), (lr.CU - br.CU) / uint64(c.k)}
}

// BenchmarkCalibration measures every priced call against its baseline
// and reports the Go time per call (ns/call), its price (CU) and the time
// per CU (ns/CU), which the price rule of docs/costs.md keeps at or below 33.
func BenchmarkCalibration(b *testing.B) {
	for _, c := range calibrations() {
		b.Run(c.name, func(b *testing.B) {
			var r calibrated
			for b.Loop() {
				r = runCalibration(b, c, 20*time.Millisecond, 5)
			}
			b.ReportMetric(r.nsPerCall, "ns/call")
			b.ReportMetric(float64(r.cuPerCall), "CU")
			b.ReportMetric(r.nsPerCall/float64(max(r.cuPerCall, 1)), "ns/CU")
		})
	}
}

// TestCalibrationTable prints the measurements behind the prices when
// AGORA_CALIBRATE is set; it is a tool, not a check.
func TestCalibrationTable(t *testing.T) {
	if os.Getenv("AGORA_CALIBRATE") == "" {
		t.Skip("set AGORA_CALIBRATE=1 to measure")
	}
	for _, c := range calibrations() {
		r := runCalibration(t, c, 50*time.Millisecond, 9)
		t.Logf("%-14s n=%5d  %8.1f ns/call  %4d CU  %6.1f ns/CU", c.name, c.n, r.nsPerCall, r.cuPerCall, r.nsPerCall/float64(max(r.cuPerCall, 1)))
	}
}
