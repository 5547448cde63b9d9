package ovsm

import (
	"fmt"
	"sync"

	"github.com/agora-vm/agora/ovsm/parse"
)

// builtin compiles a call of a built-in function.
type builtin func(fc *fctx, n *parse.Node) value

// builtins is the table of built-in functions, built once per process.
// The compiler reads it through compiler.builtins: were expr to read this
// variable, its initialisation would depend on itself (a built-in compiles
// its arguments with expr).
var builtins = sync.OnceValue(func() map[string]builtin {
	t := map[string]builtin{}
	add := func(b builtin, names ...string) {
		for _, name := range names {
			t[name] = b
		}
	}
	// numbers
	add((*fctx).arithForm, "+", "-", "*", "/", "%", "mod", "rem", "quot")
	add((*fctx).boolValue, "<", ">", "<=", ">=", "=", "==", "!=", "not=", "null?", "nil?", "some?", "eq?", "equal?", "%slt")
	add((*fctx).bitForm, "bit-and", "bit-or", "bit-xor", "bit-not", "shl", "shr", "<<", ">>", "logand", "logior", "logxor")
	add((*fctx).minMax, "min", "max")
	add((*fctx).bAbs, "abs")
	add((*fctx).bIncDec, "inc", "dec")
	add((*fctx).bNumPred, "zero?", "pos?", "neg?", "positive?", "negative?", "even?", "odd?")
	add((*fctx).bToInt, "int", "i64")
	add((*fctx).bToUint, "u64", "uint")
	add((*fctx).bToDec, "decimal")
	add((*fctx).bTypePred, "int?", "u64?", "integer?", "number?", "decimal?", "string?", "bytes?", "keyword?",
		"vector?", "list?", "map?", "bool?", "boolean?", "fn?", "function?", "error?", "account?")

	// collections
	add((*fctx).bVector, "vector", "list", "vec")
	add((*fctx).bHashMap, "hash-map", "object")
	add((*fctx).bGet, "get", ".")
	add((*fctx).bNth, "nth")
	add((*fctx).bFirstLast, "first", "last")
	add((*fctx).bLength, "length", "count", "len", "size")
	add((*fctx).bEmpty, "empty?")
	add((*fctx).bPush, "push!", "append!", "conj!")
	add((*fctx).bSetNth, "set-nth!")
	add((*fctx).bAssoc, "assoc!", "put!", "assoc")
	add((*fctx).bContains, "contains?", "has-key?")
	add((*fctx).bKeysValues, "keys", "values")
	add((*fctx).bHigher, "find", "map", "filter", "reduce", "some", "any?", "every?")
	add((*fctx).bRange, "range")

	// errors, strings and bytes
	add((*fctx).bStr, "str", "to-string", "format")
	add((*fctx).bConcat, "concat")
	add((*fctx).bEncode, "encode")
	add((*fctx).bDecode, "decode")
	add((*fctx).bErrorPart, "error-message", "error-data")
	add((*fctx).bHash, "sha256", "keccak256", "blake3")

	// accounts
	add((*fctx).bBalance, "get-balance", "lamports")
	add((*fctx).bSetBalance, "set-balance!")
	add((*fctx).bKey, "key", "pubkey", "account-key", "owner", "account-owner")
	add((*fctx).bFlag, "signer?", "is-signer", "writable?", "is-writable", "executable?")
	add((*fctx).bDataLen, "data-len")
	add((*fctx).bData, "data", "account-data")
	add((*fctx).bNumAccounts, "num-accounts")
	add((*fctx).bProgramID, "program-id")
	add((*fctx).bKeyEq, "key=", "owned-by?")
	for _, w := range []uint8{1, 2, 4, 8} {
		for _, signed := range []bool{false, true} {
			p := "u"
			if signed {
				p = "i"
			}
			t[fmt.Sprintf("read-%s%d", p, w*8)] = func(fc *fctx, n *parse.Node) value { return fc.bRead(n, w, signed) }
			t[fmt.Sprintf("write-%s%d!", p, w*8)] = func(fc *fctx, n *parse.Node) value { return fc.bWrite(n, w, signed) }
		}
	}

	// logging and other syscalls
	add((*fctx).bLog, "log", "print", "println", "msg!")
	add((*fctx).bLog64, "log-64")
	add((*fctx).bLogCU, "log-compute-units")
	add((*fctx).bLogPubkey, "log-pubkey")
	add((*fctx).bRemainingCU, "remaining-compute-units")
	add((*fctx).bSetReturnData, "set-return-data!")
	add((*fctx).bGetReturnData, "get-return-data")

	// primitives of the runtime library
	add((*fctx).pHeap, "%heap")
	add((*fctx).pRaw, "%raw")
	add((*fctx).pAlloc, "%alloc")
	add((*fctx).pFail, "%fail")
	add((*fctx).pRaise, "%raise")
	add((*fctx).pSyscall, "%syscall")
	add((*fctx).pFileName, "%file-name")
	add((*fctx).pBoolObj, "%true", "%false")
	add((*fctx).pFrame, "%frame")
	add((*fctx).pBits, "%shl", "%shr", "%band")
	add((*fctx).pTableOffset, "%table-offset")
	add((*fctx).pCallClosure, "%call-closure")
	for _, w := range []uint8{1, 2, 4, 8} {
		t[fmt.Sprintf("%%ld%d", w*8)] = func(fc *fctx, n *parse.Node) value { return fc.pLoad(n, w) }
		t[fmt.Sprintf("%%st%d", w*8)] = func(fc *fctx, n *parse.Node) value { return fc.pStore(n, w) }
	}
	return t
})

// args evaluates the arguments of n, checking their number.
func (fc *fctx) args(n *parse.Node, lo, hi int) ([]value, bool) {
	k := len(n.Items) - 1
	if k < lo || (hi >= 0 && k > hi) {
		switch {
		case lo == hi:
			fc.errorf(ArityError, n, "%s takes %d argument%s, got %d", n.Head(), lo, plural(lo), k)
		case hi < 0:
			fc.errorf(ArityError, n, "%s takes at least %d argument%s, got %d", n.Head(), lo, plural(lo), k)
		default:
			fc.errorf(ArityError, n, "%s takes %d to %d arguments, got %d", n.Head(), lo, hi, k)
		}
		return nil, false
	}
	vs := make([]value, k)
	for i, a := range n.Items[1:] {
		vs[i] = fc.expr(a)
		if vs[i].t.k == kBottom {
			return nil, false
		}
	}
	fc.at(n)
	return vs, true
}

func (fc *fctx) arg(n *parse.Node, i int) *parse.Node { return n.Items[i+1] }
