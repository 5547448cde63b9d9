// Package taint is the information-flow analysis of the deep verifier.
// Inputs marked private (--private specs) are followed through registers
// and memory, explicitly (data flow) and implicitly (a branch on a private
// value taints what either side writes until the branches join again, at
// the branch's immediate post-dominator), to the sinks an outside
// observer sees: r0 at the final exit, return data, logs, the data of a
// cross-program invocation, and stores into accounts the program does not
// own. agora_declassify(ptr, len) clears the taint of a stack range.
//
// It is sound, not complete: a leak it reports may be a false alarm (it
// over-approximates), but when it says "no leak" (Complete and no leak)
// none exists. It reads pointer targets from package absint and never
// runs a program.
package taint

import (
	"fmt"
	"strconv"
	"strings"
)

// Spec is one private input range.
type Spec struct {
	Kind string // "input", "account" or "data"
	Acct int    // for "account"
	Off  int
	Len  int
	Text string // as written
}

// SpecError is a malformed --private spec.
type SpecError struct {
	Spec string
	Pos  int // byte offset in Spec
	Msg  string
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("--private %q: column %d: %s", e.Spec, e.Pos+1, e.Msg)
}

// MaxSpecs bounds the number of private ranges (one label bit each).
const MaxSpecs = 64

// ParseSpec reads input:OFF:LEN, account:I:OFF:LEN or data:OFF:LEN.
func ParseSpec(s string) (Spec, error) {
	if len(s) > 256 {
		return Spec{}, &SpecError{s[:32] + "...", 0, "longer than 256 bytes"}
	}
	parts := strings.Split(s, ":")
	sp := Spec{Kind: parts[0], Text: s}
	want := map[string]int{"input": 3, "data": 3, "account": 4}[parts[0]]
	if want == 0 {
		return Spec{}, &SpecError{s, 0, fmt.Sprintf("unknown kind %q: use input:OFF:LEN, account:I:OFF:LEN or data:OFF:LEN", parts[0])}
	}
	if len(parts) != want {
		return Spec{}, &SpecError{s, len(s), fmt.Sprintf("%s takes %d numbers separated by ':', found %d", parts[0], want-1, len(parts)-1)}
	}
	pos := len(parts[0]) + 1
	nums := make([]int, 0, 3)
	for _, p := range parts[1:] {
		v, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			return Spec{}, &SpecError{s, pos, fmt.Sprintf("%q is not a number below 2^31", p)}
		}
		nums = append(nums, int(v))
		pos += len(p) + 1
	}
	if sp.Kind == "account" {
		sp.Acct, nums = nums[0], nums[1:]
	}
	sp.Off, sp.Len = nums[0], nums[1]
	if sp.Len == 0 {
		return Spec{}, &SpecError{s, len(s) - len(parts[len(parts)-1]), "the length is 0"}
	}
	return sp, nil
}

// Shape is the input region's layout as far as the specs need it.
type Shape struct {
	Raw      bool
	DataOff  int // instruction data's offset in the input (not Raw)
	DataLen  int
	Accounts []AccountShape
}

// AccountShape is one account entry of the input.
type AccountShape struct {
	DataOff, DataLen int
	Owned            bool
}

// Validate checks that the spec names bytes that exist in sh.
func (s Spec) Validate(sh *Shape) error {
	switch s.Kind {
	case "input":
		if !sh.Raw {
			return &SpecError{s.Text, 0, "input: ranges are for raw mode; with --accounts use account: or data:"}
		}
	case "data":
		if sh.Raw {
			return &SpecError{s.Text, 0, "data: needs --accounts"}
		}
		if s.Off+s.Len > sh.DataLen {
			return &SpecError{s.Text, 5, fmt.Sprintf("bytes %d..%d: the instruction data holds %d", s.Off, s.Off+s.Len, sh.DataLen)}
		}
	case "account":
		if sh.Raw {
			return &SpecError{s.Text, 0, "account: needs --accounts"}
		}
		if s.Acct >= len(sh.Accounts) {
			return &SpecError{s.Text, 8, fmt.Sprintf("account %d: there are %d", s.Acct, len(sh.Accounts))}
		}
		if s.Off+s.Len > sh.Accounts[s.Acct].DataLen {
			return &SpecError{s.Text, 8, fmt.Sprintf("bytes %d..%d: account %d holds %d", s.Off, s.Off+s.Len, s.Acct, sh.Accounts[s.Acct].DataLen)}
		}
	}
	return nil
}

// inputRange is the spec's byte range in the input region.
func (s Spec) inputRange(sh *Shape) (lo, hi int) {
	switch s.Kind {
	case "data":
		return sh.DataOff + s.Off, sh.DataOff + s.Off + s.Len
	case "account":
		a := sh.Accounts[s.Acct]
		return a.DataOff + s.Off, a.DataOff + s.Off + s.Len
	}
	return s.Off, s.Off + s.Len
}
