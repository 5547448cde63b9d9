package trace

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Costs are one program's recording and replay costs, each timed in the
// same process and alternated round by round with an untraced run, so the
// ratios compare like with like.
type Costs struct {
	Name         string `json:"name"`
	Instructions uint64 `json:"instructions"`
	// UntracedNs is a run without the recorder: each run's input buffer
	// is filled from the input (the runtime's serialization), then run.
	UntracedNs float64 `json:"untraced_ns"`
	// RecordNs is the run under the recorder (RunShared, below), then
	// encoding its trace into memory (what writing a trace file costs
	// besides the write itself).
	RecordNs float64 `json:"record_ns"`
	// RecordRunNs is the run under the recorder alone, without encoding:
	// what a recorder that hands traces to another goroutine to encode
	// pays on the run's path. The recorder is Recorder.RunShared: the
	// trace refers to the input the buffer was filled from and to the
	// buffer itself rather than copying the input region twice.
	RecordRunNs    float64 `json:"record_run_ns"`
	RecordRunRatio float64 `json:"record_run_ratio"`
	// RecordCopyRunNs is RecordRunNs with Recorder.Run, which copies the
	// input region before and after the run (for callers that reuse the
	// buffer while the trace lives).
	RecordCopyRunNs    float64 `json:"record_copy_run_ns"`
	RecordCopyRunRatio float64 `json:"record_copy_run_ratio"`
	// ReplayNs is a replay of the encoded trace, decoded once, as agora
	// replay does: re-execution checking every checkpoint and the
	// outcome.
	ReplayNs    float64 `json:"replay_ns"`
	RecordRatio float64 `json:"record_ratio"`
	ReplayRatio float64 `json:"replay_ratio"`
	TraceBytes  int     `json:"trace_bytes"`
	// TraceBytesPer1M is the encoded trace's size per million instructions.
	TraceBytesPer1M float64 `json:"trace_bytes_per_1m_insns"`
	Checkpoints     int     `json:"checkpoints"`

	// The rejected design: per-instruction deltas (DeltaRecorder).
	DeltaRecordNs    float64 `json:"delta_record_ns"`
	DeltaRecordRatio float64 `json:"delta_record_ratio"`
	DeltaBytesPer1M  float64 `json:"delta_bytes_per_1m_insns"`
}

// Measure times prog on input (copied into the run's buffer before each
// run) untraced, recorded and replayed, and recorded with per-instruction
// deltas, over rounds rounds of about roundTime each, and reports the
// medians.
func Measure(name string, prog *vm.Program, reg *vm.Registry, input []byte, budget uint64, rounds int, roundTime time.Duration) (Costs, error) {
	input = slices.Clone(input) // the template every run's buffer is filled from
	exe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		return Costs{}, err
	}
	rec := NewRecorder(Options{})
	wrapped, err := rec.Registry(reg)
	if err != nil {
		return Costs{}, err
	}
	recExe, err := vm.Interpreter{}.Prepare(prog, wrapped, vm.DefaultConfig())
	if err != nil {
		return Costs{}, err
	}
	m := vm.NewMachine()
	in := slices.Clone(input)
	untraced := func() vm.Result {
		copy(in, input)
		return exe.Run(m, vm.RunOptions{Input: in, Budget: budget, Context: syscalls.NewContext([32]byte{})})
	}
	var tr *Trace
	var enc bytes.Buffer
	encoder, err := NewEncoder()
	if err != nil {
		return Costs{}, err
	}
	defer encoder.Close()
	// Each recording hands its trace back once done with it (encoded, or
	// not needed), as a runtime recording call after call would, so the
	// next one reuses its memory.
	recordOnly := func() {
		copy(in, input)
		_, tr = rec.RunShared(m, recExe, vm.RunOptions{Input: in, Budget: budget, Context: syscalls.NewContext([32]byte{})}, input)
	}
	recordRun := func() {
		recordOnly()
		rec.Release(tr)
	}
	recordCopyRun := func() {
		copy(in, input)
		_, tr = rec.Run(m, recExe, vm.RunOptions{Input: in, Budget: budget, Context: syscalls.NewContext([32]byte{})})
		rec.Release(tr)
	}
	encode := func() {
		enc.Reset()
		if err := encoder.Encode(&enc, tr); err != nil {
			panic(err) // writing to a bytes.Buffer cannot fail
		}
	}
	record := func() {
		recordOnly()
		encode()
		rec.Release(tr)
	}
	var delta *DeltaRecorder
	deltaRecord := func() {
		copy(in, input)
		delta = NewDeltaRecorder(prog)
		exe.Run(m, vm.RunOptions{Input: in, Budget: budget, Hook: delta, Context: syscalls.NewContext([32]byte{})})
		if err := delta.Encode(io.Discard); err != nil {
			panic(err)
		}
	}
	untracedOp := func() { untraced() }
	base := untraced()
	if base.Err != nil {
		return Costs{}, fmt.Errorf("%s: %w", name, base.Err)
	}
	recordOnly()
	encode()
	// The replay is of the trace as a file holds it: the recorded one
	// refers to in, which the next runs overwrite.
	dec, err := Decode(enc.Bytes())
	if err != nil {
		return Costs{}, fmt.Errorf("%s: %w", name, err)
	}
	rp, err := NewReplayer(dec)
	if err != nil {
		return Costs{}, err
	}
	if rep := rp.ReplayAll(); rep.Divergence != nil {
		return Costs{}, fmt.Errorf("%s: replay diverged: %w", name, rep.Divergence)
	}
	replay := func() {
		if rep := rp.ReplayAll(); rep.Divergence != nil {
			panic(rep.Divergence)
		}
	}
	// Each measurement starts from a collected heap, so that the garbage
	// one leaves (the delta recorder's above all) is not charged to the
	// next. The recorder and the replay are timed in batches of about a
	// millisecond alternating with batches of the untraced run, so that
	// a machine whose speed drifts (other work on it) moves both sides of
	// a ratio alike. The delta recorder, whose garbage would slow the
	// untraced batches beside it, is timed after an untraced segment of
	// its own.
	var tu, tr2, trr, trc, tp, td []float64
	var rr2, rrr, rrc, rp2, rd []float64
	paired := func(ns, ratios *[]float64, f func()) {
		runtime.GC()
		x, u := timePaired(roundTime, untracedOp, f)
		*ns, *ratios = append(*ns, x), append(*ratios, x/u)
		tu = append(tu, u)
	}
	for range rounds {
		paired(&tr2, &rr2, record)
		paired(&trr, &rrr, recordRun)
		paired(&trc, &rrc, recordCopyRun)
		paired(&tp, &rp2, replay)
		runtime.GC()
		u := timing.PerOp(roundTime/2, untracedOp)
		runtime.GC()
		x := timing.PerOp(roundTime/2, deltaRecord)
		td, rd = append(td, x), append(rd, x/u)
		tu = append(tu, u)
	}
	c := Costs{Name: name, Instructions: dec.Outcome.Insns, Checkpoints: len(dec.Checkpoints), TraceBytes: enc.Len()}
	c.UntracedNs, c.RecordNs, c.RecordRunNs, c.RecordCopyRunNs, c.ReplayNs, c.DeltaRecordNs = timing.Median(tu), timing.Median(tr2), timing.Median(trr), timing.Median(trc), timing.Median(tp), timing.Median(td)
	// A ratio is the median of its rounds' ratios.
	c.RecordRatio, c.RecordRunRatio, c.RecordCopyRunRatio = timing.Median(rr2), timing.Median(rrr), timing.Median(rrc)
	c.ReplayRatio, c.DeltaRecordRatio = timing.Median(rp2), timing.Median(rd)
	per := 1e6 / float64(max(c.Instructions, 1))
	c.TraceBytesPer1M = float64(c.TraceBytes) * per
	_, dz := delta.Size()
	c.DeltaBytesPer1M = float64(dz) * per
	return c, nil
}

// timePaired returns the mean ns per call of f and of base, timed over
// about d in all in alternating batches of about a millisecond each. The
// batches are timed by the thread's CPU time (threadTime), the goroutine
// locked to its thread: on a shared machine, wall time also counts the
// time other processes ran.
func timePaired(d time.Duration, base, f func()) (fNs, baseNs float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	batch := min(d/8, time.Millisecond)
	nb, nf := batchSize(batch, base), batchSize(batch, f)
	var tb, tf time.Duration
	var cb, cf int
	for start := time.Now(); time.Since(start) < d || cb == 0; {
		t := timing.ThreadTime()
		for range nb {
			base()
		}
		t2 := timing.ThreadTime()
		for range nf {
			f()
		}
		t3 := timing.ThreadTime()
		tb, tf = tb+t2-t, tf+t3-t2
		cb, cf = cb+nb, cf+nf
	}
	return float64(tf.Nanoseconds()) / float64(cf), float64(tb.Nanoseconds()) / float64(cb)
}

// batchSize returns how many calls of f take about d (at least one).
func batchSize(d time.Duration, f func()) int {
	n := 1
	for {
		el := timing.Calls(n, f)
		if el >= d/4 || n >= 1<<24 {
			return max(1, int(float64(n)*float64(d)/float64(max(el, 1))))
		}
		n *= 4
	}
}
