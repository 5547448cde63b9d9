package elf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// refELFDir is where the reference's test programs (anza-xyz/sbpf
// tests/elfs/*.so) are read from. They are not part of this repository.
func refELFDir() string {
	if d := os.Getenv("AGORA_REF_ELFS"); d != "" {
		return d
	}
	return "/tmp/ref/tests/elfs"
}

// refELF reads one reference test program, skipping the test when the
// reference checkout is absent.
func refELF(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refELFDir(), name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("reference ELF %s not found in %s (set AGORA_REF_ELFS to the reference's tests/elfs)", name, refELFDir())
		}
		t.Fatal(err)
	}
	return b
}

// testSyscalls registers the reference test suite's "log" (SyscallString)
// and "log_64" (SyscallU64). Like the reference's test context, they
// charge nothing beyond the instructions already executed.
func testSyscalls() *vm.Registry {
	r := vm.NewRegistry()
	r.MustRegister("log", func(m *vm.Machine, addr, n, _, _, _ uint64) (uint64, error) {
		if n == 0 {
			return 0, nil
		}
		if _, err := m.Translate(vm.Load, addr, n); err != nil {
			return 0, err
		}
		return 0, nil
	})
	r.MustRegister("log_64", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		return 0, nil
	})
	return r
}

func versions(lo, hi sbpf.Version) *Options {
	o := DefaultOptions()
	o.MinVersion, o.MaxVersion = lo, hi
	return &o
}

// kindOf returns the Kind and ParseKind of err (KindNone for nil).
func kindOf(t testing.TB, err error) (Kind, ParseKind) {
	t.Helper()
	if err == nil {
		return KindNone, ParseNone
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *elf.Error", err, err)
	}
	return e.Kind, e.Parse
}

func wantKind(t testing.TB, err error, k Kind) *Error {
	t.Helper()
	got, _ := kindOf(t, err)
	if got != k {
		t.Fatalf("got error %v (kind %v), want kind %v", err, got, k)
	}
	var e *Error
	errors.As(err, &e)
	return e
}

func wantParse(t testing.TB, err error, p ParseKind) {
	t.Helper()
	_, got := kindOf(t, err)
	if got != p {
		t.Fatalf("got error %v (parse kind %v), want %v", err, got, p)
	}
}

// runProgram prepares and runs p with the given budget and input.
func runProgram(t testing.TB, p *vm.Program, reg *vm.Registry, input []byte, budget uint64) vm.Result {
	t.Helper()
	exe, err := vm.Interpreter{}.Prepare(p, reg, vm.Config{})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: budget})
}

func vmKind(err error) vm.ErrorKind {
	var e *vm.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return vm.KindNone
}
