package ovsm

import (
	"fmt"

	"github.com/agora-vm/agora/ovsm/parse"
	"github.com/agora-vm/agora/sbpf/extnames"
)

// Parallel lanes (ext/lanes): (parallel-spawn f [cu-limit [heap-bytes]])
// and (parallel-join task) over agora_parallel_spawn and
// agora_parallel_join; parallel-fence is a plain table entry.
//
// A child starts at the runtime library's %lane-entry, whose instruction
// index is fn_pc, with its private copy of the spawn argument below. Its
// heap and input start as copies of the parent's, and every byte it
// changes is merged into the parent at the join; two lanes changing one
// byte is a LaneWriteConflict. So that children which allocate never
// touch the same bytes, the parent carves a region of its heap for each
// child before the spawn (a quarter of what is free, or the size the
// program asks for), and the child allocates only there: %lane-entry
// points the heap header's bump and end at the region and puts both back
// as they were before it exits, so the header itself is not among the
// bytes it changed.

// The spawn argument (laneArgSize bytes), which the child gets a copy of
// and join copies back as the child left it.
const (
	laneClosure   = 0  // the closure object the child calls
	laneHeapStart = 8  // the child's heap region
	laneHeapEnd   = 16 //
	laneError     = 24 // out: the error the closure raised, or 0
	laneBump      = 32 // out: the region's bump when the child ended
	laneArgSize   = 40
)

// laneHeapShare divides the free heap into the default region of a
// child: a quarter, so that a few children get nearly equal regions and
// the parent keeps room of its own; a join gives the unused tail back
// when nothing was allocated above the region since.
const laneHeapShare = 4

// laneCUShare divides the remaining CU into the default budget of a
// child: each of the MaxTasks (16) children a lane may have outstanding
// gets an equal share, so the runtime's reservation of every
// outstanding child's budget never leaves a later child with nothing.
const laneCUShare = 16

// parallelSpawn compiles (parallel-spawn f [cu-limit [heap-bytes]]): f
// is a function of no arguments (a lambda, or a closure value); the
// result is the task handle, an integer. A cu-limit of 0 means the
// default.
func (fc *fctx) parallelSpawn(e Extension, n *parse.Node) value {
	vs, ok := fc.args(n, 1, 3)
	if !ok {
		return bottomVal
	}
	f, fn := vs[0], fc.arg(n, 0)
	var p vreg
	switch f.t.k {
	case kBottom:
		return bottomVal
	case kFn:
		fv := f.t.fn
		if fv == nil && f.c != nil {
			fv = f.c.fn
		}
		if fv == nil {
			return fc.errorf(InternalError, fn, "unknown function value")
		}
		if k := len(fv.paramList()); k != 0 {
			return fc.errorf(ArityError, fn, "parallel-spawn runs a function of no arguments; this one takes %d", k)
		}
		p = fc.closureObject(f)
	case kAny:
		p = fc.reg(f)
		fc.at(n)
		fc.failIf(cEq, reg(p), imm(0), "parallel-spawn: nil is not a function")
		tg := fc.load(1, reg(p), 0)
		fc.failIf(cNe, reg(tg), imm(tagFn), "parallel-spawn: the value is not a function")
		ar := fc.load(4, reg(p), 4)
		fc.failIf(cNe, reg(ar), imm(0), "parallel-spawn runs a function of no arguments")
	default:
		return fc.errorf(TypeError, fn, "parallel-spawn takes a function, (lambda () …), got %s", f.t)
	}
	var limit, heap opnd
	for i := 1; i < len(vs); i++ {
		rs, ok := fc.extArg(e, ArgInt, i, vs[i], n)
		if !ok {
			return bottomVal
		}
		if i == 1 {
			limit = rs[0]
		} else {
			heap = rs[0]
		}
	}
	fc.at(n)
	if len(vs) < 2 || (limit.isImm && limit.imm == 0) {
		rem := fc.syscall("sol_remaining_compute_units")
		limit = reg(fc.alu(aluDiv, reg(rem), imm(laneCUShare)))
	} else if !limit.isImm {
		// 0 asks for the default
		lr := fc.newReg()
		fc.mov(lr, limit)
		set := fc.newLabel()
		fc.br(cNe, reg(lr), imm(0), set)
		rem := fc.syscall("sol_remaining_compute_units")
		fc.aluTo(lr, aluDiv, reg(rem), imm(laneCUShare))
		fc.label(set)
		limit = reg(lr)
	}
	// carve the child's heap region
	fc.c.heapUsed = true
	h := fc.heapBase()
	bump := fc.load(8, reg(h), hdrBump)
	end := fc.load(8, reg(h), hdrEnd)
	free := fc.alu(aluSub, reg(end), reg(bump))
	var size vreg
	if len(vs) == 3 {
		size = fc.alu(aluAdd, heap, imm(7))
		fc.aluTo(size, aluAnd, reg(size), imm(-8))
		fc.failIf(cGt, reg(size), reg(free), fmt.Sprintf("heap exhausted: the program's %d-byte heap has less free than the task's heap", fc.c.opts.HeapSize))
	} else {
		size = fc.alu(aluDiv, reg(free), imm(laneHeapShare))
		fc.aluTo(size, aluAnd, reg(size), imm(-8))
	}
	rend := fc.alu(aluAdd, reg(bump), reg(size))
	fc.store(8, reg(h), hdrBump, reg(rend))
	arg := fc.frameBuf(laneArgSize)
	fc.store(8, reg(arg), laneClosure, reg(p))
	fc.store(8, reg(arg), laneHeapStart, reg(bump))
	fc.store(8, reg(arg), laneHeapEnd, reg(rend))
	fc.store(8, reg(arg), laneError, imm(0))
	fc.store(8, reg(arg), laneBump, imm(0))
	pc := fc.fnPC(fc.c.runtimeInstance("%lane-entry", []typ{tRaw}, false))
	return regVal(tUint, fc.syscall(extnames.ParallelSpawn, reg(pc), reg(arg), imm(laneArgSize), limit))
}

// parallelJoin compiles (parallel-join task): the value the task's
// function returned, valid in the parent (the child's heap region has
// merged into the parent's heap). An error the function raised is raised
// here.
func (fc *fctx) parallelJoin(e Extension, n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	rs, ok := fc.extArg(e, ArgInt, 0, vs[0], n)
	if !ok {
		return bottomVal
	}
	fc.at(n)
	out := fc.frameBuf(laneArgSize)
	fc.store(8, reg(out), laneHeapEnd, imm(0))
	fc.store(8, reg(out), laneError, imm(0))
	r := fc.syscall(extnames.ParallelJoin, rs[0], reg(out), imm(laneArgSize))
	// Give the region's unused tail back when nothing was allocated
	// above it since the spawn.
	fc.c.heapUsed = true
	h := fc.heapBase()
	bump := fc.load(8, reg(h), hdrBump)
	rend := fc.load(8, reg(out), laneHeapEnd)
	keep := fc.newLabel()
	fc.br(cNe, reg(bump), reg(rend), keep)
	fc.store(8, reg(h), hdrBump, reg(fc.load(8, reg(out), laneBump)))
	fc.label(keep)
	ev := fc.load(8, reg(out), laneError)
	fail := fc.newLabel()
	fc.outOfLine(func() {
		fc.label(fail)
		fc.raiseHere(ev)
	})
	fc.br(cNe, reg(ev), imm(0), fail)
	return regVal(tAny, r)
}
