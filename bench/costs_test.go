package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/ext/crypto"
	"github.com/agora-vm/agora/ext/zk"
	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/syscalls/solcrypto"
)

// TestCostSamplesExact checks every calibration sample: it succeeds, and
// each call is charged exactly the price its family publishes. It makes
// two calls per sample and times nothing.
func TestCostSamplesExact(t *testing.T) {
	reg, err := CostRegistry()
	if err != nil {
		t.Fatal(err)
	}
	samples, err := CostSamples()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range samples {
		key := fmt.Sprintf("%s/%d", s.Label(), s.Size)
		if seen[key] {
			t.Errorf("two samples of %s", key)
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			if _, err := PrepareCost(reg, s, 2); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCostSamplesCoverPricedSyscalls checks that every priced syscall of
// every family is calibrated, and every operation of the crypto families.
func TestCostSamplesCoverPricedSyscalls(t *testing.T) {
	samples, err := CostSamples()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range samples {
		have[s.Syscall] = true
		have[s.Then] = true
		have[s.Label()] = true
	}
	// abort and sol_panic_ end the program; they cannot be looped.
	unloopable := map[string]bool{syscalls.NameAbort: true, syscalls.NamePanic: true}
	for _, p := range syscalls.DefaultCosts().Prices() {
		if !unloopable[p.Syscall] && !have[p.Syscall] {
			t.Errorf("standard syscall %s has no sample", p.Syscall)
		}
	}
	for _, c := range solcrypto.Costs() {
		if !have[c.Syscall] {
			t.Errorf("crypto syscall %s has no sample", c.Syscall)
		}
		// The table's Op is "g1_add (0, LE 0x80)", "edwards add (0, 0)"...:
		// its words before the parenthesis name our sample's operation.
		if op, _, _ := strings.Cut(c.Op, " ("); op != "" && !have[c.Syscall+" "+op] {
			t.Errorf("%s %s has no sample", c.Syscall, op)
		}
	}
	for _, c := range crypto.Costs() {
		if !have[c.Syscall] {
			t.Errorf("ext/crypto syscall %s has no sample", c.Syscall)
		}
	}
	for _, c := range zk.Costs() {
		if !have[c.Syscall] {
			t.Errorf("ext/zk syscall %s has no sample", c.Syscall)
		}
	}
	reg, err := CostRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range reg.Syscalls() {
		if !unloopable[s.Name] && !have[s.Name] {
			t.Errorf("registered syscall %s has no sample", s.Name)
		}
	}
}

// TestCostLoopBaselineMatches checks that the baseline loop executes as
// many instructions as the calibration loop.
func TestCostLoopBaselineMatches(t *testing.T) {
	s := CostSample{Syscall: syscalls.NameLog64, Args: [5]uint64{1, 2, 3, 4, 5}}
	loop, base := costLoopSource(&s, 7, false), costLoopSource(&s, 7, true)
	if strings.Count(loop, "\n") != strings.Count(base, "\n") {
		t.Fatalf("loop and baseline differ in length:\n%s\n%s", loop, base)
	}
}

// TestMeasureCostsQuick times the cheap logging syscalls minimally, to
// check the rows' shape; real figures come from `go test -bench` or
// `agora bench costs`.
func TestMeasureCostsQuick(t *testing.T) {
	var progress []string
	rows, err := MeasureCosts(context.Background(), CostOptions{
		Rounds: 1, RoundTime: time.Millisecond, Filter: "sol_log_64_",
		Progress: func(done, total int, label string) { progress = append(progress, label) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(progress) != 1 {
		t.Fatalf("want one row, got %+v (progress %v)", rows, progress)
	}
	r := rows[0]
	if r.Name != syscalls.NameLog64 || r.CU != 100 || r.Ns < 0 || math.IsNaN(r.Ratio) || r.Calls < 1 || r.Calls > 1000 {
		t.Fatalf("row %+v", r)
	}
	if want := r.Ns / (100 * NsPerCU); math.Abs(r.Ratio-want) > 1e-12 {
		t.Fatalf("ratio %v, want %v", r.Ratio, want)
	}
	if r.Flag != RatioFlag(r.Ratio) && r.CU > 2 {
		t.Fatalf("flag %q for ratio %v", r.Flag, r.Ratio)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MeasureCosts(ctx, CostOptions{Rounds: 1, RoundTime: time.Millisecond}); err == nil {
		t.Fatal("a cancelled measurement succeeded")
	}
}

func TestPrepareCostRejectsBadSamples(t *testing.T) {
	reg, err := CostRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]CostSample{
		"wrong price":    {Syscall: syscalls.NameLog64, Price: 99},
		"faulting":       {Syscall: syscalls.NameLog, Price: 100, Args: [5]uint64{0x9_0000_0000, 8}},
		"rejected input": {Syscall: solcrypto.NameCurveValidatePoint, Op: "edwards", Price: solcrypto.CostEdwardsValidate, Input: make([]byte, 32), Args: [5]uint64{0, 0x4_0000_0000 + 64}},
		"unregistered":   {Syscall: "agora_no_such_syscall"},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "rejected input" {
				// y = 2 has no x on edwards25519: validation returns 1.
				s.Input = make([]byte, 96)
				s.Input[64] = 2
			}
			if _, err := PrepareCost(reg, s, 3); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestRatioFlag(t *testing.T) {
	for _, c := range []struct {
		ratio float64
		want  string
	}{{0.1, FlagOverpriced}, {0.5, ""}, {1, ""}, {2, ""}, {2.01, FlagUnderpriced}} {
		if got := RatioFlag(c.ratio); got != c.want {
			t.Errorf("RatioFlag(%v) = %q, want %q", c.ratio, got, c.want)
		}
	}
}

func TestFitPrice(t *testing.T) {
	tests := []struct {
		name   string
		points []FitPoint
		want   Fit
	}{
		{"exact line", []FitPoint{{0, 330}, {10, 660}, {20, 990}},
			Fit{Base: 10, PerUnit: 1, PerUnits: 1}},
		{"rounded up", []FitPoint{{1, 33*100 + 33*7 + 1}, {2, 33*100 + 2*33*7 + 1}},
			Fit{Base: 101, PerUnit: 7, PerUnits: 1}},
		{"flat", []FitPoint{{5, 3300}, {5, 3300}},
			Fit{Base: 100, PerUnits: 1}},
		{"single point", []FitPoint{{7, 1000}},
			Fit{Base: 31, PerUnits: 1}},
		{"negative slope is flat at the mean", []FitPoint{{0, 400}, {10, 200}},
			Fit{Base: 10, PerUnits: 1}},
		{"negative intercept goes through 0", []FitPoint{{10, 100}, {20, 400}},
			Fit{Base: 0, PerUnit: 1, PerUnits: 1}},
		{"less than a CU per unit", []FitPoint{{0, 3300}, {1000, 3300 + 33*4}},
			Fit{Base: 100, PerUnit: 1, PerUnits: 250}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FitPrice(tt.points)
			if err != nil {
				t.Fatal(err)
			}
			if got.Base != tt.want.Base || got.PerUnit != tt.want.PerUnit || got.PerUnits != tt.want.PerUnits {
				t.Fatalf("fit %+v (%s), want base %d per_unit %d per_units %d",
					got, got.Formula(), tt.want.Base, tt.want.PerUnit, tt.want.PerUnits)
			}
			// Order does not matter.
			rev := make([]FitPoint, len(tt.points))
			for i, p := range tt.points {
				rev[len(rev)-1-i] = p
			}
			again, _ := FitPrice(rev)
			if again != got {
				t.Fatalf("reversed points fit %+v, want %+v", again, got)
			}
			// The fitted price covers every point's time.
			for _, p := range tt.points {
				if float64(got.Price(p.Units))*NsPerCU < p.Ns-1e-6 && !strings.Contains(tt.name, "negative") {
					t.Errorf("price %d at n=%d pays for %v ns < %v ns", got.Price(p.Units), p.Units,
						float64(got.Price(p.Units))*NsPerCU, p.Ns)
				}
			}
		})
	}
	if _, err := FitPrice(nil); err == nil {
		t.Error("fit of no points succeeded")
	}
	if _, err := FitPrice([]FitPoint{{1, math.NaN()}}); err == nil {
		t.Error("fit of NaN succeeded")
	}
}

func TestFitFamilies(t *testing.T) {
	rows := []CostRow{
		{Name: "a", Unit: "bytes", Units: 0, Ns: 330},
		{Name: "b", Op: "x", Unit: "inputs", UnitsOf: "inputs²", Units: 1, Ns: 66},
		{Name: "a", Unit: "bytes", Units: 100, Ns: 330 + 3300},
	}
	fits, err := FitFamilies(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(fits) != 2 || fits[0].Name != "a" || fits[0].Base != 10 || fits[0].PerUnit != 1 || fits[0].Unit != "bytes" ||
		fits[1].Name != "b" || fits[1].Op != "x" || fits[1].Base != 2 || fits[1].Unit != "" {
		t.Fatalf("fits %+v", fits)
	}
	if f := fits[0].Formula(); f != "10 + 1·n" {
		t.Fatalf("formula %q", f)
	}
}

// BenchmarkSyscallCosts times each calibration sample: each iteration
// runs the sample's loop and its baseline loop; ns/call is the difference
// of their median run times per call (the syscall's own time), cu/call its
// price and ratio ns/(cu·33).
func BenchmarkSyscallCosts(b *testing.B) {
	reg, err := CostRegistry()
	if err != nil {
		b.Fatal(err)
	}
	samples, err := CostSamples()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range samples {
		b.Run(fmt.Sprintf("%s/%d", strings.ReplaceAll(s.Label(), " ", "_"), s.Size), func(b *testing.B) {
			p, err := PrepareCost(reg, s, 0)
			if err != nil {
				b.Fatal(err)
			}
			var loop, base []float64
			for b.Loop() {
				t0 := time.Now()
				p.run(p.loop, p.loopInput)
				t1 := time.Now()
				p.run(p.base, p.baseInput)
				loop = append(loop, float64(t1.Sub(t0).Nanoseconds()))
				base = append(base, float64(time.Since(t1).Nanoseconds()))
			}
			row := p.row(max((timing.Median(loop)-timing.Median(base))/float64(p.Calls), 0))
			b.ReportMetric(row.Ns, "ns/call")
			b.ReportMetric(float64(row.CU), "cu/call")
			b.ReportMetric(row.Ratio, "ratio")
		})
	}
}

// BenchmarkCostFit measures every sample (3 rounds of 50 ms) and logs the
// price that the price rule of docs/costs.md derives for each family, next to
// the family's published price at its largest sample. Run it with
//
//	go test ./bench -run '^$' -bench CostFit -benchtime 1x -v
//
// to check extension prices against their measured time.
func BenchmarkCostFit(b *testing.B) {
	var rows []CostRow
	for b.Loop() {
		var err error
		rows, err = MeasureCosts(context.Background(), CostOptions{Rounds: 3, RoundTime: 50 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
	}
	fits, err := FitFamilies(rows)
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("\nfitted prices at 33 ns/CU (base + per_unit·n, rounded up)\n")
	fmt.Fprintf(&sb, "%-44s %-24s %-16s %10s %12s\n", "family", "n counts", "fitted", "points", "ns at max n")
	for _, f := range fits {
		var maxNs float64
		for _, r := range rows {
			if r.Name == f.Name && r.Op == f.Op {
				maxNs = r.Ns
			}
		}
		label := f.Name
		if f.Op != "" {
			label += " " + f.Op
		}
		fmt.Fprintf(&sb, "%-44s %-24s %-16s %10d %12.0f\n", label, f.Unit, f.Formula(), f.Points, maxNs)
	}
	b.Log(sb.String())
}
