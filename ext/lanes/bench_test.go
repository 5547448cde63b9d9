package lanes

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// benchSrc spawns k children of about 3·loops CU each and joins them.
func benchSrc(k, loops int) string {
	var b strings.Builder
	b.WriteString("entrypoint:\n mov64 r6, r1\n mov64 r9, 0\n")
	for i := range k {
		b.WriteString(spawnAt(i, i, loops, 64+8*i))
	}
	for i := range k {
		b.WriteString(joinAt(64+8*i, 16))
	}
	b.WriteString(" mov64 r0, r9\n exit\n" + child)
	return b.String()
}

// BenchmarkLanes runs two and four children of ~30k CU each in parallel
// goroutines and, as the baseline in the same run, serially (each child
// to completion at its spawn). ns/op of parallel against serial is the
// wall-time speedup; the CU total is the same in both.
func BenchmarkLanes(b *testing.B) {
	for _, k := range []int{2, 4} {
		for _, serial := range []bool{true, false} {
			name := fmt.Sprintf("children=%d/serial", k)
			if !serial {
				name = fmt.Sprintf("children=%d/parallel", k)
			}
			b.Run(name, func(b *testing.B) {
				exe := prepare(b, serial, benchSrc(k, 10_000))
				m := vm.NewMachine()
				input := make([]byte, 24)
				var res vm.Result
				for b.Loop() {
					res = exe.Run(m, vm.RunOptions{Input: input, Budget: 1_000_000, Context: syscalls.NewContext([32]byte{})})
					if res.Err != nil {
						b.Fatal(res.Err)
					}
					clear(input)
				}
				b.ReportMetric(float64(res.CU), "CU")
				b.ReportMetric(float64(Span(m, res.CU)), "CU-span")
			})
		}
	}
}
