package ovsm

import "github.com/agora-vm/agora/ovsm/parse"

// The primitives of the runtime library: built-ins named %..., which only
// the runtime library may call.

func (fc *fctx) pHeap(n *parse.Node) value { return regVal(tRaw, fc.heapBase()) }

func (fc *fctx) pTableOffset(n *parse.Node) value {
	fc.c.walkUsed = true
	return constInt(tRaw, int64(hdrGlobals+8*fc.c.nslots))
}

func (fc *fctx) pRaw(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.c != nil && (v.t.k == kStr || v.t.k == kKw || v.t.k == kBytes) {
		return regVal(tRaw, fc.reg(v))
	}
	v.t = tRaw
	return v
}

func (fc *fctx) pAlloc(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	return regVal(tRaw, fc.alloc(fc.opnd(vs[0])))
}

func (fc *fctx) pFail(n *parse.Node) value {
	if len(n.Items) != 2 || n.Items[1].Kind != parse.String {
		return fc.errorf(FormError, n, "%%fail takes a message string")
	}
	off := fc.c.ro.errObj(n.Items[1].Text, srcPos{})
	fc.raise(reg(fc.roAddr(off)))
	return bottomVal
}

func (fc *fctx) pRaise(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	fc.raise(fc.opnd(vs[0]))
	return bottomVal
}

func (fc *fctx) pSyscall(n *parse.Node) value {
	if len(n.Items) < 2 || n.Items[1].Kind != parse.String {
		return fc.errorf(FormError, n, "%%syscall takes a name string")
	}
	var args []opnd
	for _, a := range n.Items[2:] {
		v := fc.expr(a)
		if v.t.k == kBottom {
			return bottomVal
		}
		args = append(args, fc.opnd(v))
	}
	if len(args) > 5 {
		return fc.errorf(ArityError, n, "a syscall takes at most 5 arguments")
	}
	fc.at(n)
	return regVal(tRaw, fc.syscall(n.Items[1].Text, args...))
}

func (fc *fctx) pFileName(n *parse.Node) value { return constStr(tStr, fc.c.file) }

func (fc *fctx) pBoolObj(n *parse.Node) value {
	return regVal(tRaw, fc.roAddr(fc.c.ro.boolean(n.Head() == "%true")))
}

func (fc *fctx) pFrame(n *parse.Node) value {
	if len(n.Items) != 2 || n.Items[1].Kind != parse.Int {
		return fc.errorf(FormError, n, "%%frame takes a constant size")
	}
	return regVal(tRaw, fc.frameBuf(int(n.Items[1].Uint)))
}

func (fc *fctx) pBits(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	op := map[string]aluOp{"%shl": aluLsh, "%shr": aluRsh, "%band": aluAnd}[n.Head()]
	a, b := vs[0], vs[1]
	if a.c != nil && b.c != nil {
		x, y := uint64(a.c.i), uint64(b.c.i)
		switch op {
		case aluLsh:
			return constInt(tRaw, int64(x<<(y&63)))
		case aluRsh:
			return constInt(tRaw, int64(x>>(y&63)))
		default:
			return constInt(tRaw, int64(x&y))
		}
	}
	return regVal(tRaw, fc.alu(op, fc.opnd(a), fc.opnd(b)))
}

func (fc *fctx) pLoad(n *parse.Node, size uint8) value {
	if len(n.Items) != 3 || n.Items[2].Kind != parse.Int {
		return fc.errorf(FormError, n, "%s takes an address and a constant offset", n.Head())
	}
	p := fc.expr(n.Items[1])
	if p.t.k == kBottom {
		return p
	}
	off, _ := n.Items[2].Int64()
	r := fc.load(size, fc.opnd(p), off)
	v := regVal(tRaw, r)
	if size < 8 {
		v = withRange(v, 0, int64(1)<<(8*size)-1, true)
	}
	return v
}

func (fc *fctx) pStore(n *parse.Node, size uint8) value {
	if len(n.Items) != 4 || n.Items[2].Kind != parse.Int {
		return fc.errorf(FormError, n, "%s takes an address, a constant offset and a value", n.Head())
	}
	p := fc.expr(n.Items[1])
	v := fc.expr(n.Items[3])
	if p.t.k == kBottom || v.t.k == kBottom {
		return bottomVal
	}
	off, _ := n.Items[2].Int64()
	fc.store(size, fc.opnd(p), off, fc.opnd(v))
	return nilVal
}

// pCallClosure is (%call-closure f errp): it calls the closure f, which
// takes no arguments, through its generic entry, stores the error it
// returned (0 for none) at errp and returns its result.
func (fc *fctx) pCallClosure(n *parse.Node) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	f := fc.reg(vs[0])
	errp := fc.opnd(vs[1])
	target := fc.load(8, reg(f), 8)
	r, e := fc.newReg(), fc.newReg()
	fc.emit(inst{op: opCallx, a: reg(target), args: []opnd{reg(f)}, dst: r, dst2: e})
	fc.store(8, errp, 0, reg(e))
	return regVal(tRaw, r)
}
