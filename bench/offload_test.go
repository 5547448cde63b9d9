package bench

import "testing"

// The bytecode loop and the syscall agree, and the syscall's CU is the
// submit price plus the pending latency spent polling.
func TestBenchOffload(t *testing.T) {
	rows, err := BenchOffload([]int{1, 7, 16}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.BytecodeCU == 0 || r.SyscallCU == 0 || r.SyscallCU >= r.BytecodeCU {
			t.Errorf("%s: bytecode %d CU, syscall %d CU", r.Size, r.BytecodeCU, r.SyscallCU)
		}
	}
	if _, err := BenchOffload([]int{129}, 1); err == nil {
		t.Error("size 129 accepted")
	}
}
