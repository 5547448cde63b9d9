package ovsm

// IR optimisations that run after code generation: constant propagation
// of single-assignment registers, removal of error checks after calls
// that cannot fail, branch folding, unreachable- and dead-code
// elimination, and jump threading. (Constant folding and check
// elimination from value ranges happen earlier, while generating code.)

// optimizeAll optimises every function, repeating while a function is
// discovered never to return an error (which removes the checks after
// calls to it).
func optimizeAll(insts []*instance) {
	for round := 0; round < 4; round++ {
		for _, in := range insts {
			in.noErr = in.f.propag && !returnsError(in.f)
		}
		for _, in := range insts {
			optimize(in.f)
		}
		changed := false
		for _, in := range insts {
			if in.f.propag && !in.noErr && !returnsError(in.f) {
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// returnsError reports whether f may return a non-zero error in r1.
func returnsError(f *function) bool {
	for _, list := range [][]inst{f.insts, f.cold} {
		for i := range list {
			in := &list[i]
			if in.op == opRet && in.b.ok() && !(in.b.isImm && in.b.imm == 0) {
				return true
			}
		}
	}
	return false
}

func optimize(f *function) {
	code := append(append([]inst(nil), f.insts...), f.cold...)
	hot := len(f.insts)
	// calls to functions that never fail: their error register is 0
	var out []inst
	for i := range code {
		in := code[i]
		out = append(out, in)
		if in.op == opCall && in.fn != nil && in.fn.noErr && in.dst2 >= 0 {
			e := in.dst2
			out[len(out)-1].dst2 = noReg
			out = append(out, inst{op: opMov, dst: e, a: imm(0), dst2: noReg, pos: in.pos, depth: in.depth})
			if i < hot {
				hot++
			}
		}
	}
	code = out
	for pass := 0; pass < 4; pass++ {
		code = propagateConstants(code, f.nregs)
		code = foldBranches(code)
		code = threadJumps(code)
		code = removeUnreachable(code)
		code = removeDead(code, f.nregs)
	}
	f.insts, f.cold = code, nil
}

// propagateConstants replaces uses of registers assigned exactly once,
// with an immediate, by that immediate where an immediate may stand.
func propagateConstants(code []inst, n int) []inst {
	defs := make([]int, n)
	val := make([]int64, n)
	var tmp []vreg
	for i := range code {
		tmp = code[i].defs(tmp[:0])
		for _, d := range tmp {
			defs[d]++
			if code[i].op == opMov && code[i].a.isImm {
				val[d] = code[i].a.imm
			} else {
				defs[d] += 2 // not a constant definition
			}
		}
	}
	isConst := func(o opnd) (int64, bool) {
		if o.isImm || o.r < 0 || defs[o.r] != 1 {
			return 0, false
		}
		return val[o.r], true
	}
	for i := range code {
		in := &code[i]
		switch in.op {
		case opMov:
			if v, ok := isConst(in.a); ok {
				in.a = imm(v)
			}
		case opALU:
			if v, ok := isConst(in.b); ok && fitsImm32(v) {
				in.b = imm(v)
			}
		case opStore:
			if v, ok := isConst(in.b); ok && fitsImm32(v) {
				in.b = imm(v)
			}
		case opBr:
			if v, ok := isConst(in.b); ok && fitsImm32(v) {
				in.b = imm(v)
			}
			if v, ok := isConst(in.a); ok && in.b.isImm {
				in.a = imm(v)
			}
		case opCall, opSyscall, opCallx:
			for j, a := range in.args {
				if v, ok := isConst(a); ok {
					in.args[j] = imm(v)
				}
			}
		case opRet:
			if v, ok := isConst(in.a); ok {
				in.a = imm(v)
			}
			if v, ok := isConst(in.b); ok {
				in.b = imm(v)
			}
		}
	}
	return code
}

// foldBranches turns branches on two constants into jumps or nothing.
func foldBranches(code []inst) []inst {
	out := code[:0]
	for _, in := range code {
		if in.op == opBr && in.a.isImm && in.b.isImm {
			if in.cond.eval(in.a.imm, in.b.imm) {
				in = inst{op: opJmp, target: in.target, dst: noReg, dst2: noReg, pos: in.pos, depth: in.depth}
			} else {
				continue
			}
		}
		out = append(out, in)
	}
	return out
}

// threadJumps retargets jumps to jumps and drops jumps to the next
// instruction.
func threadJumps(code []inst) []inst {
	labelAt := map[int]int{}
	for i := range code {
		if code[i].op == opLabel {
			labelAt[code[i].target] = i
		}
	}
	// where control goes from label l: the first jump after it, if the
	// label is followed (through other labels) by an unconditional jump
	final := func(l int) int {
		for hops := 0; hops < 16; hops++ {
			i, ok := labelAt[l]
			if !ok {
				return l
			}
			j := i
			for j < len(code) && code[j].op == opLabel {
				j++
			}
			if j < len(code) && code[j].op == opJmp && code[j].target != l {
				l = code[j].target
				continue
			}
			return l
		}
		return l
	}
	for i := range code {
		if code[i].op == opJmp || code[i].op == opBr {
			code[i].target = final(code[i].target)
		}
	}
	// a jump to a return is the return itself
	for i := range code {
		if code[i].op != opJmp {
			continue
		}
		j, ok := labelAt[code[i].target]
		if !ok {
			continue
		}
		for j < len(code) && code[j].op == opLabel {
			j++
		}
		if j < len(code) && code[j].op == opRet {
			r := code[j]
			r.pos = code[i].pos
			code[i] = r
		}
	}
	out := code[:0]
	for i := range code {
		in := code[i]
		if in.op == opJmp || in.op == opBr {
			// a jump to a label that follows immediately (past labels)
			j := i + 1
			next := false
			for j < len(code) && code[j].op == opLabel {
				if code[j].target == in.target {
					next = true
				}
				j++
			}
			if next {
				continue
			}
		}
		out = append(out, in)
	}
	return out
}

// removeUnreachable drops code no path reaches, and labels nothing
// jumps to.
func removeUnreachable(code []inst) []inst {
	if len(code) == 0 {
		return code
	}
	blocks := buildCFG(code)
	seen := make([]bool, len(blocks))
	stack := []int{0}
	seen[0] = true
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range blocks[b].succ {
			if !seen[s] {
				seen[s] = true
				stack = append(stack, s)
			}
		}
	}
	used := map[int]bool{}
	for bi, b := range blocks {
		if !seen[bi] {
			continue
		}
		for i := b.start; i < b.end; i++ {
			if code[i].op == opJmp || code[i].op == opBr {
				used[code[i].target] = true
			}
		}
	}
	var out []inst
	for bi, b := range blocks {
		if !seen[bi] {
			continue
		}
		for i := b.start; i < b.end; i++ {
			if code[i].op == opLabel && !used[code[i].target] {
				continue
			}
			out = append(out, code[i])
		}
	}
	return out
}

// removeDead deletes pure instructions whose results are never used.
func removeDead(code []inst, n int) []inst {
	if len(code) == 0 {
		return code
	}
	blocks := buildCFG(code)
	liveness(code, blocks, n)
	keep := make([]bool, len(code))
	live := newBitset(n)
	var tmp []vreg
	for bi := range blocks {
		b := &blocks[bi]
		live.copyFrom(b.out)
		for i := b.end - 1; i >= b.start; i-- {
			in := &code[i]
			tmp = in.defs(tmp[:0])
			needed := !in.pure()
			for _, d := range tmp {
				if live.has(d) {
					needed = true
				}
			}
			if in.op == opMov && !in.a.isImm && in.a.r == in.dst {
				needed = false
			}
			keep[i] = needed
			if !needed {
				continue
			}
			for _, d := range tmp {
				live.clear(d)
			}
			tmp = in.uses(tmp[:0])
			for _, u := range tmp {
				live.set(u)
			}
		}
	}
	out := code[:0]
	for i := range code {
		if keep[i] {
			out = append(out, code[i])
		}
	}
	return out
}
