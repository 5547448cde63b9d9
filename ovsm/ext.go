package ovsm

import (
	"fmt"
	"sort"

	"github.com/agora-vm/agora/ovsm/parse"
	"github.com/agora-vm/agora/sbpf/extnames"
)

// The syscall table: every OVSM function that is a syscall of the
// runtime, standard or extension, is one Extension entry. Adding an
// extension to the language is adding an entry (here, or at run time
// through Options.Extensions): its OVSM name, the syscall's name, how
// each argument becomes registers and how r0 becomes the result.

// ArgShape says how one OVSM argument is passed to a syscall.
type ArgShape uint8

// Argument shapes.
const (
	// ArgInt passes an integer or boolean in one register.
	ArgInt ArgShape = iota + 1
	// ArgBytes passes a string or byte array as its address and length
	// (two registers).
	ArgBytes
	// ArgPtr passes the address of a string's or byte array's bytes (one
	// register); the syscall knows the length.
	ArgPtr
	// ArgKey passes the address of a 32-byte key: an account's key, or a
	// 32-byte array (checked).
	ArgKey
	// ArgValue passes any value in the data encoding (docs/ovsm.md): the
	// address and length of its encoding (two registers). Map literals
	// for extension syscalls go this way.
	ArgValue
	// ArgRing passes a ring buffer: the data of an account, or a ring
	// made by ring-buffer-create (one register, its address).
	ArgRing
	// ArgFn passes a function: the address of its generic entry and of
	// its closure object (two registers).
	ArgFn
	// ArgSlices passes this and every further argument (strings or byte
	// arrays) as an array of (address, length) pairs: its address and
	// the count (two registers). It must be the last shape.
	ArgSlices
	// ArgScalar passes the address of a 32-byte little-endian scalar: an
	// integer (widened in the stack frame) or 32 bytes.
	ArgScalar
)

func (a ArgShape) regs() int {
	switch a {
	case ArgBytes, ArgValue, ArgFn, ArgSlices:
		return 2
	}
	return 1
}

var argShapeNames = map[ArgShape]string{ArgInt: "int", ArgBytes: "bytes", ArgPtr: "ptr", ArgKey: "key",
	ArgValue: "value", ArgRing: "ring", ArgFn: "fn", ArgSlices: "slices", ArgScalar: "scalar"}

// String returns the shape's name as docs/ovsm.md writes it.
func (a ArgShape) String() string {
	if s, ok := argShapeNames[a]; ok {
		return s
	}
	return fmt.Sprintf("ArgShape(%d)", uint8(a))
}

// ResultShape says what a syscall's r0 becomes.
type ResultShape uint8

// Result shapes.
const (
	// ResultInt is r0 as a u64.
	ResultInt ResultShape = iota + 1
	// ResultBool is r0 != 0.
	ResultBool
	// ResultOK is r0 == 0, as a boolean (verification syscalls).
	ResultOK
	// ResultStatus is nil; a non-zero r0 raises "<name> failed".
	ResultStatus
	// ResultNil ignores r0.
	ResultNil
	// ResultValue: an output buffer of OutCap bytes is passed after the
	// arguments (address, capacity); r0 is the length of the encoded
	// value written there, decoded as the result, or u64 max for nil.
	ResultValue
	// ResultBytes: an output buffer of OutCap bytes is passed after the
	// arguments (its address); the result is those bytes when r0 is 0,
	// and a non-zero r0 raises.
	ResultBytes
)

var resultShapeNames = map[ResultShape]string{ResultInt: "u64", ResultBool: "bool", ResultOK: "ok?",
	ResultStatus: "status", ResultNil: "nil", ResultValue: "value", ResultBytes: "bytes"}

// String returns the shape's name as docs/ovsm.md writes it.
func (r ResultShape) String() string {
	if s, ok := resultShapeNames[r]; ok {
		return s
	}
	return fmt.Sprintf("ResultShape(%d)", uint8(r))
}

// Extension is one entry of the syscall table.
type Extension struct {
	// Name is the OVSM function, e.g. "tx-begin".
	Name string
	// Syscall is the syscall it calls, e.g. "agora_tx_begin".
	Syscall string
	// Args are the shapes of the arguments, in order.
	Args []ArgShape
	// Optional is how many trailing arguments may be left out; they are
	// passed as zeros.
	Optional int
	// Sizes, when set, gives per argument the exact byte length a ptr,
	// bytes or key argument must have (0: any), checked at run time.
	Sizes []int
	// Leading are constants passed in the first registers, before the
	// arguments (a selector such as a curve or a suite).
	Leading []uint64
	// Result is what r0 becomes.
	Result ResultShape
	// OutCap is the output buffer size for ResultValue and ResultBytes.
	OutCap int
	// Issue is the issue of this repository that lands the syscall (0
	// for the standard Solana syscalls).
	Issue int
	// Provisional marks entries whose register layout is the compiler's
	// proposal, to be aligned with sdk/c/agora.h when the syscall lands.
	Provisional bool
	// Doc is a one-line description.
	Doc string

	special string // compiled by hand (see callExtension)
}

func (e Extension) validate() error {
	if e.Name == "" || e.Syscall == "" {
		return fmt.Errorf("ovsm: extension %q: empty name or syscall", e.Name)
	}
	n := len(e.Leading)
	if len(e.Sizes) > len(e.Args) {
		return fmt.Errorf("ovsm: extension %q: %d sizes for %d arguments", e.Name, len(e.Sizes), len(e.Args))
	}
	for i, a := range e.Args {
		if a < ArgInt || a > ArgScalar {
			return fmt.Errorf("ovsm: extension %q: unknown argument shape %d", e.Name, a)
		}
		if a == ArgSlices && i != len(e.Args)-1 {
			return fmt.Errorf("ovsm: extension %q: slices must be the last argument", e.Name)
		}
		n += a.regs()
	}
	switch e.Result {
	case ResultValue:
		n += 2
	case ResultBytes:
		n++
	case ResultInt, ResultBool, ResultOK, ResultStatus, ResultNil:
	default:
		return fmt.Errorf("ovsm: extension %q: unknown result shape %d", e.Name, e.Result)
	}
	if (e.Result == ResultValue || e.Result == ResultBytes) && (e.OutCap <= 0 || e.OutCap > 16384) {
		return fmt.Errorf("ovsm: extension %q: output capacity %d (1 to 16384)", e.Name, e.OutCap)
	}
	if n > 5 && e.special == "" {
		return fmt.Errorf("ovsm: extension %q needs %d registers; a syscall has 5", e.Name, n)
	}
	if e.Optional < 0 || e.Optional > len(e.Args) {
		return fmt.Errorf("ovsm: extension %q: %d optional arguments of %d", e.Name, e.Optional, len(e.Args))
	}
	return nil
}

func sh(a ...ArgShape) []ArgShape { return a }

// builtinExtensions is the table shipped with the compiler.
var builtinExtensions = []Extension{
	// standard Solana syscalls that need the runtime
	{Name: "sol-get-slot", Syscall: "sol_get_clock_sysvar", Result: ResultInt, Issue: 4, special: "slot",
		Doc: "the current slot, from the Clock sysvar"},
	{Name: "secp256k1-recover", Syscall: "sol_secp256k1_recover", Args: sh(ArgPtr, ArgInt, ArgPtr), Result: ResultBytes, OutCap: 64,
		Doc: "(secp256k1-recover hash32 recovery-id signature64): the 64-byte public key"},

	// transactional memory (ext/txmem)
	{Name: "tx-begin", Syscall: extnames.TxBegin, Result: ResultInt, Issue: 5, Doc: "open a memory transaction"},
	{Name: "tx-commit", Syscall: extnames.TxCommit, Result: ResultInt, Issue: 5, Doc: "commit the open transaction"},
	{Name: "tx-abort", Syscall: extnames.TxAbort, Result: ResultInt, Issue: 5, Doc: "restore every byte written since tx-begin"},
	{Name: "tx-test", Syscall: extnames.TxTest, Result: ResultBool, Issue: 5, Doc: "whether a transaction is open"},
	// ring buffers (ext/ring)
	{Name: "ring-buffer-create", Syscall: extnames.RingCreate, Args: sh(ArgInt, ArgInt), Optional: 1, Result: ResultStatus, Issue: 5,
		special: "ring-create",
		Doc:     "(ring-buffer-create capacity [max-message]): a ring on the heap (messages up to 128 bytes by default), as a byte array"},
	{Name: "ring-buffer-format", Syscall: extnames.RingCreate, Args: sh(ArgRing, ArgInt, ArgInt), Result: ResultStatus, Issue: 5,
		special: "ring-format", Doc: "(ring-buffer-format account capacity max-message): format an account's data as a ring"},
	{Name: "ring-buffer-push", Syscall: extnames.RingPush, Args: sh(ArgRing, ArgValue), Result: ResultOK, Issue: 5,
		Doc: "(ring-buffer-push ring value): push the value's encoding; false when the ring is full"},
	{Name: "ring-buffer-push-bytes", Syscall: extnames.RingPush, Args: sh(ArgRing, ArgBytes), Result: ResultOK, Issue: 5,
		Doc: "(ring-buffer-push-bytes ring bytes): push raw bytes"},
	{Name: "ring-buffer-pop", Syscall: extnames.RingPop, Args: sh(ArgRing, ArgInt), Optional: 1, Result: ResultValue, OutCap: 1024, Issue: 5,
		Doc: "(ring-buffer-pop ring [consumer]): the next message, decoded, or nil"},
	{Name: "ring-buffer-peek", Syscall: extnames.RingPeek, Args: sh(ArgRing, ArgInt), Optional: 1, Result: ResultValue, OutCap: 1024, Issue: 5,
		Doc: "(ring-buffer-peek ring [consumer]): as pop, without advancing"},
	{Name: "ring-buffer-size", Syscall: extnames.RingSize, Args: sh(ArgRing, ArgInt), Optional: 1, Result: ResultInt, Issue: 5,
		Doc: "(ring-buffer-size ring [consumer]): messages pending"},

	// cryptography (ext/crypto, ext/zk), as sdk/c/agora.h declares it
	{Name: "bls-verify", Syscall: extnames.BLSVerify, Args: sh(ArgPtr, ArgPtr, ArgBytes), Sizes: []int{48, 96}, Result: ResultOK, Issue: 6,
		Doc: "(bls-verify pubkey48 signature96 message): BLS12-381, min-pubkey, proof-of-possession ciphersuite"},
	{Name: "bls-aggregate", Syscall: extnames.BLSAggregate, Leading: []uint64{0}, Args: sh(ArgBytes), Result: ResultBytes, OutCap: 96, Issue: 6,
		Doc: "(bls-aggregate signatures): the sum of n concatenated 96-byte signatures"},
	{Name: "bls-aggregate-pubkeys", Syscall: extnames.BLSAggregate, Leading: []uint64{1}, Args: sh(ArgBytes), Result: ResultBytes, OutCap: 48, Issue: 6,
		Doc: "(bls-aggregate-pubkeys keys): the sum of n concatenated 48-byte public keys"},
	{Name: "bls-fast-aggregate-verify", Syscall: extnames.BLSFastAggregateVerify, Args: sh(ArgBytes, ArgPtr, ArgBytes), Sizes: []int{0, 96}, Result: ResultOK, Issue: 6,
		Doc: "(bls-fast-aggregate-verify concatenated-pubkeys signature message): one message signed by every key"},
	{Name: "groth16-verify", Syscall: extnames.Groth16Verify, Args: sh(ArgBytes, ArgBytes, ArgBytes, ArgInt), Optional: 1, Result: ResultOK, Issue: 6,
		special: "zk", Doc: "(groth16-verify proof public-inputs verification-key [curve]): gnark encodings; curve 0 BN254 (default), 1 BLS12-381"},
	{Name: "plonk-verify", Syscall: extnames.PlonkVerify, Args: sh(ArgBytes, ArgBytes, ArgBytes, ArgInt), Optional: 1, Result: ResultOK, Issue: 6,
		special: "zk", Doc: "(plonk-verify proof public-inputs verification-key [curve]): gnark's PLONK (KZG)"},
	{Name: "pedersen-commit", Syscall: extnames.PedersenCommit, Args: sh(ArgScalar, ArgScalar), Result: ResultBytes, OutCap: 32, Issue: 6,
		Doc: "(pedersen-commit amount opening): the 32-byte ristretto255 commitment (amounts are integers or 32-byte scalars)"},
	{Name: "pedersen-verify", Syscall: extnames.PedersenVerify, Args: sh(ArgPtr, ArgScalar, ArgScalar), Sizes: []int{32}, Result: ResultOK, Issue: 6,
		Doc: "(pedersen-verify commitment amount opening)"},
	{Name: "vrf-verify", Syscall: extnames.VRFVerify, Leading: []uint64{0x03}, Args: sh(ArgPtr, ArgBytes), Sizes: []int{112}, Result: ResultBytes, OutCap: 64, Issue: 6,
		Doc: "(vrf-verify key-and-proof alpha): ECVRF-EDWARDS25519-SHA512-TAI; key (32) then proof (80); the 64-byte output, raising when invalid"},
	{Name: "vrf-verify-ristretto", Syscall: extnames.VRFVerify, Leading: []uint64{0xff}, Args: sh(ArgPtr, ArgBytes), Sizes: []int{112}, Result: ResultBytes, OutCap: 64, Issue: 6,
		Doc: "(vrf-verify-ristretto key-and-proof alpha): the ristretto255 suite"},

	// program addresses, as sol_try_find_program_address computes them
	{Name: "find-program-address", Syscall: "sol_try_find_program_address", Args: sh(ArgPtr, ArgSlices), Sizes: []int{32},
		Result: ResultBytes, OutCap: 33, special: "pda",
		Doc: "(find-program-address program-id seed…): the program address (32 bytes) then its bump (1 byte), raising when none exists"},

	// economic primitives, the ABI of sdk/c/agora.h (ext/econ):
	// (econ-X positions args [signers]): positions are the operation's
	// accounts as one byte each (indexes into the instruction's
	// accounts), args its fixed binary layout (AgoraAuctionCreate, ...;
	// empty for settle, release and refund), signers the address of an
	// AgoraEconSigners or 0. The result is r0: 0, or the AGORA_ECON_*
	// code (nothing changed); results are the return data.
	econExt("auction-create", extnames.AuctionCreate, "AgoraAuctionCreate (160 bytes); accounts creator, auction"),
	econExt("auction-bid", extnames.AuctionBid, "AgoraAuctionBid (56 bytes); accounts auction, bidder; return data {index, locked}"),
	econExt("auction-reveal", extnames.AuctionReveal, "AgoraAuctionReveal (40 bytes); accounts auction, bidder"),
	econExt("auction-settle", extnames.AuctionSettle, "no args; accounts auction, beneficiary, every bidder; return data {proceeds, winners, welfare}"),
	econExt("escrow-create", extnames.EscrowCreate, "AgoraEscrowCreate (352 bytes); accounts A, escrow, B"),
	econExt("escrow-release", extnames.EscrowRelease, "no args; accounts escrow, A, B, [oracle], approvers"),
	econExt("escrow-refund", extnames.EscrowRefund, "no args; accounts escrow, A, B"),
	econExt("reputation-update", extnames.ReputationUpdate, "AgoraReputationUpdate (48 bytes); accounts registry, rater, score"),
	econExt("reputation-query", extnames.ReputationQuery, "AgoraReputationQuery (40 bytes); accounts registry, score"),
	econExt("stake-lock", extnames.StakeLock, "AgoraStakeLock (96 bytes); accounts staker, stake"),
	econExt("stake-slash", extnames.StakeSlash, "AgoraStakeSlash (40 bytes); accounts stake, authority, destination"),
	econExt("stake-release", extnames.StakeRelease, "AgoraStakeRelease (8 bytes); accounts stake, staker"),

	// parallel lanes (ext/lanes): compiled by hand in lanes.go
	{Name: "parallel-spawn", Syscall: extnames.ParallelSpawn, Args: sh(ArgFn, ArgInt), Optional: 1, Result: ResultInt,
		special: "lanes-spawn",
		Doc:     "(parallel-spawn (lambda () …) [cu-limit]): run the function in a child lane; the task handle"},
	{Name: "parallel-join", Syscall: extnames.ParallelJoin, Args: sh(ArgInt), Result: ResultValue, OutCap: laneArgSize,
		special: "lanes-join", Doc: "(parallel-join task): the value the task's function returned (its error is raised here)"},
	{Name: "parallel-fence", Syscall: extnames.ParallelFence, Result: ResultNil,
		Doc: "(parallel-fence): wait for every task spawned so far and merge their memory"},

	// hardware offload (ext/offload): compiled to runtime-library
	// functions that build the request layouts of docs/offload.md
	{Name: "hw-offload-query", Syscall: extnames.HWOffloadQuery, Result: ResultValue, OutCap: 960, special: "%hw-query",
		Doc: "(hw-offload-query): a vector of accelerator maps {\"type\" \"kind\" \"id\" \"ops\" \"max-dims\"}, empty when none"},
	{Name: "hw-offload-submit", Syscall: extnames.HWOffloadSubmit, Args: sh(ArgValue, ArgValue), Result: ResultValue, OutCap: 1, special: "%hw-submit",
		Doc: "(hw-offload-submit accelerator {:operation :input-a :input-b :dimensions [:shift :dtype]}): the task, a map"},
	{Name: "hw-offload-poll", Syscall: extnames.HWOffloadPoll, Args: sh(ArgValue), Result: ResultValue, OutCap: 1, special: "%hw-poll",
		Doc: "(hw-offload-poll task): wait for the task; {\"status\" \"done\" \"result\" [...] \"latency\" CU} or {\"status\" \"cancelled\"}"},
	{Name: "hw-offload-try-poll", Syscall: extnames.HWOffloadPoll, Args: sh(ArgValue), Result: ResultValue, OutCap: 1, special: "%hw-try-poll",
		Doc: "(hw-offload-try-poll task): as hw-offload-poll, but nil while the task is pending"},
	{Name: "hw-offload-cancel", Syscall: extnames.HWOffloadCancel, Args: sh(ArgValue), Result: ResultNil, special: "%hw-cancel",
		Doc: "(hw-offload-cancel task): cancel it (part of a pending task's CU is returned); cancelling twice raises"},
}

// econExt is the entry of one economics syscall: (econ-<op> positions
// args [signers]) → the syscall's r0.
func econExt(op, syscall, doc string) Extension {
	return Extension{Name: "econ-" + op, Syscall: syscall, Args: sh(ArgBytes, ArgBytes, ArgInt), Optional: 1,
		Result: ResultInt, Issue: 7, Doc: "(econ-" + op + " positions args [signers]): r0 (0 or an AGORA_ECON_* code); " + doc}
}

// Extensions returns the syscall table the compiler ships with, sorted
// by name.
func Extensions() []Extension {
	out := append([]Extension(nil), builtinExtensions...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func extensionTable(extra []Extension) map[string]Extension {
	m := map[string]Extension{}
	for _, e := range builtinExtensions {
		m[e.Name] = e
	}
	for _, e := range extra {
		e.special = ""
		m[e.Name] = e
	}
	return m
}

// callExtension compiles a call of a syscall-table entry: each argument
// into registers by its shape, an output buffer where the result shape
// needs one, the syscall, and r0 into the result. The entries marked
// special are compiled by hand.
func (fc *fctx) callExtension(e Extension, n *parse.Node) value {
	switch e.special {
	case "slot":
		return fc.solGetSlot(e, n)
	case "ring-create":
		return fc.ringCreate(e, n)
	case "ring-format":
		return fc.ringFormat(e, n)
	case "pda":
		return fc.findProgramAddress(e, n)
	case "zk":
		return fc.zkVerify(e, n)
	case "lanes-spawn":
		return fc.parallelSpawn(e, n)
	case "lanes-join":
		return fc.parallelJoin(e, n)
	case "%hw-query", "%hw-submit", "%hw-poll", "%hw-try-poll", "%hw-cancel":
		return fc.hwOffload(e, n)
	}
	lo, hi := len(e.Args)-e.Optional, len(e.Args)
	if len(e.Args) > 0 && e.Args[len(e.Args)-1] == ArgSlices {
		hi = -1
	}
	vs, ok := fc.args(n, lo, hi)
	if !ok {
		return bottomVal
	}
	var regs []opnd
	for _, c := range e.Leading {
		regs = append(regs, imm(int64(c)))
	}
	for i, shape := range e.Args {
		if shape == ArgSlices {
			arr, count, ok := fc.sliceArray(e, n, vs, i, "strings or bytes")
			if !ok {
				return bottomVal
			}
			regs = append(regs, reg(arr), imm(count))
			break
		}
		if i >= len(vs) { // a left-out optional argument: zeros
			for range shape.regs() {
				regs = append(regs, imm(0))
			}
			continue
		}
		rs, ok := fc.extArg(e, shape, i, vs[i], n)
		if !ok {
			return bottomVal
		}
		regs = append(regs, rs...)
	}
	var out vreg = noReg
	switch e.Result {
	case ResultValue:
		out = fc.alloc(imm(int64(8 + e.OutCap)))
		regs = append(regs, reg(fc.alu(aluAdd, reg(out), imm(8))), imm(int64(e.OutCap)))
	case ResultBytes:
		out = fc.bytesOut(e.OutCap)
		regs = append(regs, reg(fc.alu(aluAdd, reg(out), imm(8))))
	}
	fc.at(n)
	return fc.extResult(e, fc.syscall(e.Syscall, regs...), out)
}

// extArg passes argument i (v, of the given shape) in registers. It
// reports false after an error.
func (fc *fctx) extArg(e Extension, shape ArgShape, i int, v value, n *parse.Node) ([]opnd, bool) {
	an := fc.arg(n, i)
	fail := func(format string) ([]opnd, bool) {
		fc.errorf(TypeError, an, format, e.Name, v.t)
		return nil, false
	}
	switch shape {
	case ArgInt:
		if v.t.k == kBool {
			return []opnd{fc.opnd(v)}, true
		}
		iv := fc.convert(v, tUint, an)
		if iv.t.k == kBottom {
			return nil, false
		}
		return []opnd{fc.opnd(iv)}, true
	case ArgBytes, ArgPtr:
		p, l, ok := fc.bytesView(fc.bytesArg(v, an), an)
		if !ok {
			return fail("%s needs a string or bytes here, got %s")
		}
		fc.sizeCheck(e, i, l, an)
		if shape == ArgBytes {
			return []opnd{p, l}, true
		}
		return []opnd{p}, true
	case ArgKey:
		if v.t.k == kAccount || v.t.k == kData {
			return []opnd{reg(fc.alu(aluAdd, fc.opnd(v), imm(accKey)))}, true
		}
		p, l, ok := fc.bytesView(fc.bytesArg(v, an), an)
		if !ok {
			return fail("%s needs an account or a 32-byte key, got %s")
		}
		fc.failIf(cNe, l, imm(32), "a key has 32 bytes")
		return []opnd{p}, true
	case ArgScalar:
		if v.t.k == kBytes || v.t.k == kAny && !v.t.isInt() {
			p, l, ok := fc.bytesView(fc.bytesArg(v, an), an)
			if !ok {
				return nil, false
			}
			fc.failIf(cNe, l, imm(32), e.Name+": a scalar has 32 bytes")
			return []opnd{p}, true
		}
		iv := fc.convert(v, tUint, an)
		if iv.t.k == kBottom {
			return nil, false
		}
		buf := fc.frameBuf(32)
		fc.store(8, reg(buf), 0, fc.opnd(iv))
		for k := int64(8); k < 32; k += 8 {
			fc.store(8, reg(buf), k, imm(0))
		}
		return []opnd{reg(buf)}, true
	case ArgValue:
		b := fc.box(v, an)
		in := fc.c.runtimeInstance("%encode", []typ{tRaw}, false)
		fc.c.heapUsed = true
		enc := fc.call(in, []opnd{fc.opnd(b)})
		p, l, _ := fc.bytesView(regVal(tBytes, enc), an)
		return []opnd{p, l}, true
	case ArgRing:
		switch v.t.k {
		case kAccount, kData:
			return []opnd{reg(fc.alu(aluAdd, fc.opnd(v), imm(accData)))}, true
		case kBytes:
			return []opnd{reg(fc.alu(aluAdd, fc.opnd(v), imm(8)))}, true
		case kAny:
			b := fc.convert(v, tBytes, an)
			if b.t.k == kBottom {
				return nil, false
			}
			return []opnd{reg(fc.alu(aluAdd, fc.opnd(b), imm(8)))}, true
		}
		return fail("%s needs a ring (an account or ring-buffer-create's result), got %s")
	case ArgFn:
		if v.t.k != kFn && v.t.k != kAny {
			return fail("%s needs a function, got %s")
		}
		var obj vreg
		if v.t.k == kFn {
			obj = fc.closureObject(v)
		} else {
			obj = fc.reg(v)
			tg := fc.load(1, reg(obj), 0)
			fc.failIf(cNe, reg(tg), imm(tagFn), "expected a function")
		}
		entry := fc.load(8, reg(obj), 8)
		return []opnd{reg(entry), reg(obj)}, true
	}
	return nil, true // validate admits no other shape
}

// sizeCheck checks the length l of argument i against the entry's Sizes:
// at compile time when it is a constant, else at run time.
func (fc *fctx) sizeCheck(e Extension, i int, l opnd, an *parse.Node) {
	if i >= len(e.Sizes) || e.Sizes[i] == 0 {
		return
	}
	msg := fmt.Sprintf("%s: argument %d must be %d bytes", e.Name, i+1, e.Sizes[i])
	if l.isImm {
		if l.imm != int64(e.Sizes[i]) {
			fc.errorf(TypeError, an, "%s, not %d", msg, l.imm)
		}
		return
	}
	fc.failIf(cNe, l, imm(int64(e.Sizes[i])), msg)
}

// extResult turns the syscall's r0 (and the output buffer out, for the
// shapes with one) into the entry's result.
func (fc *fctx) extResult(e Extension, r, out vreg) value {
	switch e.Result {
	case ResultInt:
		return regVal(tUint, r)
	case ResultBool:
		return fc.zeroFlag(r, 0)
	case ResultOK:
		return fc.zeroFlag(r, 1)
	case ResultStatus:
		fc.failIf(cNe, reg(r), imm(0), e.Name+" failed")
		return nilVal
	case ResultBytes:
		fc.failIf(cNe, reg(r), imm(0), e.Name+" failed")
		return regVal(tBytes, out)
	case ResultValue:
		res := fc.newReg()
		done := fc.newLabel()
		fc.mov(res, imm(0))
		fc.br(cEq, reg(r), imm(-1), done)
		fc.failIf(cGt, reg(r), imm(int64(e.OutCap)), e.Name+" returned more than its buffer holds")
		hdr := fc.alu(aluLsh, reg(r), imm(32))
		fc.aluTo(hdr, aluOr, reg(hdr), imm(tagBytes))
		fc.store(8, reg(out), 0, reg(hdr))
		dec := fc.c.runtimeInstance("%decode-bytes", []typ{tRaw}, false)
		fc.mov(res, reg(fc.call(dec, []opnd{reg(out)})))
		fc.label(done)
		return regVal(tAny, res)
	}
	return nilVal
}

// zeroFlag is a boolean: ifZero (0 or 1) when r is 0, else the other.
func (fc *fctx) zeroFlag(r vreg, ifZero int64) value {
	b := fc.newReg()
	done := fc.newLabel()
	fc.mov(b, imm(ifZero))
	fc.br(cEq, reg(r), imm(0), done)
	fc.mov(b, imm(1-ifZero))
	fc.label(done)
	return regVal(tBool, b)
}

// bytesOut allocates a byte array of capacity bytes on the heap, for a
// syscall to write into.
func (fc *fctx) bytesOut(capacity int) vreg {
	out := fc.alloc(imm(int64(8 + capacity)))
	fc.store(8, reg(out), 0, imm(tagBytes|int64(capacity)<<32))
	return out
}

// sliceArray stores vs[first:] (strings or byte arrays; what names them
// for the error) in the frame as an array of (address, length) pairs, and
// returns it and its count.
func (fc *fctx) sliceArray(e Extension, n *parse.Node, vs []value, first int, what string) (vreg, int64, bool) {
	var rest []value
	if first < len(vs) {
		rest = vs[first:]
	}
	arr := fc.frameBuf(16 * max(len(rest), 1))
	for j, v := range rest {
		an := fc.arg(n, first+j)
		p, l, ok := fc.bytesView(fc.bytesArg(v, an), an)
		if !ok {
			fc.errorf(TypeError, an, "%s needs %s, got %s", e.Name, what, v.t)
			return noReg, 0, false
		}
		fc.store(8, reg(arr), int64(16*j), p)
		fc.store(8, reg(arr), int64(16*j+8), l)
	}
	return arr, int64(len(rest)), true
}

// solGetSlot is (sol-get-slot): the Clock sysvar's first field.
func (fc *fctx) solGetSlot(e Extension, n *parse.Node) value {
	if _, ok := fc.args(n, 0, 0); !ok {
		return bottomVal
	}
	buf := fc.frameBuf(40)
	fc.syscall(e.Syscall, reg(buf))
	return regVal(tUint, fc.load(8, reg(buf), 0))
}

// zkVerify is (groth16-verify proof inputs vk [curve]) and its PLONK
// twin: agora_X(curve, &{vk, proof, inputs}), as a boolean.
func (fc *fctx) zkVerify(e Extension, n *parse.Node) value {
	vs, ok := fc.args(n, 3, 4)
	if !ok {
		return bottomVal
	}
	args := fc.frameBuf(48)
	for j, slot := range []int{1, 2, 0} { // proof, inputs, vk → offsets 16, 32, 0
		p, l, ok := fc.bytesView(fc.bytesArg(vs[j], fc.arg(n, j)), fc.arg(n, j))
		if !ok {
			return fc.errorf(TypeError, fc.arg(n, j), "%s needs bytes, got %s", e.Name, vs[j].t)
		}
		fc.store(8, reg(args), int64(16*slot), p)
		fc.store(8, reg(args), int64(16*slot+8), l)
	}
	curve := opnd(imm(0))
	if len(vs) == 4 {
		cv := fc.convert(vs[3], tUint, fc.arg(n, 3))
		if cv.t.k == kBottom {
			return bottomVal
		}
		curve = fc.opnd(cv)
	}
	fc.at(n)
	return fc.zeroFlag(fc.syscall(e.Syscall, curve, reg(args)), 1)
}

// ringFormat is (ring-buffer-format account capacity max-message): format
// the account's data as a ring.
func (fc *fctx) ringFormat(e Extension, n *parse.Node) value {
	vs, a, ok := fc.accountArgs(n, 3, 3)
	if !ok {
		return bottomVal
	}
	capv, mm := fc.convert(vs[1], tUint, fc.arg(n, 1)), fc.convert(vs[2], tUint, fc.arg(n, 2))
	if capv.t.k == kBottom || mm.t.k == kBottom {
		return bottomVal
	}
	addr := fc.alu(aluAdd, a, imm(accData))
	ln := fc.load(8, a, accDataLen)
	r := fc.syscall(e.Syscall, reg(addr), reg(ln), fc.opnd(capv), fc.opnd(mm))
	fc.failIf(cNe, reg(r), imm(0), "ring-buffer-format failed")
	return nilVal
}

// bytesArg unboxes a kAny argument to bytes, a string or a keyword.
func (fc *fctx) bytesArg(v value, n *parse.Node) value { return fc.bytesLike(v, n) }

// ringCreate is (ring-buffer-create capacity [max-message]): reserve heap
// for a ring and format it.
func (fc *fctx) ringCreate(e Extension, n *parse.Node) value {
	vs, ok := fc.args(n, 1, 2)
	if !ok {
		return bottomVal
	}
	capv := fc.convert(vs[0], tUint, fc.arg(n, 0))
	maxMsg := constInt(tUint, 128)
	if len(vs) == 2 {
		maxMsg = fc.convert(vs[1], tUint, fc.arg(n, 1))
	}
	if capv.t.k == kBottom || maxMsg.t.k == kBottom {
		return bottomVal
	}
	// AGORA_RING_SIZE(capacity, max_msg): a 192-byte header, then per slot
	// a 16-byte slot header and the message rounded up to 8 bytes
	padded := fc.arith("+", maxMsg, constInt(tUint, 7), n, n, n)
	if padded.t.k == kBottom {
		return bottomVal
	}
	if padded.c != nil {
		padded = constInt(tUint, padded.c.i&^7)
	} else {
		padded = regVal(tUint, fc.alu(aluAnd, fc.opnd(padded), imm(-8)))
	}
	slot := fc.arith("+", padded, constInt(tUint, 16), n, n, n)
	body := fc.arith("*", capv, slot, n, n, n)
	size := fc.arith("+", body, constInt(tUint, 192), n, n, n)
	if size.t.k == kBottom {
		return bottomVal
	}
	if size.c != nil && size.c.i > int64(fc.c.opts.HeapSize) {
		fc.c.warnAt(n, "a ring of this size needs %d bytes of heap, more than the %d the program is compiled for (raise the heap size, up to %d)", size.c.i+8, fc.c.opts.HeapSize, 256*1024)
	}
	fc.failIf(cGt, fc.opnd(size), imm(int64(fc.c.opts.HeapSize)), "ring buffer larger than the heap")
	sz := fc.opnd(size)
	p := fc.alloc(reg(fc.alu(aluAdd, sz, imm(8))))
	hdr := fc.alu(aluLsh, sz, imm(32))
	fc.aluTo(hdr, aluOr, reg(hdr), imm(tagBytes))
	fc.store(8, reg(p), 0, reg(hdr))
	addr := fc.alu(aluAdd, reg(p), imm(8))
	r := fc.syscall(e.Syscall, reg(addr), sz, fc.opnd(capv), fc.opnd(maxMsg))
	fc.failIf(cNe, reg(r), imm(0), "ring-buffer-create failed")
	return regVal(tBytes, p)
}

// findProgramAddress is (find-program-address program-id seed…):
// sol_try_find_program_address(seeds, n, program_id, address, bump) into
// a 33-byte array, the address then the bump.
func (fc *fctx) findProgramAddress(e Extension, n *parse.Node) value {
	vs, ok := fc.args(n, 1, 17)
	if !ok {
		return bottomVal
	}
	pid, pl, ok := fc.bytesView(fc.bytesArg(vs[0], fc.arg(n, 0)), fc.arg(n, 0))
	if !ok {
		return fc.errorf(TypeError, fc.arg(n, 0), "%s needs a 32-byte program id, got %s", e.Name, vs[0].t)
	}
	fc.failIf(cNe, pl, imm(32), e.Name+": a program id has 32 bytes")
	arr, count, ok := fc.sliceArray(e, n, vs, 1, "strings or bytes as seeds")
	if !ok {
		return bottomVal
	}
	out := fc.bytesOut(e.OutCap)
	addr := fc.alu(aluAdd, reg(out), imm(8))
	bump := fc.alu(aluAdd, reg(out), imm(8+32))
	fc.at(n)
	r := fc.syscall(e.Syscall, reg(arr), imm(count), pid, reg(addr), reg(bump))
	fc.failIf(cNe, reg(r), imm(0), e.Name+" failed")
	return regVal(tBytes, out)
}

// hwOffload compiles a hardware-offload call: the arguments boxed, then
// the runtime-library function that marshals them (runtime.ovsm).
func (fc *fctx) hwOffload(e Extension, n *parse.Node) value {
	vs, ok := fc.args(n, len(e.Args), len(e.Args))
	if !ok {
		return bottomVal
	}
	name := e.special
	var args []opnd
	for i, v := range vs {
		args = append(args, fc.opnd(fc.box(v, fc.arg(n, i))))
	}
	switch name {
	case "%hw-poll":
		args = append(args, imm(1))
	case "%hw-try-poll":
		name = "%hw-poll"
		args = append(args, imm(0))
	}
	types := make([]typ, len(args))
	for i := range types {
		types[i] = tRaw
	}
	fc.c.heapUsed = true
	in := fc.c.runtimeInstance(name, types, false)
	fc.at(n)
	r := fc.call(in, args)
	if name == "%hw-cancel" {
		return nilVal
	}
	return regVal(tAny, r)
}
