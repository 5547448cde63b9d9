package ovsm

import "github.com/agora-vm/agora/ovsm/parse"

// Built-in functions that log or call other syscalls.

func (fc *fctx) bLog64(n *parse.Node) value {
	vs, ok := fc.args(n, 0, 5)
	if !ok {
		return bottomVal
	}
	args := make([]opnd, 5)
	for i := range args {
		args[i] = imm(0)
	}
	for i, v := range vs {
		if !v.t.isInt() && v.t.k != kBool && v.t.k != kDec {
			v = fc.convert(v, tRaw, fc.arg(n, i))
		}
		args[i] = fc.opnd(v)
	}
	fc.syscall("sol_log_64_", args...)
	return nilVal
}

func (fc *fctx) bLogCU(n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	fc.syscall("sol_log_compute_units_")
	return nilVal
}

func (fc *fctx) bLogPubkey(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	var p opnd
	switch v.t.k {
	case kAccount:
		p = reg(fc.alu(aluAdd, fc.opnd(v), imm(accKey)))
	default:
		if v.t.k == kAny {
			v = fc.convert(v, tBytes, fc.arg(n, 0))
		}
		if v.t.k != kBytes {
			return fc.errorf(TypeError, fc.arg(n, 0), "log-pubkey needs an account or 32 bytes, got %s", v.t)
		}
		ln := fc.load(4, fc.opnd(v), 4)
		fc.failIf(cNe, reg(ln), imm(32), "log-pubkey needs 32 bytes")
		p = reg(fc.alu(aluAdd, fc.opnd(v), imm(8)))
	}
	fc.syscall("sol_log_pubkey", p)
	return nilVal
}

func (fc *fctx) bRemainingCU(n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	return regVal(tUint, fc.syscall("sol_remaining_compute_units"))
}

func (fc *fctx) bSetReturnData(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny {
		v = fc.bytesLike(v, fc.arg(n, 0))
	}
	p, l, ok := fc.bytesView(v, fc.arg(n, 0))
	if !ok {
		return fc.errorf(TypeError, fc.arg(n, 0), "set-return-data! needs bytes or a string, got %s", v.t)
	}
	fc.syscall("sol_set_return_data", p, l)
	return nilVal
}

func (fc *fctx) bGetReturnData(n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	out := fc.alloc(imm(8 + 1024))
	pid := fc.frameBuf(32)
	dst := fc.alu(aluAdd, reg(out), imm(8))
	ln := fc.syscall("sol_get_return_data", reg(dst), imm(1024), reg(pid))
	m := fc.newReg()
	ok := fc.newLabel()
	fc.mov(m, reg(ln))
	fc.br(cLe, reg(m), imm(1024), ok)
	fc.mov(m, imm(1024))
	fc.label(ok)
	hdr := fc.alu(aluLsh, reg(m), imm(32))
	fc.aluTo(hdr, aluOr, reg(hdr), imm(tagBytes))
	fc.store(8, reg(out), 0, reg(hdr))
	return regVal(tBytes, out)
}
