package syscalls

import (
	"crypto/sha256"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// BenchmarkSHA256Syscall hashes 1 KiB through sol_sha256; its baseline is
// BenchmarkSHA256Native, the same hash called directly.
func BenchmarkSHA256Syscall(b *testing.B) {
	input := make([]byte, 2048)
	slices(input, 0, [2]uint64{1024, 1024})
	p := new(prog).call(NameSHA256, in(0), 1, in(64)).exit()
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.text, nil, 0), NewRegistry(), vm.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	m := vm.NewMachine()
	b.SetBytes(1024)
	for b.Loop() {
		if res := exe.Run(m, vm.RunOptions{Input: input, Budget: 10_000}); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}

func BenchmarkSHA256Native(b *testing.B) {
	data := make([]byte, 1024)
	b.SetBytes(1024)
	for b.Loop() {
		_ = sha256.Sum256(data)
	}
}

// BenchmarkLogSyscall logs a short line into a fresh Context each run.
func BenchmarkLogSyscall(b *testing.B) {
	input := []byte("hello, world")
	p := new(prog).call(NameLog, in(0), uint64(len(input))).exit()
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.text, nil, 0), NewRegistry(), vm.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	m := vm.NewMachine()
	ctx := NewContext([32]byte{})
	for b.Loop() {
		ctx.Reset()
		if res := exe.Run(m, vm.RunOptions{Input: input, Budget: 10_000, Context: ctx}); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}
