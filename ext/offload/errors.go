package offload

import "github.com/agora-vm/agora/ext/exterr"

// ErrorKind names a misuse of the offload syscalls. Its String is the
// stable kind name that vm.ErrorKindOf (and `agora run --json`, as
// error.kind) reports. A pointer outside the memory map is the VM's own
// AccessViolation.
type ErrorKind uint8

// Error kinds.
const (
	// KindUnknownAccelerator: an accel_id no backend of the run has.
	KindUnknownAccelerator ErrorKind = iota + 1
	// KindBadRequest: a request whose header or length does not match
	// the layout of its operation.
	KindBadRequest
	// KindUnsupportedOp: an operation the backend does not implement.
	KindUnsupportedOp
	// KindDimsTooLarge: a dimension above the backend's max_dims.
	KindDimsTooLarge
	// KindUnknownTask: a task id the run never returned.
	KindUnknownTask
	// KindTaskCancelled: cancelling a task that is already cancelled.
	KindTaskCancelled
	// KindBufferTooSmall: a poll whose out_cap is below the result's size,
	// or a query buffer that cannot hold one descriptor.
	KindBufferTooSmall
	// KindNoTaskTable: the run's context provides no task table (see Host).
	KindNoTaskTable
)

var kindNames = [...]string{
	KindUnknownAccelerator: "UnknownAccelerator",
	KindBadRequest:         "BadOffloadRequest",
	KindUnsupportedOp:      "UnsupportedOffloadOp",
	KindDimsTooLarge:       "OffloadDimsTooLarge",
	KindUnknownTask:        "UnknownOffloadTask",
	KindTaskCancelled:      "OffloadTaskCancelled",
	KindBufferTooSmall:     "OffloadBufferTooSmall",
	KindNoTaskTable:        "NoOffloadTaskTable",
}

// String returns the kind's stable name, e.g. "UnknownAccelerator".
func (k ErrorKind) String() string { return exterr.KindString(kindNames[:], k) }

// Error is a fault raised by an offload syscall or by the request
// decoder. Errors match with errors.Is by kind.
type Error = exterr.Error[ErrorKind]

// Sentinels for errors.Is.
var (
	ErrUnknownAccelerator = &Error{Kind: KindUnknownAccelerator}
	ErrBadRequest         = &Error{Kind: KindBadRequest}
	ErrUnsupportedOp      = &Error{Kind: KindUnsupportedOp}
	ErrDimsTooLarge       = &Error{Kind: KindDimsTooLarge}
	ErrUnknownTask        = &Error{Kind: KindUnknownTask}
	ErrTaskCancelled      = &Error{Kind: KindTaskCancelled}
	ErrBufferTooSmall     = &Error{Kind: KindBufferTooSmall}
	ErrNoTaskTable        = &Error{Kind: KindNoTaskTable}
)

func errorf(k ErrorKind, format string, args ...any) *Error {
	return exterr.Errorf(k, format, args...)
}
