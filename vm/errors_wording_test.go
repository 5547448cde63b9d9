package vm

import "testing"

// TestAccessViolationWording pins the texts Agave logs for memory faults.
func TestAccessViolationWording(t *testing.T) {
	for _, tt := range []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: AccessViolation, Access: Load, Addr: 7, Len: 8, Region: "unallocated"}, "Access violation reading 8 bytes at address 0x7 (in unallocated region)"},
		{&Error{Kind: AccessViolation, Access: Store, Addr: 0x100000000, Len: 1, Region: "program"}, "Access violation writing 1 bytes at address 0x100000000 (in program region)"},
		{&Error{Kind: StackAccessViolation, Access: Load, Addr: 0x200001008, Len: 8, Frame: 1}, "Access violation in stack frame 1 at address 0x200001008 of size 8"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
