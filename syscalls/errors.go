package syscalls

import (
	"fmt"
	"strconv"
	"strings"
)

// ErrorKind names a failure of a standard syscall. Its String is the name of
// Agave's SyscallError variant (or, for MissingContext, this package's own
// name), which tools report as the stable error kind.
type ErrorKind uint8

// Syscall error kinds.
const (
	KindInvalidString      ErrorKind = iota + 1 // a string argument is not UTF-8
	KindAbort                                   // the program called abort
	KindPanic                                   // the program called sol_panic_
	KindCopyOverlapping                         // sol_memcpy_ ranges overlap, or two outputs overlap
	KindReturnDataTooLarge                      // sol_set_return_data over MaxReturnData bytes
	KindTooManySlices                           // a hash syscall over the slice limit
	KindInvalidLength                           // a slice length too large to address
	KindUnalignedPointer                        // a pointer not aligned for its type
	KindMissingContext                          // the run's Context lacks an interface the syscall needs
)

var errorKindNames = [...]string{
	KindInvalidString:      "InvalidString",
	KindAbort:              "Abort",
	KindPanic:              "Panic",
	KindCopyOverlapping:    "CopyOverlapping",
	KindReturnDataTooLarge: "ReturnDataTooLarge",
	KindTooManySlices:      "TooManySlices",
	KindInvalidLength:      "InvalidLength",
	KindUnalignedPointer:   "UnalignedPointer",
	KindMissingContext:     "MissingContext",
}

func (k ErrorKind) String() string {
	if int(k) < len(errorKindNames) && errorKindNames[k] != "" {
		return errorKindNames[k]
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a failure raised by a standard syscall. The VM wraps it in a
// *vm.Error of kind SyscallError; vm.ErrorKindOf reports its Kind's name.
type Error struct {
	Kind ErrorKind

	// InvalidString: the bytes that failed to decode, the length of their
	// valid UTF-8 prefix and the length of the bad sequence after it (0 when
	// the bytes end inside a sequence), as Rust's Utf8Error reports them.
	Bytes     []byte
	ValidUpTo int
	BadLen    int

	// Panic: where the program says it panicked.
	File         string
	Line, Column uint64

	// ReturnDataTooLarge: the requested and the maximum length.
	Len, Max uint64

	// MissingContext: the interface the run's Context does not implement.
	Need string
}

// Sentinels for errors.Is: an *Error matches any *Error of the same Kind.
var (
	ErrAbort            = &Error{Kind: KindAbort}
	ErrCopyOverlapping  = &Error{Kind: KindCopyOverlapping}
	ErrTooManySlices    = &Error{Kind: KindTooManySlices}
	ErrInvalidLength    = &Error{Kind: KindInvalidLength}
	ErrUnalignedPointer = &Error{Kind: KindUnalignedPointer}
)

// Error renders Agave's message for the variant.
func (e *Error) Error() string {
	switch e.Kind {
	case KindInvalidString:
		return utf8ErrorText(e.ValidUpTo, e.BadLen) + ": " + rustBytes(e.Bytes)
	case KindAbort:
		return "SBF program panicked"
	case KindPanic:
		return fmt.Sprintf("SBF program Panicked in %s at %d:%d", e.File, e.Line, e.Column)
	case KindCopyOverlapping:
		return "Overlapping copy"
	case KindReturnDataTooLarge:
		return fmt.Sprintf("Return data too large (%d > %d)", e.Len, e.Max)
	case KindTooManySlices:
		return "Hashing too many sequences"
	case KindInvalidLength:
		return "Invalid length"
	case KindUnalignedPointer:
		return "Unaligned pointer"
	case KindMissingContext:
		return "syscall context does not implement " + e.Need
	}
	return e.Kind.String()
}

// KindName implements vm.KindNamer.
func (e *Error) KindName() string { return e.Kind.String() }

// Is reports whether target is an *Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

func newError(k ErrorKind) *Error { return &Error{Kind: k} }

func missingContext(need string) *Error { return &Error{Kind: KindMissingContext, Need: need} }

// utf8ErrorText is Rust's Display of core::str::Utf8Error.
func utf8ErrorText(validUpTo, badLen int) string {
	if badLen > 0 {
		return fmt.Sprintf("invalid utf-8 sequence of %d bytes from index %d", badLen, validUpTo)
	}
	return fmt.Sprintf("incomplete utf-8 byte sequence from index %d", validUpTo)
}

// rustBytes is Rust's Debug of a Vec<u8>: "[104, 105]".
func rustBytes(b []byte) string {
	var sb strings.Builder
	sb.Grow(2 + 5*len(b))
	sb.WriteByte('[')
	for i, c := range b {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(int(c)))
	}
	sb.WriteByte(']')
	return sb.String()
}

// checkUTF8 validates b as Rust's str::from_utf8 does. When b is invalid it
// returns the length of the valid prefix and the length of the bad sequence
// (0 when b ends inside a sequence whose bytes so far are valid), which is
// what Agave's InvalidString message reports. Go and Rust accept exactly the
// same byte strings; only the error detail needs Rust's algorithm.
func checkUTF8(b []byte) (validUpTo, badLen int, ok bool) {
	n := len(b)
	for i := 0; i < n; {
		c := b[i]
		if c < 0x80 {
			i++
			continue
		}
		var width int
		var lo, hi byte = 0x80, 0xbf // allowed range of the second byte
		switch {
		case c >= 0xc2 && c <= 0xdf:
			width = 2
		case c == 0xe0:
			width, lo = 3, 0xa0
		case c >= 0xe1 && c <= 0xec, c == 0xee, c == 0xef:
			width = 3
		case c == 0xed:
			width, hi = 3, 0x9f
		case c == 0xf0:
			width, lo = 4, 0x90
		case c >= 0xf1 && c <= 0xf3:
			width = 4
		case c == 0xf4:
			width, hi = 4, 0x8f
		default:
			return i, 1, false
		}
		for k := 1; k < width; k++ {
			if i+k >= n {
				return i, 0, false
			}
			d := b[i+k]
			if k == 1 && (d < lo || d > hi) || k > 1 && (d < 0x80 || d > 0xbf) {
				return i, k, false
			}
		}
		i += width
	}
	return 0, 0, true
}

// invalidString builds Agave's InvalidString error for b, or nil if b is
// valid UTF-8.
func invalidString(b []byte) error {
	up, bad, ok := checkUTF8(b)
	if ok {
		return nil
	}
	return &Error{Kind: KindInvalidString, Bytes: append([]byte(nil), b...), ValidUpTo: up, BadLen: bad}
}
