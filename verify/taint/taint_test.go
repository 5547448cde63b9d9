package taint

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/verify/absint"
)

func analyze(t *testing.T, src string, specs ...string) *Result {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ai, err := absint.Analyze(&absint.Program{Version: sbpf.V0, Text: p.Text, Entry: p.Entry, Functions: p.Functions},
		&absint.Layout{InputLen: -1, HeapSize: 32 << 10, ROData: p.Text, RODataVAddr: sbpf.BytecodeStart}, absint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ss []Spec
	for _, s := range specs {
		sp, err := ParseSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		ss = append(ss, sp)
	}
	r, err := Analyze(&Program{Version: sbpf.V0, Text: p.Text, Entry: p.Entry, Functions: p.Functions}, ai, &Shape{Raw: true}, ss)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFlows(t *testing.T) {
	cases := []struct {
		name string
		src  string
		leak bool
	}{
		{"explicit", "ldxdw r0, [r1+0]\nexit", true},
		{"public only", "ldxdw r0, [r1+8]\nexit", false},
		{"implicit (trading_agent)", "ldxdw r2, [r1+0]\nmov64 r0, 0\njle r2, 1000000, +1\nmov64 r0, 1\nexit", true},
		{"branch joins before r0", "ldxdw r2, [r1+0]\nmov64 r3, 0\njle r2, 5, +1\nmov64 r3, 1\nmov64 r0, 7\nexit", false},
		{"through the stack", "ldxdw r2, [r1+0]\nstxdw [r10-8], r2\nldxdw r0, [r10-8]\nexit", true},
		{"overwritten", "ldxdw r2, [r1+0]\nstxdw [r10-8], r2\nstdw [r10-8], 3\nldxdw r0, [r10-8]\nexit", false},
		{"xor self", "ldxdw r0, [r1+0]\nxor64 r0, r0\nexit", false},
		{"log", "mov64 r2, 8\nsyscall sol_log_\nmov64 r0, 0\nexit", true},
		{"log public", "add64 r1, 8\nmov64 r2, 8\nsyscall sol_log_\nmov64 r0, 0\nexit", false},
		{"declassified", "ldxdw r2, [r1+0]\nrsh64 r2, 63\nstxdw [r10-8], r2\nmov64 r1, r10\nadd64 r1, -8\nmov64 r2, 8\nsyscall agora_declassify\nldxdw r0, [r10-8]\nexit", false},
		{"callee", "ldxdw r1, [r1+0]\ncall function_f\nexit\nfunction_f:\nmov64 r0, r1\nexit", true},
		// A memset whose length is not exact may leave the private word.
		{"memset of unknown length", "ldxdw r2, [r1+0]\nstxdw [r10-8], r2\nldxdw r3, [r1+8]\nand64 r3, 15\nmov64 r1, r10\nadd64 r1, -16\nmov64 r2, 0\nsyscall sol_memset_\nldxdw r0, [r10-8]\nexit", true},
		{"memset of exact length", "ldxdw r2, [r1+0]\nstxdw [r10-8], r2\nmov64 r3, 16\nmov64 r1, r10\nadd64 r1, -16\nmov64 r2, 0\nsyscall sol_memset_\nldxdw r0, [r10-8]\nexit", false},
		// The callee writes through a pointer into its caller's frame,
		// at a slot the caller never wrote.
		{"callee writes the caller's frame", "mov64 r2, r1\nmov64 r1, r10\nadd64 r1, -8\ncall function_f\nldxdw r0, [r10-8]\nexit\nfunction_f:\nldxdw r3, [r2+0]\nstxdw [r1+0], r3\nmov64 r0, 0\nexit", true},
		// A memcpy of unknown length that may reach far into the frame.
		{"wide memcpy", "ldxdw r3, [r1+8]\nmov64 r2, r1\nmov64 r1, r10\nadd64 r1, -4000\nsyscall sol_memcpy_\nldxdw r0, [r10-8]\nexit", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := analyze(t, c.src, "input:0:8")
			if got := len(r.Leaks) > 0; got != c.leak {
				t.Errorf("leak %v want %v: %+v", got, c.leak, r.Leaks)
			}
			if !r.Complete {
				t.Errorf("incomplete: %v", r.Why)
			}
		})
	}
}

func TestParseSpec(t *testing.T) {
	for _, s := range []string{"input:0:8", "account:1:8:8", "data:0:4"} {
		if _, err := ParseSpec(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "input", "input:0", "input:x:8", "account:1:2", "data:0:0", "foo:1:2", "input:-1:2", "input:0:8:9"} {
		if _, err := ParseSpec(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add("input:0:8")
	f.Add("account:1:8:8")
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpec(s)
		if err == nil && (sp.Len <= 0 || sp.Off < 0) {
			t.Fatalf("accepted %q as %+v", s, sp)
		}
	})
}
