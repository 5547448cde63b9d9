// Package testutil holds what several packages' tests share: finding the
// module root and the shared conformance vectors beside it, and running
// one syscall from a small sBPF program over guest memory laid out by an
// Arena. It is for tests only and never part of a runtime path.
package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// ModuleRoot returns the directory holding go.mod, walking up from the
// working directory (a test's package directory), or "" if there is none.
func ModuleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ConformanceDir returns ../shared/conformance/sub beside the module root,
// or "" when this checkout has none (a plain clone has no ../shared).
func ConformanceDir(sub string) string {
	root := ModuleRoot()
	if root == "" {
		return ""
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "conformance", sub)
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// Arena lays out guest memory in the input region (writable; r1 points at
// it) and hands out guest addresses.
type Arena struct{ Buf []byte }

// Put copies b in at an 8-aligned offset and returns its guest address.
func (a *Arena) Put(b []byte) uint64 {
	for len(a.Buf)%8 != 0 {
		a.Buf = append(a.Buf, 0)
	}
	addr := sbpf.InputStart + uint64(len(a.Buf))
	a.Buf = append(a.Buf, b...)
	return addr
}

// Alloc reserves n zero bytes and returns their guest address.
func (a *Arena) Alloc(n int) uint64 { return a.Put(make([]byte, n)) }

// At returns n bytes at a guest address the arena handed out.
func (a *Arena) At(addr uint64, n int) []byte {
	off := addr - sbpf.InputStart
	return a.Buf[off : off+uint64(n)]
}

// CallOverhead is the CU of CallProgram around its syscall: five lddw, the
// call and the exit.
const CallOverhead = 7

// CallProgram is `lddw r1..r5, args; call name; exit` (V0).
func CallProgram(name string, args [5]uint64) []byte {
	var text []byte
	for i, v := range args {
		text = sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.LdDwImm, Dst: uint8(i + 1), Imm: int32(uint32(v))})
		text = sbpf.AppendEncoded(text, sbpf.Instruction{Imm: int32(uint32(v >> 32))})
	}
	text = sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash(name))})
	return sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.Exit})
}

// Call runs name with args from CallProgram on m, over input, with the
// syscalls of reg and ctx as the run's context.
func Call(m *vm.Machine, reg *vm.Registry, input []byte, budget uint64, ctx any, name string, args ...uint64) (vm.Result, error) {
	var regs [5]uint64
	copy(regs[:], args)
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, CallProgram(name, regs), nil, 0), reg, vm.Config{})
	if err != nil {
		return vm.Result{}, err
	}
	return exe.Run(m, vm.RunOptions{Input: input, Budget: budget, Context: ctx}), nil
}

// SPLTokenEnv names the file holding the mainnet SPL Token program's
// ELF, which the repository does not hold; node/e2e/dump-spl.mjs
// extracts it from LiteSVM, and .ci/run sets it.
const SPLTokenEnv = "AGORA_SPL_TOKEN"

// SPLTokenPath returns the SPL Token ELF's path, skipping the test when
// SPLTokenEnv is not set.
func SPLTokenPath(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv(SPLTokenEnv)
	if path == "" {
		tb.Skip(SPLTokenEnv + " is not set (the SPL Token ELF is not in the repository; node/e2e/dump-spl.mjs writes it)")
	}
	return path
}

// SPLToken returns the SPL Token ELF's bytes (see SPLTokenPath).
func SPLToken(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(SPLTokenPath(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
