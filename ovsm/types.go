package ovsm

import "fmt"

// kind is the static kind of an OVSM value. Every expression has one at
// compile time; values whose kind is only known at run time have kind
// kAny and carry a tag in their heap object.
type kind uint8

const (
	kBottom   kind = iota // no value: the expression never completes (error, break)
	kNil                  // nil
	kBool                 // true / false: 0 or 1 in a register
	kInt                  // signed 64-bit integer
	kUint                 // unsigned 64-bit integer
	kDec                  // fixed-point decimal: an int64 counting 10^-9
	kStr                  // pointer to a string object
	kBytes                // pointer to a byte-array object
	kKw                   // pointer to a keyword object
	kVec                  // pointer to a vector object
	kMap                  // pointer to a map object
	kAccount              // pointer to an account entry in the input
	kAccounts             // the instruction's accounts (no register)
	kIData                // the instruction data (no register)
	kData                 // an account's data as bytes: the account pointer
	kFn                   // pointer to a closure object, with its lambda known
	kErr                  // pointer to an error object
	kAny                  // pointer to any object, or 0 for nil
	kRaw                  // an untyped machine word (runtime library only)
)

var kindNames = [...]string{
	kBottom: "nothing", kNil: "nil", kBool: "bool", kInt: "int", kUint: "u64", kDec: "decimal",
	kStr: "string", kBytes: "bytes", kKw: "keyword", kVec: "vector", kMap: "map",
	kAccount: "account", kAccounts: "accounts", kIData: "instruction-data", kData: "account-data",
	kFn: "function", kErr: "error", kAny: "any", kRaw: "raw",
}

func (k kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// typ is a static type: a kind, plus for functions the lambda or function
// the value is known to be.
type typ struct {
	k  kind
	fn *fnValue
}

var (
	tBottom   = typ{k: kBottom}
	tNil      = typ{k: kNil}
	tBool     = typ{k: kBool}
	tInt      = typ{k: kInt}
	tUint     = typ{k: kUint}
	tDec      = typ{k: kDec}
	tStr      = typ{k: kStr}
	tBytes    = typ{k: kBytes}
	tKw       = typ{k: kKw}
	tVec      = typ{k: kVec}
	tMap      = typ{k: kMap}
	tAccount  = typ{k: kAccount}
	tAccounts = typ{k: kAccounts}
	tIData    = typ{k: kIData}
	tData     = typ{k: kData}
	tErr      = typ{k: kErr}
	tAny      = typ{k: kAny}
	tRaw      = typ{k: kRaw}
)

func (t typ) String() string {
	if t.k == kFn && t.fn != nil {
		return "function " + t.fn.name
	}
	return t.k.String()
}

// isInt reports whether values of t are integers in registers.
func (t typ) isInt() bool { return t.k == kInt || t.k == kUint || t.k == kRaw }

// isPtr reports whether values of t are pointers to tagged heap or
// read-only objects, usable as kAny without conversion.
func (t typ) isPtr() bool {
	switch t.k {
	case kStr, kBytes, kKw, kVec, kMap, kFn, kErr, kAny:
		return true
	}
	return false
}

// singleton reports whether t has exactly one value and needs no register.
func (t typ) singleton() bool {
	return t.k == kNil || t.k == kAccounts || t.k == kIData || t.k == kBottom
}

// join is the type of a value that is either a or b.
func join(a, b typ) typ {
	switch {
	case a == b:
		return a
	case a.k == kBottom:
		return b
	case b.k == kBottom:
		return a
	case a.k == kFn && b.k == kFn:
		return tAny
	}
	return tAny
}

// Object tags: the first byte of every heap or read-only object. A value
// of kind kAny is a pointer to such an object, or 0 for nil.
const (
	tagInt      = 1
	tagUint     = 2
	tagDec      = 3
	tagTrue     = 4
	tagFalse    = 5
	tagStr      = 6
	tagBytes    = 7
	tagKw       = 8
	tagVec      = 9
	tagMap      = 10
	tagAccount  = 11
	tagAccounts = 12
	tagIData    = 13
	tagFn       = 14
	tagErr      = 15
	tagData     = 16
)

// tagOf is the tag of objects of kind k (0 if k has none of its own).
func tagOf(k kind) int64 {
	switch k {
	case kInt:
		return tagInt
	case kUint:
		return tagUint
	case kDec:
		return tagDec
	case kStr:
		return tagStr
	case kBytes:
		return tagBytes
	case kKw:
		return tagKw
	case kVec:
		return tagVec
	case kMap:
		return tagMap
	case kAccount:
		return tagAccount
	case kAccounts:
		return tagAccounts
	case kIData:
		return tagIData
	case kFn:
		return tagFn
	case kErr:
		return tagErr
	case kData:
		return tagData
	}
	return 0
}
