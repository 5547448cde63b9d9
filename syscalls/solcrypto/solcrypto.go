package solcrypto

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// Syscall names, as programs call them (the call's imm is the murmur3 hash
// of the name).
const (
	NameSecp256k1Recover   = "sol_secp256k1_recover"
	NamePoseidon           = "sol_poseidon"
	NameAltBN128GroupOp    = "sol_alt_bn128_group_op"
	NameAltBN128Compress   = "sol_alt_bn128_compression"
	NameCurveValidatePoint = "sol_curve_validate_point"
	NameCurveGroupOp       = "sol_curve_group_op"
	NameCurveMultiscalar   = "sol_curve_multiscalar_mul"
	NameBigModExp          = "sol_big_mod_exp"
)

// Options selects the Agave behaviours that depend on feature gates. The
// zero value is the newest behaviour: every gate named here is active. Set a
// field to reproduce a cluster where that gate is not yet active.
type Options struct {
	// NoAltBN128LittleEndian: alt_bn128_little_endian (SIMD-0284) is
	// inactive, so the little-endian group and compression ops (op | 0x80)
	// abort with InvalidAttribute.
	NoAltBN128LittleEndian bool
	// NoAltBN128G2: enable_alt_bn128_g2_syscalls (SIMD-0302) is inactive,
	// so G2 addition and multiplication abort with InvalidAttribute.
	NoAltBN128G2 bool
	// LegacyPairingLength: fix_alt_bn128_pairing_length_check is inactive,
	// so a big-endian pairing input whose length is not a multiple of 192
	// is accepted and its trailing bytes are ignored.
	LegacyPairingLength bool
	// LegacyPoseidonPadding: poseidon_enforce_padding is inactive, so a
	// Poseidon input may be 1 to 32 bytes instead of exactly 32.
	LegacyPoseidonPadding bool
	// LegacyInvalidCurve: abort_on_invalid_curve is inactive, so an unknown
	// curve id or curve group operation returns 1 instead of aborting.
	LegacyInvalidCurve bool
}

// Register adds the crypto syscalls, with the newest Agave behaviour, to r.
func Register(r *vm.Registry) error { return RegisterWith(r, Options{}) }

// RegisterWith adds the crypto syscalls with the behaviour opts selects. It
// registers nothing when one of the names is already taken.
func RegisterWith(r *vm.Registry, opts Options) error {
	if r == nil {
		return fmt.Errorf("solcrypto: nil registry")
	}
	s := &set{opts: opts}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameSecp256k1Recover, s.secp256k1Recover},
		{NamePoseidon, s.poseidon},
		{NameAltBN128GroupOp, s.altBN128GroupOp},
		{NameAltBN128Compress, s.altBN128Compression},
		{NameCurveValidatePoint, s.curveValidatePoint},
		{NameCurveGroupOp, s.curveGroupOp},
		{NameCurveMultiscalar, s.curveMultiscalarMul},
		{NameBigModExp, s.bigModExp},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("solcrypto: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("solcrypto: %w", err)
		}
	}
	return nil
}

// set is the registered family: the options its functions close over.
type set struct{ opts Options }

// ErrorKind names a failure that aborts the program. Its String is the name
// of Agave's error variant, which tools report as the stable error kind.
type ErrorKind uint8

// Error kinds.
const (
	KindInvalidLength      ErrorKind = iota + 1 // SyscallError::InvalidLength: a length over a limit or too large to address
	KindUnalignedPointer                        // SyscallError::UnalignedPointer: a pointer not aligned for its type
	KindInvalidAttribute                        // SyscallError::InvalidAttribute: an unknown curve, group op or gated op
	KindArithmeticOverflow                      // SyscallError::ArithmeticOverflow: a price that overflows
	KindInvalidParameters                       // PoseidonSyscallError::InvalidParameters: Poseidon parameters other than Bn254X5
	KindInvalidEndianness                       // PoseidonSyscallError::InvalidEndianness: endianness other than 0 or 1
)

// names returns the variant name and Agave's Display of k.
func (k ErrorKind) names() (name, message string) {
	switch k {
	case KindInvalidLength:
		return "InvalidLength", "InvalidLength"
	case KindUnalignedPointer:
		return "UnalignedPointer", "Unaligned pointer"
	case KindInvalidAttribute:
		return "InvalidAttribute", "InvalidAttribute"
	case KindArithmeticOverflow:
		return "ArithmeticOverflow", "Arithmetic overflow"
	case KindInvalidParameters:
		return "InvalidParameters", "Invalid parameters."
	case KindInvalidEndianness:
		return "InvalidEndianness", "Invalid endianness."
	}
	n := fmt.Sprintf("ErrorKind(%d)", uint8(k))
	return n, n
}

func (k ErrorKind) String() string {
	name, _ := k.names()
	return name
}

// Error is an abort raised by a crypto syscall. The VM wraps it in a
// *vm.Error of kind SyscallError, and vm.ErrorKindOf reports Kind's name.
// Errors compare equal (and match with errors.Is) by kind.
type Error struct {
	Kind ErrorKind
}

// Error renders Agave's message for the variant.
func (e *Error) Error() string {
	_, msg := e.Kind.names()
	return msg
}

// KindName implements vm.KindNamer.
func (e *Error) KindName() string { return e.Kind.String() }

// Is reports whether target is an *Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

func newError(k ErrorKind) *Error { return &Error{Kind: k} }

// AlignmentPolicy is optionally implemented by the run's context (the
// Context of vm.RunOptions). It says whether typed pointers must be aligned:
// Agave's check_aligned, which is false only for programs owned by the
// deprecated loader. A context that does not implement it gets the checks.
// It has the same method as syscalls.AlignmentPolicy, so one context serves
// both families.
type AlignmentPolicy interface {
	CheckAligned() bool
}

// LogSink is optionally implemented by the run's context. It receives the
// lines Agave records with ic_msg! (only sol_poseidon logs, on a rejected
// input count). It has the same method as syscalls.LogSink.
type LogSink interface {
	Log(msg string)
}

func checkAligned(m *vm.Machine) bool {
	if p, ok := m.Context().(AlignmentPolicy); ok {
		return p.CheckAligned()
	}
	return true
}

func logLine(m *vm.Machine, msg string) {
	if s, ok := m.Context().(LogSink); ok {
		s.Log(msg)
	}
}

// translateSlice is syscalls.TranslateSlice, failing with this package's
// error kinds (whose messages are Agave's for these syscalls).
func translateSlice(m *vm.Machine, acc vm.AccessType, addr, count, size, align uint64, aligned bool) ([]byte, error) {
	b, err := syscalls.TranslateSlice(m, acc, addr, count, size, align, aligned)
	return b, ownKind(err)
}

// translateBytes maps n bytes at addr (a slice of u8).
func translateBytes(m *vm.Machine, acc vm.AccessType, addr, n uint64) ([]byte, error) {
	return translateSlice(m, acc, addr, n, 1, 1, false)
}

// translateVMSlices is syscalls.TranslateVMSlices with this package's
// error kinds.
func translateVMSlices(m *vm.Machine, addr, count uint64, aligned bool) ([]syscalls.VMSlice, error) {
	s, err := syscalls.TranslateVMSlices(m, addr, count, aligned)
	return s, ownKind(err)
}

// ownKind converts the translate helpers' errors to this package's kinds;
// anything else (a VM fault) passes through.
func ownKind(err error) error {
	var e *syscalls.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Kind {
	case syscalls.KindInvalidLength:
		return newError(KindInvalidLength)
	case syscalls.KindUnalignedPointer:
		return newError(KindUnalignedPointer)
	}
	return err
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

func satSub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}
