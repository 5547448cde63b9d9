package cfg

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
)

func TestIPDom(t *testing.T) {
	src := `ldxdw r2, [r1+0]
jgt r2, 5, +2
mov64 r0, 1
ja +1
mov64 r0, 2
mov64 r3, 0
jeq r2, 0, +1
exit
exit`
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := Build(p.Text, sbpf.V0, 0, nil, nil)
	want := map[int]int{0: 1, 1: 5, 2: 3, 3: 5, 4: 5, 5: 6, 6: Exit, 7: Exit, 8: Exit}
	for pc, w := range want {
		if g.IPDom[pc] != w {
			t.Errorf("ipdom(%d) = %d, want %d", pc, g.IPDom[pc], w)
		}
	}
}
