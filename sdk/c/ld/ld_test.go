package ld

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	agoraelf "github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

func object(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".o"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLinkRuns links calls.o, loads it as the reference loader would for
// deployment and for execution, and runs it: a global call, a
// pc-relative call, a call through a pointer, read-only data and a
// syscall all work.
func TestLinkRuns(t *testing.T) {
	so, err := Link(object(t, "calls"), nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Link(object(t, "calls"), nil)
	if err != nil || !slices.Equal(so, again) {
		t.Fatal("linking is not deterministic")
	}
	reg := syscalls.NewRegistry()
	deploy := agoraelf.DefaultOptions()
	deploy.RejectBrokenELFs = true
	if _, err := agoraelf.Load(so, reg, &deploy); err != nil {
		t.Fatalf("deployment load: %v", err)
	}
	img, err := agoraelf.LoadImage(so, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.Structural(img.Program.Text, img.Program.Version, reg); err != nil {
		t.Fatalf("verifier: %v", err)
	}
	exe, err := vm.Interpreter{}.Prepare(img.Program, reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[byte]uint64{0: 0 + 1 + 11, 2: 6 + 3 + 31, 7: 9 + 4 + 41} {
		ctx := syscalls.NewContext([32]byte{})
		res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: []byte{in}, Budget: 10_000, Context: ctx})
		if res.Err != nil || res.R0 != want {
			t.Errorf("input %d: r0 %d, %v; want %d", in, res.R0, res.Err, want)
		}
		if !slices.Equal(ctx.Messages(), []string{"Program log: calls"}) {
			t.Errorf("logs %q", ctx.Messages())
		}
	}
}

func TestObject(t *testing.T) {
	o, err := Object(object(t, "calls"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Functions["entrypoint"] != o.Entry || len(o.Functions) != 3 {
		t.Errorf("functions %v, entry %d", o.Functions, o.Entry)
	}
	if len(o.CallTargets) != 2 {
		t.Errorf("call targets %v", o.CallTargets)
	}
	if len(o.AddrRefs) != 3 {
		t.Errorf("address references %+v", o.AddrRefs)
	}
	if !strings.HasPrefix(string(o.ROData), "calls\x00") {
		t.Errorf("rodata %q", o.ROData)
	}
}

func TestLinkErrors(t *testing.T) {
	tests := []struct {
		obj  string
		opts *Options
		msg  string
	}{
		{"bss", nil, "section .bss holds writable data"},
		{"rodata_ptrs", nil, "pointers stored in constant data"},
		{"jmp32", nil, "32-bit jump"},
		{"noentry", nil, "no global function named entrypoint"},
		{"unknown", nil, `undefined function "mystery", which is not a syscall`},
		{"calls", &Options{IsSyscall: func(string) bool { return false }}, `"sol_log_", which is not a syscall`},
	}
	for _, tc := range tests {
		t.Run(tc.obj, func(t *testing.T) {
			_, err := Link(object(t, tc.obj), tc.opts)
			var le *Error
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %q", err, tc.msg)
			}
		})
	}
	for _, bad := range [][]byte{nil, []byte("\x7fELF"), make([]byte, 64)} {
		if _, err := Link(bad, nil); err == nil {
			t.Errorf("%q linked", bad)
		}
	}
	// An executable of another machine is not a BPF object.
	if exe, err := os.Executable(); err == nil {
		if b, err := os.ReadFile(exe); err == nil {
			if _, err := Link(b, nil); err == nil || !strings.Contains(err.Error(), "not a little-endian 64-bit BPF relocatable object") {
				t.Errorf("host executable: %v", err)
			}
		}
	}
}

func TestDefaultIsSyscall(t *testing.T) {
	for name, want := range map[string]bool{"abort": true, "sol_log_": true, "sol_invoke_signed_c": true, "agora_tx_begin": true, "memcpy": false, "": false} {
		if DefaultIsSyscall(name) != want {
			t.Errorf("%q: %v", name, !want)
		}
	}
}

// FuzzLink checks that no object file makes the linker panic, and that
// whatever it links loads.
func FuzzLink(f *testing.F) {
	for _, n := range []string{"calls", "bss", "jmp32", "rodata_ptrs", "unknown"} {
		f.Add(object(f, n))
	}
	reg := syscalls.NewRegistry()
	f.Fuzz(func(t *testing.T, obj []byte) {
		so, err := Link(obj, nil)
		if err != nil {
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if _, err := agoraelf.Load(so, reg, nil); err != nil {
			t.Fatalf("linked output does not load: %v", err)
		}
	})
}
