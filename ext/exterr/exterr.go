// Package exterr is the typed error that the extension families (ring,
// txmem, crypto) raise from their syscalls: a family-specific kind with a
// stable name, and a detail for people.
//
// The VM wraps such an error in a *vm.Error of kind SyscallError, and
// vm.ErrorKindOf reports the kind's name (through KindName), which
// `agora run --json` prints as error.kind: the name is part of the output
// contract and must never change. This package imports only the standard
// library; it must never import vm or a family.
package exterr

import (
	"fmt"
	"strconv"
)

// Kind is a family's error kind: a small integer whose String is its
// stable name (usually through KindString).
type Kind interface {
	~uint8
	String() string
}

// Error is a fault of kind K. A family declares `type Error =
// exterr.Error[ErrorKind]`, so that errors of different families never
// match each other with errors.Is.
type Error[K Kind] struct {
	Kind   K
	Detail string // what was wrong, for people
}

// Error renders the kind and the detail: "Kind: detail", or "Kind".
func (e *Error[K]) Error() string {
	if e.Detail == "" {
		return e.Kind.String()
	}
	return e.Kind.String() + ": " + e.Detail
}

// KindName implements vm.KindNamer.
func (e *Error[K]) KindName() string { return e.Kind.String() }

// Is reports whether target is an *Error of the same family and kind, so
// that a sentinel &Error{Kind: k} matches every error of kind k.
func (e *Error[K]) Is(target error) bool {
	t, ok := target.(*Error[K])
	return ok && t.Kind == e.Kind
}

// Errorf returns an error of kind k whose detail is formatted.
func Errorf[K Kind](k K, format string, args ...any) *Error[K] {
	return &Error[K]{Kind: k, Detail: fmt.Sprintf(format, args...)}
}

// KindString names k from names (indexed by kind), or "ErrorKind(n)" for a
// kind without a name.
func KindString[K ~uint8](names []string, k K) string {
	if int(k) < len(names) && names[k] != "" {
		return names[k]
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}
