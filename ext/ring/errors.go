package ring

import "github.com/agora-vm/agora/ext/exterr"

// ErrorKind names a misuse of a ring. Its String is the stable kind name
// that vm.ErrorKindOf (and `agora run --json`, as error.kind) reports. A
// pointer outside the memory map is the VM's own AccessViolation.
type ErrorKind uint8

// Error kinds.
const (
	// KindRingCorrupt: the header's fields disagree with each other, a
	// cursor is more than capacity messages behind the head or ahead of
	// it, or a slot does not hold the message its position promises.
	KindRingCorrupt ErrorKind = iota + 1
	// KindMessageTooLarge: a push longer than the ring's max_msg, or a pop
	// or peek into a buffer shorter than the message.
	KindMessageTooLarge
	// KindInvalidConsumer: a consumer index not below the ring's number of
	// consumers.
	KindInvalidConsumer
	// KindInvalidArgument: agora_ring_create's capacity, max_msg or
	// consumers out of range, or more memory needed than it was given.
	KindInvalidArgument
)

var kindNames = [...]string{
	KindRingCorrupt:     "RingCorrupt",
	KindMessageTooLarge: "MessageTooLarge",
	KindInvalidConsumer: "InvalidConsumer",
	KindInvalidArgument: "InvalidArgument",
}

// String returns the kind's stable name, e.g. "RingCorrupt".
func (k ErrorKind) String() string { return exterr.KindString(kindNames[:], k) }

// Error is a fault raised by a ring syscall (or a host-side function of
// this package). The VM wraps it in a *vm.Error of kind SyscallError;
// vm.ErrorKindOf reports Kind's name. Errors match with errors.Is by kind.
type Error = exterr.Error[ErrorKind]

// Sentinels for errors.Is.
var (
	ErrRingCorrupt     = &Error{Kind: KindRingCorrupt}
	ErrMessageTooLarge = &Error{Kind: KindMessageTooLarge}
	ErrInvalidConsumer = &Error{Kind: KindInvalidConsumer}
	ErrInvalidArgument = &Error{Kind: KindInvalidArgument}
)

func errorf(k ErrorKind, format string, args ...any) *Error {
	return exterr.Errorf(k, format, args...)
}
