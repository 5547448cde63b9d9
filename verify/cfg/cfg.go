// Package cfg builds the intraprocedural control-flow graph of an sBPF
// program's functions and their immediate post-dominators, which the
// taint analysis uses to end an implicit flow where the branches that
// caused it join again.
//
// It only reads program text, never panics on malformed text (an
// instruction that faults simply has no successor) and depends only on
// package sbpf.
package cfg

import (
	"slices"

	"github.com/agora-vm/agora/sbpf"
)

// Exit is the virtual node every function's exits lead to.
const Exit = -1

// Graph is the control flow of a program: each instruction's successors
// within its function (a call falls through to the next instruction; an
// exit leads to Exit).
type Graph struct {
	N    int
	Succ [][]int
	// Entries are the function entry points: the program's entry and
	// every resolvable call target, in increasing order.
	Entries []int
	// IPDom is each instruction's immediate post-dominator, or Exit (also
	// for instructions that cannot reach an exit).
	IPDom []int
}

// Build computes the graph. functions is the V0-V2 registry (call imm ->
// pc); isSyscall says whether a V0-V2 call imm is a syscall.
func Build(text []byte, v sbpf.Version, entry int, functions map[uint32]int, isSyscall func(uint32) bool) *Graph {
	n := len(text) / sbpf.InsnSize
	g := &Graph{N: n, Succ: make([][]int, n), IPDom: make([]int, n)}
	entries := map[int]bool{}
	if entry >= 0 && entry < n {
		entries[entry] = true
	}
	in := func(pc int) bool { return pc >= 0 && pc < n }
	for pc := 0; pc < n; pc++ {
		insn := sbpf.Decode(text[pc*sbpf.InsnSize:])
		op := v.Lookup(insn.Op)
		info := op.Info()
		add := func(t int) {
			if in(t) {
				g.Succ[pc] = append(g.Succ[pc], t)
			}
		}
		switch {
		case op == sbpf.OpInvalid:
		case info.Format == sbpf.FmtNone:
			g.Succ[pc] = append(g.Succ[pc], Exit)
		case info.Format == sbpf.FmtLDDW:
			add(pc + 2)
		case info.Format == sbpf.FmtJa:
			add(pc + 1 + int(insn.Off))
		case info.Format == sbpf.FmtJumpImm || info.Format == sbpf.FmtJumpReg:
			add(pc + 1 + int(insn.Off))
			if pc+1+int(insn.Off) != pc+1 {
				add(pc + 1)
			}
		case info.Format == sbpf.FmtCall:
			imm := uint32(insn.Imm)
			if v.StaticSyscalls() {
				if insn.Src == 1 && in(pc+1+int(insn.Imm)) {
					entries[pc+1+int(insn.Imm)] = true
				}
			} else if t, ok := functions[imm]; ok && (isSyscall == nil || !isSyscall(imm)) && in(t) {
				entries[t] = true
			}
			add(pc + 1)
		default:
			add(pc + 1)
		}
	}
	for e := range entries {
		g.Entries = append(g.Entries, e)
	}
	slices.Sort(g.Entries)
	g.postDominators()
	return g
}

// postDominators computes IPDom with the Cooper-Harvey-Kennedy iteration
// on the reverse graph, rooted at Exit (node n).
func (g *Graph) postDominators() {
	n := g.N
	root := n
	pred := make([][]int, n+1) // predecessors in the reverse graph = successors
	rsucc := make([][]int, n+1)
	for pc, ss := range g.Succ {
		for _, s := range ss {
			if s == Exit {
				s = root
			}
			pred[pc] = append(pred[pc], s)
			rsucc[s] = append(rsucc[s], pc)
		}
	}
	// Reverse postorder of the reverse graph from the root, iteratively.
	order := make([]int, n+1)
	for i := range order {
		order[i] = -1
	}
	var post []int
	type fr struct{ node, i int }
	seen := make([]bool, n+1)
	stack := []fr{{root, 0}}
	seen[root] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i < len(rsucc[top.node]) {
			next := rsucc[top.node][top.i]
			top.i++
			if !seen[next] {
				seen[next] = true
				stack = append(stack, fr{next, 0})
			}
			continue
		}
		post = append(post, top.node)
		stack = stack[:len(stack)-1]
	}
	for i, v := range post {
		order[v] = i // postorder number: the root has the highest
	}
	idom := make([]int, n+1)
	for i := range idom {
		idom[i] = -1
	}
	idom[root] = root
	intersect := func(a, b int) int {
		for a != b {
			for order[a] < order[b] {
				a = idom[a]
			}
			for order[b] < order[a] {
				b = idom[b]
			}
		}
		return a
	}
	for changed := true; changed; {
		changed = false
		for i := len(post) - 1; i >= 0; i-- {
			v := post[i]
			if v == root {
				continue
			}
			nd := -1
			for _, p := range pred[v] {
				if idom[p] == -1 {
					continue
				}
				if nd == -1 {
					nd = p
				} else {
					nd = intersect(p, nd)
				}
			}
			if nd != -1 && idom[v] != nd {
				idom[v] = nd
				changed = true
			}
		}
	}
	for pc := range g.IPDom {
		d := idom[pc]
		if d == -1 || d == root {
			d = Exit
		}
		g.IPDom[pc] = d
	}
}
