package asm

import (
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

func TestGloblDirective(t *testing.T) {
	p, err := Assemble(".globl double\n.global triple\n.globl double\nentrypoint:\n  exit\ndouble:\n  exit\ntriple:\n  exit\n", sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Exports, []string{"double", "triple"}) || p.Labels["double"] != 1 {
		t.Fatalf("exports %q labels %v", p.Exports, p.Labels)
	}
	for _, tc := range []struct{ src, msg string }{
		{".globl nothere\nexit", ".globl nothere: no such label"},
		{".globl 3\nexit", ".globl takes one function label"},
		{".globl a, b\na: exit\nb: exit", ".globl takes one function label"},
	} {
		if _, err := Assemble(tc.src, sbpf.V0, nil); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.msg)
		}
	}
}
