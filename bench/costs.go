package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// NsPerCU is Agave's nominal rate: one compute unit pays for about 33 ns
// of validator time. The price rule of docs/costs.md derives extension prices from it.
const NsPerCU = 33.0

// A price whose measured ratio (ns per call over price × NsPerCU) leaves
// [OverpricedRatio, UnderpricedRatio] is off by more than 2× and flagged.
const (
	UnderpricedRatio = 2.0 // above: the call takes longer than it pays for
	OverpricedRatio  = 0.5 // below: the call pays for more than it takes
)

// Flags of a CostRow.
const (
	FlagUnderpriced = "underpriced"
	FlagOverpriced  = "overpriced"
)

// costBudget is the compute budget of a calibration run: large enough that
// no sample runs out.
const costBudget = 1 << 40

// The automatic choice of calls per run aims at runs of about
// autoRunTime, and makes at most maxAutoCalls calls. It is made from the
// measured time of one call, not from the price, because the price is
// what is being checked.
const (
	autoRunTime  = time.Millisecond
	maxAutoCalls = 1000
)

// CostSample is one calibration point: a syscall called with fixed
// arguments over fixed input bytes. The calibration program maps Input at
// the input region (sbpf.InputStart, writable) and loads Args into r1-r5
// before every call, so Args are typically addresses into Input.
type CostSample struct {
	Syscall string // the syscall's registered name
	Op      string // the operation the arguments select ("" when the syscall has one)

	Size uint64 // how big the call is, in Unit: bytes hashed, inputs, pairs, points...
	Unit string

	// Units is n in the price formula base + per_unit·n: the quantity the
	// price grows with (n² for Poseidon, pairs after the first for a
	// pairing, ⌊L²/2⌋ for big_mod_exp). Fits are made over it. UnitsOf
	// says what it counts when that is not Unit.
	Units   uint64
	UnitsOf string

	// Price is what the published formula charges for this call, computed
	// from the family's own cost table. The calibration checks that the
	// VM charges exactly this.
	Price uint64

	// ProposalCU is the price Agora's original design proposal estimated
	// for this operation, or 0 where it names none.
	ProposalCU uint64

	Input []byte
	Args  [5]uint64

	// Stateful syscalls are calibrated in pairs that leave the state as
	// they found it (tx_begin then tx_commit, ring_push then ring_pop).
	// Between is assembly run after the first call (in the baseline too,
	// so its instructions cancel out); Then is a second syscall, with
	// ThenArgs, called after it. Price is then the pair's price.
	Between  string
	Then     string
	ThenArgs [5]uint64
	// ThenTakesR0 passes the first call's r0 (a handle) as Then's r1.
	ThenTakesR0 bool

	// CheckR0 judges the value the call returns; nil requires 0 (success
	// for every syscall that reports failure as a non-zero r0).
	CheckR0 func(r0 uint64) error
	// Setup, if set, prepares the syscall context before each run (for
	// example the return data that sol_get_return_data reads). It runs for
	// the baseline too, so its time cancels out.
	Setup func(ctx *syscalls.Context)
}

// Label names the sample's syscall and operation, e.g.
// "sol_curve_group_op edwards mul".
func (s *CostSample) Label() string {
	name := s.Syscall
	if s.Then != "" {
		name += "+" + s.Then
	}
	if s.Op == "" {
		return name
	}
	return name + " " + s.Op
}

// CostRow is the calibration of one sample. The first five fields are the
// JSON contract of `agora bench costs --json`.
type CostRow struct {
	Name  string  `json:"name"`  // syscall name
	Size  uint64  `json:"size"`  // in Unit
	CU    uint64  `json:"cu"`    // compute units one call is charged, as measured (equal to the published price)
	Ns    float64 `json:"ns"`    // measured wall time of one call, baseline loop subtracted
	Ratio float64 `json:"ratio"` // Ns / (CU × NsPerCU); a free call is compared with its call instruction's 1 CU

	Flag       string `json:"flag,omitempty"` // FlagUnderpriced, FlagOverpriced or ""
	Op         string `json:"op,omitempty"`
	Unit       string `json:"unit"`
	Units      uint64 `json:"units"`                 // n of the price formula (see CostSample.Units)
	UnitsOf    string `json:"units_of,omitempty"`    // what Units counts when it is not Unit
	Calls      int    `json:"calls"`                 // syscalls per timed run
	ProposalCU uint64 `json:"proposal_cu,omitempty"` // the proposal's claimed price, where it gives one
}

// Label names the row's syscall and operation.
func (r *CostRow) Label() string {
	if r.Op == "" {
		return r.Name
	}
	return r.Name + " " + r.Op
}

// RatioFlag returns the flag a measured ratio earns.
func RatioFlag(ratio float64) string {
	switch {
	case ratio > UnderpricedRatio:
		return FlagUnderpriced
	case ratio < OverpricedRatio:
		return FlagOverpriced
	}
	return ""
}

// PreparedCost is a sample ready to time: its calibration loop and the
// baseline loop, assembled and checked. It holds a machine and a syscall
// context, so one PreparedCost must not be measured from two goroutines.
type PreparedCost struct {
	Sample CostSample
	// Calls is the number of syscalls one run of the loop makes.
	Calls int

	loop, base           vm.Runnable
	loopInput, baseInput []byte
	ctx                  *syscalls.Context
	m                    *vm.Machine
}

// CallsFor returns the calls per run the calibration makes for a syscall
// whose single-call run takes perRun: enough for a run of about 1 ms, at
// least 1 and at most 1,000.
func CallsFor(perRun time.Duration) int {
	if perRun <= 0 {
		return maxAutoCalls
	}
	return int(min(max(int64(autoRunTime/perRun), 1), maxAutoCalls))
}

// costLoopSource is the calibration program: calls iterations that load
// r1-r5 and call the syscall, or, for the baseline, execute `mov64 r0, 0`
// in its place. Both execute the same number of instructions, so the
// difference of their CU is the syscall's price exactly, and the
// difference of their times is the syscall's own time (dispatch included).
func costLoopSource(s *CostSample, calls int, baseline bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    mov64 r9, %d\nloop:\n", calls)
	for i, a := range s.Args {
		fmt.Fprintf(&b, "    lddw r%d, %#x\n", i+1, a)
	}
	call := func(name string) {
		if baseline {
			b.WriteString("    mov64 r0, 0\n")
		} else {
			fmt.Fprintf(&b, "    syscall %s\n", name)
		}
	}
	call(s.Syscall)
	b.WriteString(s.Between)
	if s.Then != "" {
		for i, a := range s.ThenArgs {
			fmt.Fprintf(&b, "    lddw r%d, %#x\n", i+1, a)
		}
		if s.ThenTakesR0 {
			b.WriteString("    mov64 r1, r0\n")
		}
		call(s.Then)
	}
	b.WriteString("    sub64 r9, 1\n    jne r9, 0, loop\n    exit\n")
	return b.String()
}

// PrepareCost assembles the calibration and baseline loops of s with calls
// syscalls per run against reg, runs each once and checks the sample: the
// syscall must succeed, return what CheckR0 accepts, and be charged
// exactly s.Price per call. calls = 0 chooses CallsFor the time of a
// single-call run.
func PrepareCost(reg *vm.Registry, s CostSample, calls int) (*PreparedCost, error) {
	label := s.Label()
	if calls > math.MaxInt32 {
		return nil, fmt.Errorf("%s: %d calls per run is too many", label, calls)
	}
	for _, name := range []string{s.Syscall, s.Then} {
		if name != "" && !reg.HasSyscall(sbpf.SyscallHash(name)) {
			return nil, fmt.Errorf("%s: syscall %q is not registered", label, name)
		}
	}
	p := &PreparedCost{
		Sample:    s,
		loopInput: append([]byte(nil), s.Input...),
		baseInput: append([]byte(nil), s.Input...),
		ctx:       syscalls.NewContext([32]byte{}),
		m:         vm.NewMachine(),
	}
	// No log limit: every call does its full work, as the first calls of a
	// transaction do, instead of the cheaper truncated path.
	p.ctx.Logs.Limit = -1
	if calls <= 0 {
		if err := p.build(reg, 1); err != nil {
			return nil, err
		}
		// Time warm single-call runs (the check run above paid for cold
		// caches and first allocations); the fastest of three resists
		// load from other processes.
		perRun := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			p.run(p.loop, p.loopInput)
			perRun = min(perRun, time.Since(start))
		}
		calls = CallsFor(perRun)
		if calls == 1 {
			return p, nil
		}
	}
	if err := p.build(reg, calls); err != nil {
		return nil, err
	}
	return p, nil
}

// build assembles both loops with calls syscalls per run and checks them.
func (p *PreparedCost) build(reg *vm.Registry, calls int) error {
	s := &p.Sample
	label := s.Label()
	p.Calls = calls
	var err error
	if p.loop, err = assembleCostLoop(reg, s, calls, false); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if p.base, err = assembleCostLoop(reg, s, calls, true); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	loopRes := p.run(p.loop, p.loopInput)
	if loopRes.Err != nil {
		return fmt.Errorf("%s: the sample fails: %w", label, loopRes.Err)
	}
	check := s.CheckR0
	if check == nil {
		check = wantZero
	}
	if err := check(loopRes.R0); err != nil {
		return fmt.Errorf("%s: the sample is rejected: %w", label, err)
	}
	baseRes := p.run(p.base, p.baseInput)
	if baseRes.Err != nil {
		return fmt.Errorf("%s: the baseline fails: %w", label, baseRes.Err)
	}
	if loopRes.CU < baseRes.CU || (loopRes.CU-baseRes.CU)%uint64(calls) != 0 ||
		(loopRes.CU-baseRes.CU)/uint64(calls) != s.Price {
		return fmt.Errorf("%s: charged %d CU over %d calls (baseline %d CU), want %d CU per call by the published price",
			label, int64(loopRes.CU-baseRes.CU), calls, baseRes.CU, s.Price)
	}
	return nil
}

func wantZero(r0 uint64) error {
	if r0 != 0 {
		return fmt.Errorf("r0 = %d, want 0", r0)
	}
	return nil
}

func assembleCostLoop(reg *vm.Registry, s *CostSample, calls int, baseline bool) (vm.Runnable, error) {
	prog, err := asm.Assemble(costLoopSource(s, calls, baseline), sbpf.V0, nil)
	if err != nil {
		return nil, err
	}
	return vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, prog.Text, prog.Functions, prog.Entry), reg, vm.DefaultConfig())
}

// run executes one loop with a fresh context.
func (p *PreparedCost) run(exe vm.Runnable, input []byte) vm.Result {
	p.ctx.Reset()
	if p.Sample.Setup != nil {
		p.Sample.Setup(p.ctx)
	}
	return exe.Run(p.m, vm.RunOptions{Input: input, Budget: costBudget, Context: p.ctx})
}

// Measure times the calibration loop and the baseline, rounds times, and
// reports the median over the rounds of the time per call. Within a round,
// lasting about roundTime, runs of the loop and of the baseline alternate
// and are timed one by one; the round's figure is the difference of their
// median run times. Medians at both levels keep bursts of load from other
// processes out of the figure. A run that fails (it cannot, once prepared,
// unless a syscall is not deterministic) is an error.
func (p *PreparedCost) Measure(rounds int, roundTime time.Duration) (CostRow, error) {
	rounds = max(rounds, 1)
	perCall := make([]float64, 0, rounds)
	var loopTimes, baseTimes []float64
	for range rounds {
		loopTimes, baseTimes = loopTimes[:0], baseTimes[:0]
		start := time.Now()
		for len(loopTimes) == 0 || time.Since(start) < roundTime {
			t0 := time.Now()
			lr := p.run(p.loop, p.loopInput)
			t1 := time.Now()
			br := p.run(p.base, p.baseInput)
			t2 := time.Now()
			if lr.Err != nil || br.Err != nil {
				return CostRow{}, fmt.Errorf("%s: a timed run failed: %w", p.Sample.Label(), errors.Join(lr.Err, br.Err))
			}
			loopTimes = append(loopTimes, float64(t1.Sub(t0).Nanoseconds()))
			baseTimes = append(baseTimes, float64(t2.Sub(t1).Nanoseconds()))
		}
		perCall = append(perCall, (timing.Median(loopTimes)-timing.Median(baseTimes))/float64(p.Calls))
	}
	return p.row(max(timing.Median(perCall), 0)), nil
}

// row builds the row of a measured time per call.
func (p *PreparedCost) row(ns float64) CostRow {
	s := &p.Sample
	ratio := ns / (float64(max(s.Price, 1)) * NsPerCU)
	name := s.Syscall
	if s.Then != "" {
		name += "+" + s.Then
	}
	flag := RatioFlag(ratio)
	// A price of 1 CU per call cannot go lower: a cheap call at the floor
	// is not overpriced.
	calls := uint64(1)
	if s.Then != "" {
		calls = 2
	}
	if flag == FlagOverpriced && s.Price <= calls {
		flag = ""
	}
	return CostRow{
		Name:       name,
		Size:       s.Size,
		CU:         s.Price,
		Ns:         ns,
		Ratio:      ratio,
		Flag:       flag,
		Op:         s.Op,
		Unit:       s.Unit,
		Units:      s.Units,
		UnitsOf:    s.UnitsOf,
		Calls:      p.Calls,
		ProposalCU: s.ProposalCU,
	}
}

// CostOptions control MeasureCosts.
type CostOptions struct {
	Rounds    int           // rounds to take the median over (at least 1)
	RoundTime time.Duration // duration of each timed round
	Filter    string        // keep only samples whose label contains it ("" keeps all)
	Calls     int           // syscalls per run; 0 chooses CallsFor(price)
	// Samples are the samples to measure; nil means CostSamples().
	Samples []CostSample
	// Progress, if set, is called before each sample is measured.
	Progress func(done, total int, label string)
}

// MeasureCosts calibrates every sample (opts.Samples, or CostSamples)
// that opts.Filter keeps, against CostRegistry, in order. It stops at the
// first sample that fails its checks, and between samples when ctx is
// done.
func MeasureCosts(ctx context.Context, opts CostOptions) ([]CostRow, error) {
	reg, err := CostRegistry()
	if err != nil {
		return nil, err
	}
	samples := opts.Samples
	if samples == nil {
		if samples, err = CostSamples(); err != nil {
			return nil, err
		}
	}
	samples = FilterSamples(samples, opts.Filter)
	rows := make([]CostRow, 0, len(samples))
	for i, s := range samples {
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		if opts.Progress != nil {
			opts.Progress(i, len(samples), s.Label())
		}
		p, err := PrepareCost(reg, s, opts.Calls)
		if err != nil {
			return rows, err
		}
		row, err := p.Measure(opts.Rounds, opts.RoundTime)
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// FilterSamples keeps the samples whose label contains sub.
func FilterSamples(samples []CostSample, sub string) []CostSample {
	if sub == "" {
		return samples
	}
	var out []CostSample
	for _, s := range samples {
		if strings.Contains(s.Label(), sub) {
			out = append(out, s)
		}
	}
	return out
}

// FitPoint is one measured size of a syscall family.
type FitPoint struct {
	Units uint64  // n of the price formula
	Ns    float64 // measured ns per call
}

// Fit is a price derived from measured time by the price rule of docs/costs.md:
// base + per_unit·n at NsPerCU, each part rounded up.
type Fit struct {
	Name string `json:"name"`
	Op   string `json:"op,omitempty"`
	Unit string `json:"unit,omitempty"` // what n counts ("" when every point has the same n)

	Base    uint64 `json:"base"`     // CU
	PerUnit uint64 `json:"per_unit"` // CU per PerUnits units of n
	// PerUnits is 1 unless a unit costs less than one CU; then the price
	// is base + ⌈n / PerUnits⌉·PerUnit with PerUnit = 1, in the style of
	// Agave's bytes/250 (so that rounding up does not overcharge 100×).
	PerUnits uint64 `json:"per_units"`

	BaseNs    float64 `json:"base_ns"`     // least-squares intercept, ns
	PerUnitNs float64 `json:"per_unit_ns"` // least-squares slope, ns per unit of n
	Points    int     `json:"points"`
}

// Formula renders the fitted price.
func (f *Fit) Formula() string {
	switch {
	case f.PerUnit == 0:
		return fmt.Sprint(f.Base)
	case f.PerUnits > 1:
		return fmt.Sprintf("%d + n/%d", f.Base, f.PerUnits)
	}
	return fmt.Sprintf("%d + %d·n", f.Base, f.PerUnit)
}

// Price evaluates the fitted price at n, saturating.
func (f *Fit) Price(n uint64) uint64 {
	per := f.PerUnit
	if f.PerUnits > 1 {
		n = (n + f.PerUnits - 1) / f.PerUnits
	}
	if per != 0 && n > (math.MaxUint64-f.Base)/per {
		return math.MaxUint64
	}
	return f.Base + per*n
}

// fitEpsilon absorbs floating-point noise before rounding up, so that a
// slope of exactly 3 CU computed as 3.0000000001 stays 3.
const fitEpsilon = 1e-9

// FitPrice fits ns = a + b·n to points by least squares and converts it to
// a price at NsPerCU, each part rounded up. A negative slope is taken as 0
// (the price is then flat at the mean); a negative intercept as 0 (the
// slope is refitted through the origin). The result depends only on the
// multiset of points, not their order. Fewer than one point is an error.
func FitPrice(points []FitPoint) (Fit, error) {
	if len(points) == 0 {
		return Fit{}, fmt.Errorf("bench: no points to fit")
	}
	pts := append([]FitPoint(nil), points...)
	sort.Slice(pts, func(i, j int) bool {
		if pts[i].Units != pts[j].Units {
			return pts[i].Units < pts[j].Units
		}
		return pts[i].Ns < pts[j].Ns
	})
	for _, p := range pts {
		if math.IsNaN(p.Ns) || math.IsInf(p.Ns, 0) {
			return Fit{}, fmt.Errorf("bench: point at n=%d has time %v", p.Units, p.Ns)
		}
	}
	n := float64(len(pts))
	var sx, sy float64
	for _, p := range pts {
		sx += float64(p.Units)
		sy += p.Ns
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for _, p := range pts {
		dx := float64(p.Units) - mx
		sxx += dx * dx
		sxy += dx * (p.Ns - my)
	}
	var a, b float64
	if sxx > 0 {
		b = sxy / sxx
	}
	a = my - b*mx
	switch {
	case b < 0:
		a, b = my, 0
	case a < 0:
		var xx, xy float64
		for _, p := range pts {
			x := float64(p.Units)
			xx += x * x
			xy += x * p.Ns
		}
		a, b = 0, 0
		if xx > 0 {
			b = max(xy/xx, 0)
		}
	}
	a = max(a, 0)
	f := Fit{BaseNs: a, PerUnitNs: b, Points: len(pts), PerUnits: 1}
	f.Base = roundUpCU(a / NsPerCU)
	perCU := b / NsPerCU
	switch {
	case perCU <= fitEpsilon:
		f.PerUnit = 0
	case perCU >= 1:
		f.PerUnit = roundUpCU(perCU)
	default:
		// Less than a CU per unit: one CU per ⌊1/perCU⌋ units, which
		// rounds the price up.
		f.PerUnit = 1
		f.PerUnits = max(uint64(math.Floor(1/perCU+fitEpsilon)), 1)
	}
	return f, nil
}

func variesInUnits(points []FitPoint) bool {
	for _, p := range points {
		if p.Units != points[0].Units {
			return true
		}
	}
	return false
}

func roundUpCU(x float64) uint64 {
	if x <= 0 {
		return 0
	}
	if x >= math.MaxUint64 {
		return math.MaxUint64
	}
	return uint64(math.Ceil(x - fitEpsilon))
}

// FitFamilies fits a price to each family of rows (the rows of one
// syscall and operation), in the order families first appear.
func FitFamilies(rows []CostRow) ([]Fit, error) {
	type family struct {
		name, op, unit string
		points         []FitPoint
	}
	var fams []*family
	index := map[[2]string]*family{}
	for _, r := range rows {
		k := [2]string{r.Name, r.Op}
		f, ok := index[k]
		if !ok {
			unit := r.UnitsOf
			if unit == "" {
				unit = r.Unit
			}
			f = &family{name: r.Name, op: r.Op, unit: unit}
			index[k] = f
			fams = append(fams, f)
		}
		f.points = append(f.points, FitPoint{Units: r.Units, Ns: r.Ns})
	}
	out := make([]Fit, 0, len(fams))
	for _, f := range fams {
		fit, err := FitPrice(f.points)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", f.name, f.op, err)
		}
		fit.Name, fit.Op, fit.Unit = f.name, f.op, f.unit
		if !variesInUnits(f.points) {
			fit.Unit = "" // one size: the price can only be flat
		}
		out = append(out, fit)
	}
	return out, nil
}
