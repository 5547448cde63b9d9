package jit

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// setAddr puts the 64-bit address a in register r without lddw (which V3+
// lacks): mov, shift, then a signed add of the low part.
func setAddr(r uint8, a uint64) []I {
	hi, lo := a>>32, int64(a&0xffffffff)
	if lo >= 1<<31 {
		hi, lo = hi+1, lo-1<<32
	}
	return []I{
		{Op: sbpf.Mov64Imm, Dst: r, Imm: int32(hi)},
		{Op: sbpf.Lsh64Imm, Dst: r, Imm: 32},
		{Op: sbpf.Add64Imm, Dst: r, Imm: int32(lo)},
	}
}

// inVersion re-encodes instructions written with V0's opcodes for v (V2
// numbers loads and stores differently).
func inVersion(v sbpf.Version, is []I) []byte {
	for k, i := range is {
		if code, ok := v.Opcode(sbpf.V0.Lookup(i.Op)); ok {
			is[k].Op = code
		}
	}
	return assemble(is...)
}

// member is one access of a group test: through r1 at off.
type member struct {
	op  sbpf.Opcode
	off int16
}

func (m member) insn(base, val uint8) I {
	switch m.op {
	case sbpf.LdxB, sbpf.LdxH, sbpf.LdxW, sbpf.LdxDW:
		return I{Op: m.op, Dst: val, Src: base, Off: m.off}
	case sbpf.StBImm, sbpf.StHImm, sbpf.StWImm, sbpf.StDWImm:
		return I{Op: m.op, Dst: base, Off: m.off, Imm: -0x3a}
	}
	return I{Op: m.op, Dst: base, Src: val, Off: m.off}
}

// groupProgram is: r1 = the base, from the input's first 8 bytes; the
// members in order (from pc 5, every other slot), each followed by an
// ALU operation on another register (the group's members are therefore
// not adjacent); r0 = the sum of what was loaded.
func groupProgram(v sbpf.Version, ms []member) *vm.Program {
	return groupProgramAt(v, 1, 0, ms)
}

// groupProgramAt is groupProgram through base register base, every offset
// moved by delta; the base is loaded from the input when it is r1.
func groupProgramAt(v sbpf.Version, base uint8, delta int16, ms []member) *vm.Program {
	is := []I{{Op: sbpf.LdxDW, Dst: 1, Src: 1}}
	if base != 1 {
		is[0] = I{Op: sbpf.Mov64Imm, Dst: 2, Imm: 1}
	}
	is = append(is, I{Op: sbpf.Mov64Imm, Dst: 6, Imm: 0x1234567}, I{Op: sbpf.Mov64Imm, Dst: 7, Imm: 0x7654321},
		I{Op: sbpf.Mov64Imm, Dst: 8, Imm: 0x55}, I{Op: sbpf.Mov64Imm, Dst: 9, Imm: -7})
	for i, m := range ms {
		val := []uint8{6, 7, 8, 9}[i%4]
		m.off += delta
		is = append(is, m.insn(base, val), I{Op: sbpf.Xor64Imm, Dst: 0, Imm: int32(i + 1)})
	}
	is = append(is, I{Op: sbpf.Add64Reg, Dst: 0, Src: 6}, I{Op: sbpf.Add64Reg, Dst: 0, Src: 7},
		I{Op: sbpf.Add64Reg, Dst: 0, Src: 8}, I{Op: sbpf.Add64Reg, Dst: 0, Src: 9}, I{Op: sbpf.Exit})
	return vm.NewRawProgram(v, inVersion(v, is), nil, 0)
}

// TestAccessGroups slides groups of accesses through one base register
// across the edges of every region, in every version and stack layout
// (V0's gaps, other frame sizes, no gaps, V1+'s contiguous stack; the
// aligned mapping of V4), so that each access of a group — first,
// middle, last — is the one that faults. A group is checked at once in
// machine code; the fault kind, pc, CU, registers, memory and dirty marks
// must still be the interpreter's at every position and budget.
func TestAccessGroups(t *testing.T) {
	const inputLen, heapLen = 64, 96
	patterns := []struct {
		name string
		ms   []member
	}{
		// The member that reaches highest is first, in the middle, last.
		{"loads, high first", []member{{sbpf.LdxDW, 16}, {sbpf.LdxDW, 0}, {sbpf.LdxDW, 8}}},
		{"loads, high in the middle", []member{{sbpf.LdxDW, 0}, {sbpf.LdxDW, 16}, {sbpf.LdxDW, 8}}},
		{"loads, high last", []member{{sbpf.LdxDW, 0}, {sbpf.LdxDW, 8}, {sbpf.LdxDW, 16}}},
		{"stores, high first", []member{{sbpf.StxDW, 16}, {sbpf.StxDW, 0}, {sbpf.StxDW, 8}}},
		{"stores, high in the middle", []member{{sbpf.StxW, 0}, {sbpf.StDWImm, 16}, {sbpf.StxH, 8}}},
		{"load, store, load", []member{{sbpf.LdxW, 4}, {sbpf.StxDW, 12}, {sbpf.LdxB, 0}}},
		{"store, load, store", []member{{sbpf.StxB, 0}, {sbpf.LdxDW, 9}, {sbpf.StxH, 20}}},
		{"one address, load then store", []member{{sbpf.LdxDW, 8}, {sbpf.StxDW, 8}}},
		{"one word, two halves", []member{{sbpf.LdxW, 4}, {sbpf.StxW, 0}}},
		{"negative offsets", []member{{sbpf.LdxDW, -16}, {sbpf.StxB, -1}, {sbpf.LdxH, -24}}},
		{"wide span", []member{{sbpf.LdxB, -300}, {sbpf.StxDW, 200}, {sbpf.LdxW, 0}}},
	}
	type edge struct {
		name string
		addr uint64
		cfg  vm.Config
	}
	p := newPair()
	positions := map[string]map[int]bool{} // version/edge -> faulting member indexes seen
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V2, sbpf.V3, sbpf.V4} {
		ro := sbpf.BytecodeStart
		if v.LowerRodataVaddr() {
			ro = sbpf.RodataStart
		}
		edges := []edge{
			{"input end", sbpf.InputStart + inputLen, vm.Config{}},
			{"input start", sbpf.InputStart, vm.Config{}},
			{"heap end", sbpf.HeapStart + heapLen, vm.Config{}},
			{"stack start", sbpf.StackStart, vm.Config{}},
			{"first frame's end", sbpf.StackStart + 4096, vm.Config{}},
			{"stack end", sbpf.StackStart + 64*4096, vm.Config{}},
			{"read-only end", ro, vm.Config{}}, // plus the data's length
		}
		if v == sbpf.V0 {
			edges = append(edges,
				edge{"stack end, gapped", sbpf.StackStart + 2*64*4096 - 4096, vm.Config{}},
				edge{"small frame's end", sbpf.StackStart + 5*256, vm.Config{StackFrameSize: 256, MaxCallDepth: 8}},
				edge{"small frames' top", sbpf.StackStart + 15*256, vm.Config{StackFrameSize: 256, MaxCallDepth: 8}},
				edge{"ungapped stack end", sbpf.StackStart + 64*4096, vm.Config{NoStackGaps: true}})
		}
		for ei, e := range edges {
			for pi, pat := range patterns {
				key := fmt.Sprintf("%v/%s", v, e.name)
				if positions[key] == nil {
					positions[key] = map[int]bool{}
				}
				prog := groupProgram(v, pat.ms)
				addr := e.addr
				if e.name == "read-only end" {
					addr += uint64(len(prog.Text)) // V0-V2 map the text as read-only data
					if v.LowerRodataVaddr() {
						prog.ROData = make([]byte, 8*40)
						addr = ro + 8*40
					}
				}
				cfg := e.cfg
				cfg.HeapSize = heapLen
				p.eng.opts.noBMI2 = (ei+pi)%3 == 2
				ie, err := vm.Interpreter{}.Prepare(prog, p.reg, cfg)
				if err != nil {
					t.Fatal(err)
				}
				r, err := p.eng.PrepareJIT(prog, p.reg, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if g, _ := groups(r); wantCompiled() && g == 0 {
					t.Fatalf("%s, %s: no access group compiled", key, pat.name)
				}
				for delta := int64(-330); delta <= 34; delta++ {
					if delta < -34 && delta%37 != 0 || testing.Short() && delta%2 != 0 {
						continue // far from the edge, only a sample
					}
					input := make([]byte, inputLen)
					for i := range input {
						input[i] = byte(i*29 + 3)
					}
					binary.LittleEndian.PutUint64(input, uint64(int64(addr)+delta))
					p.compare(t, ie, r, input, 1000)
					if p.last.err != "" && len(pat.ms) == 3 {
						if i := (p.last.pc - 5) / 2; i >= 0 && i < 3 && (p.last.pc-5)%2 == 0 {
							positions[key][i] = true
						}
					}
					// Budgets that end the run inside the group.
					if delta%11 == 0 {
						for b := uint64(4); b < 14; b++ {
							p.compare(t, ie, r, input, b)
						}
					}
				}
			}
		}
	}
	// Through r10, whose gap transform is inline: the first frame's end
	// (a gap follows in V0) and the stack's start.
	for _, c := range []struct {
		v   sbpf.Version
		cfg vm.Config
	}{{sbpf.V0, vm.Config{}}, {sbpf.V0, vm.Config{StackFrameSize: 256, MaxCallDepth: 8}}, {sbpf.V0, vm.Config{NoStackGaps: true}}, {sbpf.V3, vm.Config{}}} {
		fs := int16(4096)
		if c.cfg.StackFrameSize != 0 {
			fs = int16(c.cfg.StackFrameSize)
		}
		key := fmt.Sprintf("%v %+v/r10", c.v, c.cfg)
		positions[key] = map[int]bool{}
		for pi, pat := range patterns {
			for _, at := range []int16{0, -fs} { // r10 is the first frame's end
				for delta := at - 34; delta <= at+34; delta += 1 + int16(pi%3) {
					prog := groupProgramAt(c.v, 10, delta, pat.ms)
					r := p.check(t, prog, c.cfg, make([]byte, inputLen), 1000)
					if g, _ := groups(r); wantCompiled() && g == 0 {
						t.Fatalf("%s, %s: no access group compiled", key, pat.name)
					}
					if p.last.err != "" && len(pat.ms) == 3 {
						if i := (p.last.pc - 5) / 2; i >= 0 && i < 3 && (p.last.pc-5)%2 == 0 {
							positions[key][i] = true
						}
					}
				}
			}
		}
	}
	// Every edge that faults at all must have faulted at each position.
	for key, seen := range positions {
		if len(seen) != 0 && len(seen) != 3 {
			t.Errorf("%s: faults only at group positions %v", key, seen)
		}
	}
	for _, key := range []string{"v0/input end", "v0/stack end, gapped", "v0/first frame's end", "v0/small frame's end", "v4/input end", "v4/stack end", "v4/stack start", "v3/heap end", "v2/input start", "v0 {MaxCallDepth:0 StackFrameSize:0 HeapSize:0 NoStackGaps:false}/r10"} {
		if len(positions[key]) != 3 {
			t.Errorf("%s: faults at group positions %v, want all three", key, positions[key])
		}
	}
}

// TestZeroJumps covers jumps that test the zero flag of the ALU operation
// just before them instead of comparing: taken and not, at every budget,
// entered by callx (which the engine must hand to the interpreter), and
// the cases that must compare (another register, a 32-bit operation, a
// jump target between them).
func TestZeroJumps(t *testing.T) {
	ro := int32(sbpf.BytecodeStart >> 32)
	tests := []struct {
		name  string
		fused bool
		text  []byte
	}{
		{"countdown", true, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 9},
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 3},
			I{Op: sbpf.Sub64Imm, Dst: 3, Imm: 1},
			I{Op: sbpf.JneImm, Dst: 3, Imm: 0, Off: -3},
			I{Op: sbpf.Exit})},
		{"and, or, xor, neg, add", true, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 1, Imm: 6},
			I{Op: sbpf.And64Imm, Dst: 1, Imm: 1},
			I{Op: sbpf.JeqImm, Dst: 1, Imm: 0, Off: 1},
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 1},
			I{Op: sbpf.Or64Reg, Dst: 2, Src: 1},
			I{Op: sbpf.JneImm, Dst: 2, Imm: 0, Off: 1},
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 2},
			I{Op: sbpf.Xor64Reg, Dst: 2, Src: 2},
			I{Op: sbpf.JeqImm, Dst: 2, Imm: 0, Off: 1},
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 4},
			I{Op: sbpf.Neg64, Dst: 0},
			I{Op: sbpf.JneImm, Dst: 0, Imm: 0, Off: 1},
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 8},
			I{Op: sbpf.Add64Reg, Dst: 0, Src: 2},
			I{Op: sbpf.JeqImm, Dst: 0, Imm: 0, Off: -1},
			I{Op: sbpf.Exit})},
		{"callx onto the jump", true, assemble(
			I{Op: sbpf.LdDwImm, Dst: 5, Imm: 4 * 8}, I{Imm: ro}, // pc 4
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 0},
			I{Op: sbpf.Sub64Imm, Dst: 3, Imm: 1}, // r3 = -1, then the jump at 4
			I{Op: sbpf.JeqImm, Dst: 3, Imm: 0, Off: 3},
			I{Op: sbpf.Add64Imm, Dst: 0, Imm: 1},
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 0},
			I{Op: sbpf.Callx, Imm: 5}, // at 4 with r3 == 0: taken
			I{Op: sbpf.Exit})},
		{"other register", false, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 1},
			I{Op: sbpf.Sub64Imm, Dst: 4, Imm: 1},
			I{Op: sbpf.JneImm, Dst: 3, Imm: 0, Off: 1},
			I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 5},
			I{Op: sbpf.Exit})},
		{"32-bit operation", false, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: -1},
			I{Op: sbpf.Lsh64Imm, Dst: 3, Imm: 32},
			I{Op: sbpf.Add32Imm, Dst: 3, Imm: 0},
			I{Op: sbpf.JneImm, Dst: 3, Imm: 0, Off: 1},
			I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 5},
			I{Op: sbpf.Exit})},
		{"jump target in between", false, assemble(
			I{Op: sbpf.Mov64Imm, Dst: 3, Imm: 2},
			I{Op: sbpf.Ja, Off: 1},
			I{Op: sbpf.Sub64Imm, Dst: 3, Imm: 1},
			I{Op: sbpf.JneImm, Dst: 3, Imm: 0, Off: 1}, // a leader: entered from the ja
			I{Op: sbpf.Mov64Imm, Dst: 0, Imm: 5},
			I{Op: sbpf.Exit})},
	}
	p := newPair()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := vm.NewRawProgram(sbpf.V0, tt.text, nil, 0)
			if wantCompiled() {
				r, err := quiet.PrepareJIT(prog, p.reg, vm.Config{})
				if err != nil {
					t.Fatal(err)
				}
				if _, z := groups(r); (z > 0) != tt.fused {
					t.Fatalf("%d jumps reuse the flags, want them to: %v", z, tt.fused)
				}
			}
			for b := range uint64(60) {
				p.check(t, prog, vm.Config{}, nil, b)
			}
		})
	}
}

// denseProgram is a random program made mostly of loads and stores
// through r1-r4 (pointed at the input, the stack, the heap and the input's
// end), at small offsets around them, with ALU operations that
// sometimes move a base, and short jumps: many access groups, some of
// which fault at one of their accesses.
func denseProgram(rng *rand.Rand, v sbpf.Version, n int) *vm.Program {
	var is []I
	is = append(is, setAddr(1, sbpf.InputStart+uint64(rng.IntN(8)))...)
	is = append(is, setAddr(2, sbpf.StackStart+uint64(rng.IntN(3))*4096-uint64(rng.IntN(24)))...)
	is = append(is, setAddr(3, sbpf.HeapStart+uint64(rng.IntN(16)))...)
	is = append(is, setAddr(4, sbpf.InputStart+40+uint64(rng.IntN(16)))...)
	loads := []sbpf.Opcode{sbpf.LdxB, sbpf.LdxH, sbpf.LdxW, sbpf.LdxDW}
	stores := []sbpf.Opcode{sbpf.StxB, sbpf.StxH, sbpf.StxW, sbpf.StxDW, sbpf.StBImm, sbpf.StHImm, sbpf.StWImm, sbpf.StDWImm}
	start := len(is)
	for pc := start; pc < start+n; pc++ {
		base := uint8(1 + rng.IntN(4))
		off := int16(rng.IntN(48)) - 16
		val := uint8(5 + rng.IntN(5))
		switch k := rng.IntN(20); {
		case k < 7:
			is = append(is, I{Op: loads[rng.IntN(4)], Dst: val, Src: base, Off: off})
		case k < 12:
			is = append(is, I{Op: stores[rng.IntN(8)], Dst: base, Src: val, Off: off, Imm: int32(rng.Uint32())})
		case k < 15:
			is = append(is, I{Op: []sbpf.Opcode{sbpf.Add64Imm, sbpf.Xor64Reg, sbpf.Mov64Reg, sbpf.Lsh64Reg, sbpf.Rsh32Reg, sbpf.Sub64Imm}[rng.IntN(6)], Dst: val, Src: uint8(rng.IntN(10)), Imm: int32(rng.IntN(64))})
		case k < 18:
			is = append(is, I{Op: sbpf.Add64Imm, Dst: base, Imm: int32(rng.IntN(24)) - 8})
			if rng.IntN(2) == 0 { // and again through the moved base
				is = append(is, I{Op: loads[rng.IntN(4)], Dst: val, Src: base, Off: off})
			}
		case k < 19:
			is = append(is, I{Op: sbpf.LdxDW, Dst: base, Src: base, Off: off})
		default:
			is = append(is, I{Op: sbpf.JneImm, Dst: val, Imm: 0, Off: int16(rng.IntN(4))})
		}
	}
	is = append(is, I{Op: sbpf.Exit})
	return vm.NewRawProgram(v, inVersion(v, is), nil, 0)
}

// TestDifferentialGroups runs dense random programs of loads and stores
// on both engines, in every version and stack layout, at random budgets.
func TestDifferentialGroups(t *testing.T) {
	cfgs := []vm.Config{{}, {StackFrameSize: 256, MaxCallDepth: 8}, {NoStackGaps: true}}
	rounds := 1500
	if testing.Short() {
		rounds = 300
	}
	p := newPair()
	rng := rand.New(rand.NewPCG(9, 10))
	formed := 0
	for i := range rounds {
		p.eng.opts.noBMI2 = i%4 == 3
		v := sbpf.Version(i % int(sbpf.LatestVersion+1))
		cfg := cfgs[i%len(cfgs)]
		cfg.HeapSize = 32 * rng.IntN(3)
		r := p.check(t, denseProgram(rng, v, 8+rng.IntN(40)), cfg, randomInput(rng), uint64(rng.IntN(120)))
		g, _ := groups(r)
		formed += g
	}
	if wantCompiled() && formed < rounds {
		t.Fatalf("%d access groups in %d programs: the generator no longer makes them", formed, rounds)
	}
}

// TestRegionLimitsContiguous holds the memory map to what access groups
// rely on (see jregion): every region's limits describe one contiguous
// range — the limit of an n-byte access is the 1-byte limit minus n-1 —
// and stores are allowed where loads are, or nowhere; in every version
// and layout, with and without a write watcher.
func TestRegionLimitsContiguous(t *testing.T) {
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V2, sbpf.V3, sbpf.V4} {
		for _, cfg := range []vm.Config{{HeapSize: 0}, {HeapSize: 5}, {HeapSize: 32 * 1024}, {StackFrameSize: 1, MaxCallDepth: 3}, {StackFrameSize: 256, NoStackGaps: true}} {
			for _, n := range []int{0, 1, 3, 8, 9, 100} {
				for _, watch := range []bool{false, true} {
					prog := vm.NewRawProgram(v, assemble(I{Op: sbpf.Exit}), nil, 0)
					prog.ROData = make([]byte, n)
					exe, err := vm.Interpreter{}.Prepare(prog, nil, cfg)
					if err != nil {
						t.Fatal(err)
					}
					m := vm.NewMachine()
					exe.(*vm.Executable).Begin(m, vm.RunOptions{Input: make([]byte, n), Budget: 10})
					if watch {
						m.WatchWrites(&recorder{})
					}
					var views [vm.NumRegionSlots]vm.RegionView
					m.Regions(&views)
					for i := range views {
						if !contiguous(&views[i]) {
							t.Fatalf("%v %+v input %d watcher %v: slot %d limits %v / %v are not one contiguous range", v, cfg, n, watch, i, views[i].LoadLim, views[i].StoreLim)
						}
					}
				}
			}
		}
	}
}

// contiguous reports whether v's limits describe one contiguous range of
// bytes: the limit of an n-byte access is the 1-byte limit minus n-1 (0
// when shorter than n), and stores are allowed where loads are, or
// nowhere.
func contiguous(v *vm.RegionView) bool {
	n0, s0 := v.LoadLim[0], v.StoreLim[0]
	if s0 != 0 && s0 != n0 {
		return false
	}
	for k, n := range [4]uint64{1, 2, 4, 8} {
		want := uint64(0)
		if n0 >= n {
			want = n0 - n + 1
		}
		if v.LoadLim[k] != want || (s0 != 0 && v.StoreLim[k] != want) || (s0 == 0 && v.StoreLim[k] != 0) {
			return false
		}
	}
	return true
}
