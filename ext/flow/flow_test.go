package flow

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

func TestDeclassify(t *testing.T) {
	cases := []struct {
		name string
		src  string
		kind string // "" ok
		cu   uint64
	}{
		{"stack range", "stdw [r10-8], 7\nmov64 r1, r10\nadd64 r1, -8\nmov64 r2, 8\ndeclassify\nexit", "", 6 + 100},
		{"empty range anywhere", "mov64 r1, 0\nmov64 r2, 0\ndeclassify\nexit", "", 4 + 100},
		{"out of bounds", "mov64 r1, 0\nmov64 r2, 8\ndeclassify\nexit", "AccessViolation", 3 + 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := asm.Assemble(c.src, sbpf.V0, &asm.Options{Aliases: Aliases()})
			if err != nil {
				t.Fatal(err)
			}
			reg := vm.NewRegistry()
			if err := Register(reg); err != nil {
				t.Fatal(err)
			}
			exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			res := exe.Run(vm.NewMachine(), vm.RunOptions{Budget: 10000})
			if got := vm.ErrorKindOf(res.Err); c.kind == "" && res.Err != nil || c.kind != "" && got != c.kind {
				t.Fatalf("err %v (%s), want %q", res.Err, got, c.kind)
			}
			if c.kind == "" && (res.R0 != 0 || res.CU != c.cu) {
				t.Fatalf("r0 %d cu %d, want 0 and %d", res.R0, res.CU, c.cu)
			}
		})
	}
	if err := Register(nil); err == nil {
		t.Fatal("nil registry accepted")
	}
	reg := vm.NewRegistry()
	_ = Register(reg)
	if err := Register(reg); err == nil {
		t.Fatal("second registration accepted")
	}
}
