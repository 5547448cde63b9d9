package ovsm

import (
	"math/bits"
	"sort"
)

// Register allocation by priority-ordered graph colouring.
//
// Liveness is computed over the control-flow graph of the IR; two
// virtual registers interfere when one is defined while the other is
// live. A value live across a call may not sit in r0-r5 (the call
// clobbers them), so it lands in r6-r9, which the VM saves and restores
// on every call for free. Values are coloured in order of their use
// count weighted by loop depth, so the hottest values get registers;
// each takes, if it can, the register its hints name (the argument
// register it is passed in, r0 for a returned value, the register of
// the value it is copied from), which turns most moves into nothing.
// Values that find no register live in 8-byte stack slots, and r4 and
// r5 are then kept free as scratch registers for loading them.

// fpReg is the operand register number meaning r10 (the frame pointer).
const fpReg vreg = -2

type bitset []uint64

func newBitset(n int) bitset       { return make(bitset, (n+63)/64) }
func (b bitset) has(i vreg) bool   { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) set(i vreg)        { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clear(i vreg)      { b[i>>6] &^= 1 << (uint(i) & 63) }
func (b bitset) copyFrom(o bitset) { copy(b, o) }
func (b bitset) forEach(f func(vreg)) {
	for w, x := range b {
		for x != 0 {
			t := bits.TrailingZeros64(x)
			f(vreg(w*64 + t))
			x &= x - 1
		}
	}
}

// orChanged sets b |= o and reports whether b changed.
func (b bitset) orChanged(o bitset) bool {
	ch := false
	for i := range b {
		n := b[i] | o[i]
		if n != b[i] {
			b[i] = n
			ch = true
		}
	}
	return ch
}

type block struct {
	start, end int // [start, end) in code
	succ       []int
	use, def   bitset
	in, out    bitset
}

// cfg splits code into basic blocks.
func buildCFG(code []inst) []block {
	labelBlock := map[int]int{}
	var blocks []block
	start := 0
	flush := func(end int) {
		if end > start {
			blocks = append(blocks, block{start: start, end: end})
		}
		start = end
	}
	for i := range code {
		if code[i].op == opLabel && i > start {
			flush(i)
		}
		if code[i].op == opLabel {
			labelBlock[code[i].target] = len(blocks)
		}
		if code[i].op == opBr || code[i].terminates() {
			flush(i + 1)
		}
	}
	flush(len(code))
	for bi := range blocks {
		b := &blocks[bi]
		last := &code[b.end-1]
		if last.op == opBr || last.op == opJmp {
			if t, ok := labelBlock[last.target]; ok {
				b.succ = append(b.succ, t)
			}
		}
		if !last.terminates() && bi+1 < len(blocks) {
			b.succ = append(b.succ, bi+1)
		}
	}
	return blocks
}

// liveness fills in the blocks' live-in and live-out sets.
func liveness(code []inst, blocks []block, n int) {
	var tmp []vreg
	for bi := range blocks {
		b := &blocks[bi]
		b.use, b.def, b.in, b.out = newBitset(n), newBitset(n), newBitset(n), newBitset(n)
		for i := b.start; i < b.end; i++ {
			tmp = code[i].uses(tmp[:0])
			for _, r := range tmp {
				if !b.def.has(r) {
					b.use.set(r)
				}
			}
			tmp = code[i].defs(tmp[:0])
			for _, r := range tmp {
				b.def.set(r)
			}
		}
	}
	newIn := newBitset(n)
	for changed := true; changed; {
		changed = false
		for bi := len(blocks) - 1; bi >= 0; bi-- {
			b := &blocks[bi]
			for _, s := range b.succ {
				b.out.orChanged(blocks[s].in)
			}
			for w := range newIn {
				newIn[w] = b.use[w] | (b.out[w] &^ b.def[w])
			}
			if b.in.orChanged(newIn) {
				changed = true
			}
		}
	}
}

// allocation is the result of register allocation.
type allocation struct {
	color   []int8 // physical register, or -1 when spilled or never used
	slot    []int  // stack slot of a spilled register, else -1
	nslots  int
	spilled bool // r4 and r5 are reserved as scratch
}

const (
	callerSaved = 0x3f  // r0-r5
	scratchRegs = 0x30  // r4, r5
	allRegs     = 0x3ff // r0-r9
)

type allocator struct {
	f       *function
	code    []inst
	n       int
	adj     [][]vreg
	edges   map[uint64]struct{}
	forbid  []uint16
	hint    [][]int8 // preferred physical registers
	partner [][]vreg // move-related registers
	weight  []float64
	used    []bool
}

func (a *allocator) addEdge(x, y vreg) {
	if x == y || x < 0 || y < 0 {
		return
	}
	if x > y {
		x, y = y, x
	}
	k := uint64(x)<<32 | uint64(y)
	if _, ok := a.edges[k]; ok {
		return
	}
	a.edges[k] = struct{}{}
	a.adj[x] = append(a.adj[x], y)
	a.adj[y] = append(a.adj[y], x)
}

func (a *allocator) addHint(r vreg, phys int) {
	if r >= 0 {
		a.hint[r] = append(a.hint[r], int8(phys))
	}
}

func (a *allocator) addPartner(x, y vreg) {
	if x >= 0 && y >= 0 && x != y {
		a.partner[x] = append(a.partner[x], y)
		a.partner[y] = append(a.partner[y], x)
	}
}

// allocate assigns physical registers or stack slots to f's registers.
func allocate(f *function, code []inst) *allocation {
	n := f.nregs
	a := &allocator{f: f, code: code, n: n, adj: make([][]vreg, n), edges: map[uint64]struct{}{},
		forbid: make([]uint16, n), hint: make([][]int8, n), partner: make([][]vreg, n),
		weight: make([]float64, n), used: make([]bool, n)}
	blocks := buildCFG(code)
	liveness(code, blocks, n)
	live := newBitset(n)
	var tmp []vreg
	for bi := range blocks {
		b := &blocks[bi]
		live.copyFrom(b.out)
		for i := b.end - 1; i >= b.start; i-- {
			in := &code[i]
			w := 1.0
			for d := 0; d < in.depth && d < 4; d++ {
				w *= 8
			}
			tmp = in.defs(tmp[:0])
			defs := append([]vreg(nil), tmp...)
			for _, d := range defs {
				a.used[d] = true
				a.weight[d] += w
				live.forEach(func(l vreg) {
					if in.op == opMov && !in.a.isImm && in.a.r == l {
						return
					}
					a.addEdge(d, l)
				})
			}
			for x := 0; x < len(defs); x++ {
				for y := x + 1; y < len(defs); y++ {
					a.addEdge(defs[x], defs[y])
				}
			}
			if in.isCall() {
				live.forEach(func(l vreg) {
					if l != in.dst && l != in.dst2 {
						a.forbid[l] |= callerSaved
					}
				})
				a.addHint(in.dst, 0)
				a.addHint(in.dst2, 1)
				for j, arg := range in.args {
					if !arg.isImm && j < 5 {
						a.addHint(arg.r, j+1)
					}
				}
			}
			switch in.op {
			case opMov:
				if !in.a.isImm {
					a.addPartner(in.dst, in.a.r)
				}
			case opALU:
				if !in.a.isImm {
					a.addPartner(in.dst, in.a.r)
				}
				if !in.b.isImm && in.b.r >= 0 {
					if in.alu.commutative() {
						a.addPartner(in.dst, in.b.r)
					} else {
						a.addEdge(in.dst, in.b.r)
					}
				}
			case opRet:
				if !in.a.isImm && in.a.r >= 0 {
					a.addHint(in.a.r, 0)
				}
				if !in.b.isImm && in.b.r >= 0 {
					a.addHint(in.b.r, 1)
				}
			case opParams:
				for j, p := range in.args {
					if j < 5 {
						a.addHint(p.r, j+1)
					}
				}
			}
			for _, d := range defs {
				live.clear(d)
			}
			tmp = in.uses(tmp[:0])
			for _, u := range tmp {
				a.used[u] = true
				a.weight[u] += w
				live.set(u)
			}
		}
	}
	// A register live on entry to the function is read before it is
	// written on some path; it needs no particular treatment, the
	// colouring is still sound.
	spilled := newBitset(n)
	for {
		al := a.color(spilled)
		if al != nil {
			return al
		}
	}
}

// color tries to colour with the registers marked in spilled already in
// memory; it returns nil after marking more registers spilled.
func (a *allocator) color(spilled bitset) *allocation {
	anySpill := false
	for r := 0; r < a.n; r++ {
		if spilled.has(vreg(r)) {
			anySpill = true
		}
	}
	palette := uint16(allRegs)
	if anySpill {
		palette &^= scratchRegs
	}
	order := make([]vreg, 0, a.n)
	for r := 0; r < a.n; r++ {
		if a.used[r] && !spilled.has(vreg(r)) {
			order = append(order, vreg(r))
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return a.weight[order[i]] > a.weight[order[j]] })
	color := make([]int8, a.n)
	for i := range color {
		color[i] = -1
	}
	newSpill := false
	for _, r := range order {
		busy := a.forbid[r] | ^palette
		for _, nb := range a.adj[r] {
			if c := color[nb]; c >= 0 {
				busy |= 1 << uint(c)
			}
		}
		pick := -1
		try := func(c int) bool {
			if c >= 0 && c < 10 && busy&(1<<uint(c)) == 0 {
				pick = c
				return true
			}
			return false
		}
		found := false
		for _, h := range a.hint[r] {
			if try(int(h)) {
				found = true
				break
			}
		}
		if !found {
			for _, p := range a.partner[r] {
				if try(int(color[p])) {
					found = true
					break
				}
			}
		}
		if !found {
			// Registers whose hints are still unclaimed are a better home
			// for those values: look at the partners' hints too.
			for _, p := range a.partner[r] {
				for _, h := range a.hint[p] {
					if try(int(h)) {
						found = true
						break
					}
				}
				if found {
					break
				}
			}
		}
		if !found {
			for _, c := range []int{1, 2, 3, 4, 5, 0, 6, 7, 8, 9} {
				if try(c) {
					found = true
					break
				}
			}
		}
		if !found {
			spilled.set(r)
			newSpill = true
			continue
		}
		color[r] = int8(pick)
	}
	if newSpill && !anySpill {
		return nil // recolour with the scratch registers reserved
	}
	if newSpill {
		return nil
	}
	al := &allocation{color: color, slot: make([]int, a.n), spilled: anySpill}
	for r := 0; r < a.n; r++ {
		al.slot[r] = -1
		if spilled.has(vreg(r)) {
			al.slot[r] = al.nslots
			al.nslots++
		}
	}
	return al
}
