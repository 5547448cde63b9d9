// Package profile turns a recorded run into a pprof profile of compute
// units: every instruction's unit, and every syscall's price charged to
// the instruction that called it, by call stack, function and source line
// (OVSM, C through DWARF, assembly), or by pc where no line is known.
//
// It replays the trace (see package trace), so profiling never changes
// what the program computes; it must never be used on a consensus path.
package profile

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/trace/debug"
	"github.com/agora-vm/agora/vm"
)

// collector counts compute units by call stack while a replay runs.
type collector struct {
	rp      *trace.Replayer
	events  []trace.SyscallEvent
	next    int
	stack   []int // call sites, outermost first
	depth   int
	prevPC  int
	samples map[string]*sample
}

type sample struct {
	pcs       []int // innermost first
	cu, insns int64
	syscallCU int64
}

func (c *collector) Step(m *vm.Machine, pc int) {
	d := m.CallDepth()
	switch {
	case d > c.depth:
		c.stack = append(c.stack, c.prevPC)
	case d < c.depth && len(c.stack) > 0:
		c.stack = c.stack[:len(c.stack)-1]
	}
	c.depth, c.prevPC = d, pc
	s := c.sampleAt(pc)
	s.cu++
	s.insns++
	insns := c.rp.Insns(m)
	for c.next < len(c.events) && c.events[c.next].Insns <= insns {
		if ev := &c.events[c.next]; ev.Insns == insns && ev.PC == pc {
			s.cu += int64(ev.CU)
			s.syscallCU += int64(ev.CU)
		}
		c.next++
	}
}

func (c *collector) sampleAt(pc int) *sample {
	var b strings.Builder
	b.WriteString(strconv.Itoa(pc))
	for i := len(c.stack) - 1; i >= 0; i-- {
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(c.stack[i]))
	}
	k := b.String()
	s := c.samples[k]
	if s == nil {
		s = &sample{pcs: []int{pc}}
		for i := len(c.stack) - 1; i >= 0; i-- {
			s.pcs = append(s.pcs, c.stack[i])
		}
		c.samples[k] = s
	}
	return s
}

// FromTrace replays t and builds its compute-unit profile. The samples'
// values are compute units (instructions plus syscall prices), the
// instructions executed, and the syscall part of the compute units.
func FromTrace(t *trace.Trace) (*profile.Profile, error) {
	rp, err := trace.NewReplayer(t)
	if err != nil {
		return nil, err
	}
	c := &collector{rp: rp, events: t.Events, samples: map[string]*sample{}}
	res := rp.Resume(t.Checkpoints[0].State, 0, c, 1)
	if d := rp.Divergence(); d != nil {
		return nil, d
	}
	src := debug.NewSourceMap(t)
	p := &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "cu", Unit: "count"},
			{Type: "instructions", Unit: "count"},
			{Type: "syscall_cu", Unit: "count"},
		},
		DefaultSampleType: "cu",
		PeriodType:        &profile.ValueType{Type: "cu", Unit: "count"},
		Period:            1,
		Comments:          []string{fmt.Sprintf("agora: %d compute units of a %d budget", res.CU, t.Budget)},
	}
	if t.Debug.Path != "" {
		p.Mapping = []*profile.Mapping{{ID: 1, File: t.Debug.Path, HasFunctions: true, HasFilenames: true, HasLineNumbers: true}}
	}
	funcs := map[string]*profile.Function{}
	locs := map[int]*profile.Location{}
	location := func(pc int) *profile.Location {
		if l := locs[pc]; l != nil {
			return l
		}
		loc, _ := src.Lookup(pc)
		name := loc.Function
		if name == "" {
			name = "pc_" + strconv.Itoa(pc)
		}
		file, line := loc.File, int64(loc.Line)
		if line == 0 {
			// No source line: the pc stands in, so -lines still splits.
			file, line = t.Debug.Path, int64(pc)
		}
		fk := name + "\x00" + file
		fn := funcs[fk]
		if fn == nil {
			fn = &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name, Filename: file}
			funcs[fk] = fn
			p.Function = append(p.Function, fn)
		}
		l := &profile.Location{ID: uint64(len(locs) + 1), Address: uint64(pc) * 8, Line: []profile.Line{{Function: fn, Line: line}}}
		if len(p.Mapping) > 0 {
			l.Mapping = p.Mapping[0]
		}
		locs[pc] = l
		p.Location = append(p.Location, l)
		return l
	}
	keys := make([]string, 0, len(c.samples))
	for k := range c.samples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := c.samples[k]
		ps := &profile.Sample{Value: []int64{s.cu, s.insns, s.syscallCU}}
		for _, pc := range s.pcs {
			ps.Location = append(ps.Location, location(pc))
		}
		p.Sample = append(p.Sample, ps)
	}
	if err := p.CheckValid(); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return p, nil
}

// Write writes p gzip-compressed, as pprof reads it.
func Write(w io.Writer, p *profile.Profile) error { return p.Write(w) }
