package crypto

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/agora-vm/agora/ext/exterr"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// Syscall names, as programs call them (the call's imm is the murmur3 hash
// of the name).
const (
	NameBLSVerify              = extnames.BLSVerify
	NameBLSAggregate           = extnames.BLSAggregate
	NameBLSFastAggregateVerify = extnames.BLSFastAggregateVerify
	NameBLSAggregateVerify     = extnames.BLSAggregateVerify
	NamePedersenCommit         = extnames.PedersenCommit
	NamePedersenVerify         = extnames.PedersenVerify
	NameVRFVerify              = extnames.VRFVerify
)

// Names lists every syscall of the package, in registration order.
func Names() []string {
	return []string{
		NameBLSVerify, NameBLSAggregate, NameBLSFastAggregateVerify, NameBLSAggregateVerify,
		NamePedersenCommit, NamePedersenVerify, NameVRFVerify,
	}
}

// Mnemonics returns assembler aliases for the syscalls (pass it as
// asm.Options.Aliases): `bls_verify` assembles to `syscall
// agora_bls_verify`, and so on. The map is new on every call.
func Mnemonics() map[string]string {
	return extnames.Aliases(Names()...)
}

// Register adds the syscalls of this package to r. It registers nothing
// when one of the names is already taken.
func Register(r *vm.Registry) error {
	if r == nil {
		return fmt.Errorf("crypto: nil registry")
	}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameBLSVerify, sysBLSVerify},
		{NameBLSAggregate, sysBLSAggregate},
		{NameBLSFastAggregateVerify, sysBLSFastAggregateVerify},
		{NameBLSAggregateVerify, sysBLSAggregateVerify},
		{NamePedersenCommit, sysPedersenCommit},
		{NamePedersenVerify, sysPedersenVerify},
		{NameVRFVerify, sysVRFVerify},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("crypto: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("crypto: %w", err)
		}
	}
	return nil
}

// Code is the value a syscall returns in r0, and the verdict of the Go
// functions of this package. A code reports something about the data (a
// signature that does not verify, a point that does not decode); a call
// that breaks the syscall's layout aborts the program instead (see Error).
type Code uint64

// Codes. Where several inputs are bad, the first check in the documented
// order decides the code.
const (
	// OK: the signature, proof or opening is valid, or the result was
	// written.
	OK Code = 0
	// Invalid: every input is well formed but the signature, proof or
	// opening does not verify (for BLS, also an aggregate public key that is
	// the identity).
	Invalid Code = 1
	// BadPublicKey: a public key does not decode or fails key validation
	// (BLS: bad flags, x ≥ p, not on the curve, not in G1, the identity;
	// VRF: a non-canonical encoding, a point of small order or the
	// identity).
	BadPublicKey Code = 2
	// BadSignature: a BLS signature or VRF proof does not decode (BLS: bad
	// flags, a coordinate ≥ p, not on the curve, not in G2; VRF: Gamma not
	// a canonical point, s ≥ ℓ).
	BadSignature Code = 3
	// BadScalar: a Pedersen scalar is not canonical (≥ ℓ).
	BadScalar Code = 4
	// BadPoint: a Pedersen commitment is not a canonical ristretto255
	// encoding.
	BadPoint Code = 5
	// Empty: a BLS aggregate or multi-key verification was given no keys
	// or signatures.
	Empty Code = 6
)

var codeNames = [...]string{
	OK:           "OK",
	Invalid:      "Invalid",
	BadPublicKey: "BadPublicKey",
	BadSignature: "BadSignature",
	BadScalar:    "BadScalar",
	BadPoint:     "BadPoint",
	Empty:        "Empty",
}

func (c Code) String() string {
	if c < Code(len(codeNames)) {
		return codeNames[c]
	}
	return "Code(" + strconv.FormatUint(uint64(c), 10) + ")"
}

// ErrorKind names a failure that aborts the program. Its String is the
// stable kind name that vm.ErrorKindOf reports.
type ErrorKind uint8

// Error kinds.
const (
	// KindInvalidLength: a byte length that the layout does not allow (not
	// a multiple of the element size, too short for the fixed head, or more
	// elements than the syscall's maximum).
	KindInvalidLength ErrorKind = iota + 1
	// KindInvalidAttribute: an unknown selector (aggregate kind, VRF suite).
	KindInvalidAttribute
)

var kindNames = [...]string{
	KindInvalidLength:    "InvalidLength",
	KindInvalidAttribute: "InvalidAttribute",
}

// String returns the kind's stable name, e.g. "InvalidLength".
func (k ErrorKind) String() string { return exterr.KindString(kindNames[:], k) }

// Error is an abort raised by a syscall of this package. The VM wraps it in
// a *vm.Error of kind SyscallError, and vm.ErrorKindOf reports Kind's name.
// Errors match with errors.Is by kind.
type Error = exterr.Error[ErrorKind]

// Sentinels for errors.Is.
var (
	ErrInvalidLength    = &Error{Kind: KindInvalidLength}
	ErrInvalidAttribute = &Error{Kind: KindInvalidAttribute}
)

func errorf(k ErrorKind, format string, args ...any) *Error {
	return exterr.Errorf(k, format, args...)
}

// load maps n bytes of guest memory at addr for reading. An empty range
// maps to nothing and never faults, whatever addr is.
func load(m *vm.Machine, addr, n uint64) ([]byte, error) {
	return m.Translate(vm.Load, addr, n)
}

// store maps n bytes of guest memory at addr for writing.
func store(m *vm.Machine, addr, n uint64) ([]byte, error) {
	return m.Translate(vm.Store, addr, n)
}

// counted checks that length is a whole number of size-byte elements, at
// most max of them, and returns their number.
func counted(what string, length, size, max uint64) (uint64, error) {
	if length%size != 0 {
		return 0, errorf(KindInvalidLength, "%s: %d bytes is not a multiple of %d", what, length, size)
	}
	if n := length / size; n <= max {
		return n, nil
	}
	return 0, errorf(KindInvalidLength, "%s: %d elements, at most %d allowed", what, length/size, max)
}

// split cuts b into n elements of size bytes.
func split(b []byte, n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = b[i*size : (i+1)*size : (i+1)*size]
	}
	return out
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return math.MaxUint64
	}
	return s
}

// blocks is the number of size-byte blocks that cover n bytes, rounded up.
func blocks(n, size uint64) uint64 {
	return n/size + min(n%size, 1)
}
