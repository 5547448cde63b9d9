package zk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/consensys/gnark/logger"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// QuietLogger switches off gnark's process-wide logger, through which its
// verifiers log "verifier done" to standard output (except under `go
// test`). A syscall must not write to the host's output (it would, for one,
// corrupt `agora run --json`), so a program that registers this family
// calls QuietLogger at startup, before any goroutine verifies a proof:
// gnark's logger is a plain variable, unsafe to change while read.
func QuietLogger() { logger.Disable() }

// Syscall names, as programs call them (the call's imm is the murmur3 hash
// of the name).
const (
	NameGroth16Verify = extnames.Groth16Verify
	NamePlonkVerify   = extnames.PlonkVerify
)

// Curve selects the pairing-friendly curve of a proof system (r1 of both
// syscalls).
type Curve uint64

// Curves.
const (
	CurveBN254     Curve = 0 // BN254 (alt_bn128, circom's "bn128")
	CurveBLS12381  Curve = 1 // BLS12-381
	numberOfCurves       = 2
)

func (c Curve) String() string {
	switch c {
	case CurveBN254:
		return "bn254"
	case CurveBLS12381:
		return "bls12-381"
	}
	return fmt.Sprintf("Curve(%d)", uint64(c))
}

// ParseCurve reads a curve name as users write it: "bn254" (also "bn128",
// "alt_bn128") or "bls12-381" (also "bls12_381", "bls12381"), in any case,
// or the id "0" or "1".
func ParseCurve(name string) (Curve, error) {
	switch strings.ToLower(name) {
	case "bn254", "bn128", "alt_bn128", "0":
		return CurveBN254, nil
	case "bls12-381", "bls12_381", "bls12381", "1":
		return CurveBLS12381, nil
	}
	return 0, fmt.Errorf("zk: unknown curve %q (want bn254 or bls12-381)", name)
}

// ParseScheme reads "groth16" or "plonk", in any case.
func ParseScheme(name string) (Scheme, error) {
	switch strings.ToLower(name) {
	case "groth16":
		return Groth16, nil
	case "plonk":
		return Plonk, nil
	}
	return 0, fmt.Errorf("zk: unknown proof system %q (want groth16 or plonk)", name)
}

// Scheme is a proof system.
type Scheme uint8

// Schemes.
const (
	Groth16 Scheme = iota
	Plonk
)

func (s Scheme) String() string {
	switch s {
	case Groth16:
		return "groth16"
	case Plonk:
		return "plonk"
	}
	return fmt.Sprintf("Scheme(%d)", uint8(s))
}

// Limits. They bound the work and the memory of one call; the price covers
// everything below them.
const (
	// MaxPublicInputs is the most public inputs a call takes.
	MaxPublicInputs = 1024
	// MaxCommitments is the most BSB22 commitments (gnark's api.Commit) a
	// verifying key or proof may carry. gnark merges a circuit's commit
	// requests into one (std/multicommit), so real keys have 0 or 1. The
	// per-commitment price is the cost of the first, which is the dearest
	// (a Groth16 key's first commitment adds two pairings, each later one
	// only one); the limit keeps the linear price within 2× of the time.
	MaxCommitments = 4
	// ScalarSize is the size of one public input: a big-endian scalar.
	ScalarSize = 32
	// ArgsSize is the size of the argument block r2 points at.
	ArgsSize = 48
)

// Results in r0.
const (
	Valid   = 0 // the proof verifies
	Invalid = 1 // the proof decodes but does not verify against the key and inputs
)

// Register adds agora_groth16_verify and agora_plonk_verify to r. It
// registers nothing when one of the names is already taken.
func Register(r *vm.Registry) error {
	if r == nil {
		return errors.New("zk: nil registry")
	}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameGroth16Verify, groth16Syscall},
		{NamePlonkVerify, plonkSyscall},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("zk: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("zk: %w", err)
		}
	}
	return nil
}

// ErrorKind names a failure that aborts the program. Its String is the
// stable error kind that tools report.
type ErrorKind uint8

// Error kinds.
const (
	KindInvalidCurve     ErrorKind = iota + 1 // r1 is not a known Curve
	KindInvalidEncoding                       // the key, proof or public inputs do not decode
	KindInvalidLength                         // more public inputs or commitments than the limits allow
	KindPublicInputCount                      // the number of public inputs is not the key's
)

func (k ErrorKind) String() string {
	switch k {
	case KindInvalidCurve:
		return "InvalidCurve"
	case KindInvalidEncoding:
		return "InvalidEncoding"
	case KindInvalidLength:
		return "InvalidLength"
	case KindPublicInputCount:
		return "PublicInputCount"
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// Error is an abort raised by a zk syscall or a decoder. The VM wraps it in
// a *vm.Error of kind SyscallError, and vm.ErrorKindOf reports Kind's
// name. Errors match with errors.Is by kind.
type Error struct {
	Kind ErrorKind
	Arg  string // the argument at fault: "curve", "verifying key", "proof" or "public inputs"
	Msg  string // what is wrong with it
	Err  error  // the decoder's error, if any
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if e.Arg != "" {
		s += ": " + e.Arg
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// KindName implements vm.KindNamer.
func (e *Error) KindName() string { return e.Kind.String() }

// Unwrap returns the decoder's error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

// Argument names used in errors.
const (
	argCurve  = "curve"
	argKey    = "verifying key"
	argProof  = "proof"
	argPublic = "public inputs"
)

func encodingError(arg string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInvalidEncoding, Arg: arg, Err: err}
}

// Args are the three byte strings of a verification call.
type Args struct {
	VerifyingKey []byte
	Proof        []byte
	PublicInputs []byte // n big-endian scalars of ScalarSize bytes
}

func groth16Syscall(m *vm.Machine, curve, argsAddr, _, _, _ uint64) (uint64, error) {
	return invoke(m, Groth16, curve, argsAddr)
}

func plonkSyscall(m *vm.Machine, curve, argsAddr, _, _, _ uint64) (uint64, error) {
	return invoke(m, Plonk, curve, argsAddr)
}

// invoke is the common body of both syscalls: check the curve, map the
// argument block and its three slices, check the encodings' structure and
// the counts (work bounded by the limits, whatever the lengths), charge,
// then decode and verify.
func invoke(m *vm.Machine, s Scheme, curve, argsAddr uint64) (uint64, error) {
	c, err := curveOf(curve)
	if err != nil {
		return 0, err
	}
	block, err := m.Translate(vm.Load, argsAddr, ArgsSize)
	if err != nil {
		return 0, err
	}
	var slices [3][]byte
	for i := range slices {
		addr := binary.LittleEndian.Uint64(block[16*i:])
		n := binary.LittleEndian.Uint64(block[16*i+8:])
		if slices[i], err = m.Translate(vm.Load, addr, n); err != nil {
			return 0, err
		}
	}
	a := Args{VerifyingKey: slices[0], Proof: slices[1], PublicInputs: slices[2]}
	shape, err := check(s, c, a)
	if err != nil {
		return 0, err
	}
	if err := m.Consume(Price(s, c, shape.inputs, shape.commitments)); err != nil {
		return 0, err
	}
	ok, err := verify(s, c, a)
	if err != nil {
		return 0, err
	}
	if ok {
		return Valid, nil
	}
	return Invalid, nil
}

func curveOf(id uint64) (Curve, error) {
	if id >= numberOfCurves {
		return 0, &Error{Kind: KindInvalidCurve, Arg: argCurve, Msg: fmt.Sprintf("unknown curve id %d", id)}
	}
	return Curve(id), nil
}

// Verify checks a proof outside the VM, exactly as the syscall does: it
// returns whether the proof is valid, or the *Error the syscall would abort
// with. It charges nothing; Price says what the syscall charges.
func Verify(s Scheme, c Curve, a Args) (bool, error) {
	if _, err := curveOf(uint64(c)); err != nil {
		return false, err
	}
	if s != Groth16 && s != Plonk {
		return false, fmt.Errorf("zk: unknown scheme %v", s)
	}
	if _, err := check(s, c, a); err != nil {
		return false, err
	}
	return verify(s, c, a)
}

// shape is what the structural checks learn: the sizes the price depends
// on.
type shape struct {
	inputs      uint64 // public inputs n
	commitments uint64 // BSB22 commitments c of the key
}

// check runs the checks that do no curve arithmetic: the structure of the
// key and proof (every length prefix against the bytes left, nothing
// trailing), the public inputs' length and range, and the counts.
func check(s Scheme, c Curve, a Args) (shape, error) {
	p := params(c)
	if len(a.PublicInputs)%ScalarSize != 0 {
		return shape{}, &Error{Kind: KindInvalidEncoding, Arg: argPublic,
			Msg: fmt.Sprintf("%d bytes is not a multiple of %d", len(a.PublicInputs), ScalarSize)}
	}
	n := len(a.PublicInputs) / ScalarSize
	if n > MaxPublicInputs {
		return shape{}, &Error{Kind: KindInvalidLength, Arg: argPublic,
			Msg: fmt.Sprintf("%d inputs, at most %d", n, MaxPublicInputs)}
	}
	for i := range n {
		if !p.canonicalScalar(a.PublicInputs[i*ScalarSize : (i+1)*ScalarSize]) {
			return shape{}, &Error{Kind: KindInvalidEncoding, Arg: argPublic,
				Msg: fmt.Sprintf("input %d is not below the scalar field order", i)}
		}
	}
	var keyInputs, commitments int
	var err error
	switch s {
	case Groth16:
		keyInputs, commitments, err = p.scanGroth16Key(a.VerifyingKey)
		if err == nil {
			err = p.scanGroth16Proof(a.Proof)
		}
	default:
		keyInputs, commitments, err = p.scanPlonkKey(a.VerifyingKey)
		if err == nil {
			err = p.scanPlonkProof(a.Proof)
		}
	}
	if err != nil {
		return shape{}, err
	}
	if keyInputs != n {
		return shape{}, &Error{Kind: KindPublicInputCount, Arg: argPublic,
			Msg: fmt.Sprintf("%d inputs, the key takes %d", n, keyInputs)}
	}
	return shape{inputs: uint64(n), commitments: uint64(commitments)}, nil
}

// verify decodes and verifies arguments that passed check. A panic in the
// libraries would be a bug there; it is turned into an error rather than
// taking the node down.
func verify(s Scheme, c Curve, a Args) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, err = false, &Error{Kind: KindInvalidEncoding, Msg: fmt.Sprintf("verifier panicked: %v", r)}
		}
	}()
	return verifiers[s][c](a)
}
