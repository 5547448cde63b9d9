package bench

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Every case of a row does the same job: one run of each leaves the same
// accounts (for the atomic updates), and every case succeeds.
func TestExtRowsAgree(t *testing.T) {
	reg, err := ExtRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range ExtRows() {
		var want []byte
		for i, c := range append([]ExtCase{row.With}, row.Without...) {
			p, err := PrepareExt(reg, c)
			if err != nil {
				t.Fatalf("%s: %v", row.Name, err)
			}
			if strings.HasPrefix(row.Name, "send") {
				continue // the baselines lay the account out differently
			}
			if i == 0 {
				want = p.input
			} else if !bytes.Equal(p.input, want) {
				t.Fatalf("%s: %s leaves other accounts than %s", row.Name, c.Label, row.With.Label)
			}
		}
	}
}

// The abort-and-retry rows really abort: the first attempt of each job
// fails at the last payer, after the others were debited.
func TestRetryRowAborts(t *testing.T) {
	reg, err := ExtRegistry()
	if err != nil {
		t.Fatal(err)
	}
	row := retryRow(10, "")
	aborts := 0
	reg.MustRegister("test_count_abort", func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		aborts++
		return 0, nil
	})
	c := row.With
	c.Source = strings.Replace(c.Source, "tx_abort", "syscall test_count_abort\n    tx_abort", 1)
	if _, err := PrepareExt(reg, c); err != nil {
		t.Fatal(err)
	}
	if aborts != extJobs {
		t.Fatalf("%d aborts in %d jobs", aborts, extJobs)
	}
}

// BenchmarkExtRows times each row's extension case with b.Loop and, in
// the same run, each baseline; it reports CU and ns per job, and how many
// times more each baseline costs in CU and in time (x-cu-N, x-time-N for
// the Nth baseline of the row, in ExtRows' order).
func BenchmarkExtRows(b *testing.B) {
	reg, err := ExtRegistry()
	if err != nil {
		b.Fatal(err)
	}
	for _, row := range ExtRows() {
		b.Run(row.Name, func(b *testing.B) {
			with, err := PrepareExt(reg, row.With)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				with.Run()
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(with.Case.Jobs)
			b.ReportMetric(with.CUPerJob, "CU/job")
			b.ReportMetric(ns, "ns/job")
			for i, c := range row.Without {
				p, err := PrepareExt(reg, c)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(p.CUPerJob/with.CUPerJob, fmt.Sprintf("x-cu-%d", i+1))
				b.ReportMetric(p.NsPerJob(100*time.Millisecond)/ns, fmt.Sprintf("x-time-%d", i+1))
			}
		})
	}
}

// storeWorkload is the mem-loop workload: stores to the input, in a loop.
func storeWorkload(t testing.TB) Workload {
	for _, w := range Workloads() {
		if w.Name == "mem-loop" {
			return w
		}
	}
	t.Fatal("no mem-loop workload")
	return Workload{}
}

// storeCases are the same store-heavy program prepared against the
// standard syscalls alone, against the standard syscalls plus the
// extensions, and wrapped in a transaction.
func storeCases(t testing.TB) []*PreparedExt {
	w := storeWorkload(t)
	plain := syscalls.NewRegistry()
	withExt, err := ExtRegistry()
	if err != nil {
		t.Fatal(err)
	}
	inTx := strings.Replace(w.Source, "    mov64 r2, r1\n", "    mov64 r2, r1\n    tx_begin\n", 1)
	inTx = strings.Replace(inTx, "    exit", "    mov64 r6, r0\n    tx_commit\n    mov64 r0, r6\n    exit", 1)
	var out []*PreparedExt
	for _, c := range []struct {
		reg *vm.Registry
		src string
		lbl string
	}{
		{plain, w.Source, "standard syscalls"},
		{withExt, w.Source, "with ext/txmem and ext/ring"},
		{withExt, inTx, "inside a transaction"},
	} {
		ec := ExtCase{Label: c.lbl, Source: c.src, Input: w.Input, Jobs: memBytes / 8, R0: w.Native(w.Input())}
		p, err := PrepareExt(c.reg, ec)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestStoresOutsideTransactionCostNothing: registering the extensions
// changes nothing for a program that does not open a transaction — the
// same compute units (and, BenchmarkStoresOutsideTransaction shows, the
// same time). Inside a transaction the stores cost what the prices say.
func TestStoresOutsideTransactionCostNothing(t *testing.T) {
	cs := storeCases(t)
	if cs[0].CUPerJob != cs[1].CUPerJob {
		t.Fatalf("CU per store %v without the extensions, %v with", cs[0].CUPerJob, cs[1].CUPerJob)
	}
	stores := float64(memBytes / 8)
	extra := cs[2].CUPerJob*stores - cs[1].CUPerJob*stores
	want := float64(txmem.CostBegin+txmem.CommitCost(memBytes/8, memBytes)) + 4 // tx_begin, mov, tx_commit, mov
	if extra != want {
		t.Fatalf("a transaction around %v stores costs %v CU more, want %v", stores, extra, want)
	}
}

// BenchmarkStoresOutsideTransaction times the store loop (mem-loop) with
// the standard syscalls, with the extensions registered (no transaction:
// the same time, within noise) and inside a transaction; ns/store, and
// x-plain, the time over the first case's measured in the same run.
func BenchmarkStoresOutsideTransaction(b *testing.B) {
	cs := storeCases(b)
	base := cs[0].NsPerJob(200 * time.Millisecond)
	for _, c := range cs {
		b.Run(c.Case.Label, func(b *testing.B) {
			for b.Loop() {
				c.Run()
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(c.Case.Jobs)
			b.ReportMetric(ns, "ns/store")
			b.ReportMetric(c.CUPerJob, "CU/store")
			b.ReportMetric(ns/base, "x-plain")
		})
	}
}

// TestExtTable prints the rows measured, when AGORA_BENCH_EXT is set.
func TestExtTable(t *testing.T) {
	if os.Getenv("AGORA_BENCH_EXT") == "" {
		t.Skip("set AGORA_BENCH_EXT=1 to measure")
	}
	reg, err := ExtRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range ExtRows() {
		figs, err := MeasureExt(reg, row, 7, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s (proposal: %s)", row.Name, row.Claim)
		for _, f := range figs {
			t.Logf("  %-30s %8.1f CU/job %9.1f ns/job   ×%.2f CU  ×%.2f time", f.Case, f.CUPerJob, f.NsPerJob, f.CURatio, f.TimeRatio)
		}
	}
	cs := storeCases(t)
	for _, c := range cs {
		t.Logf("stores: %-30s %.2f CU/store %.3f ns/store", c.Case.Label, c.CUPerJob, c.NsPerJob(200*time.Millisecond))
	}
}
