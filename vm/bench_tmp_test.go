package vm

import (
	"encoding/binary"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

func BenchmarkTmpALU(b *testing.B) {
	const iters = 1000000
	text := prog(I(sbpf.Mov64Imm, 1, 0, 0, iters), I(sbpf.Mov64Imm, 0, 0, 0, 0),
		I(sbpf.Add64Reg, 0, 1, 0, 0), I(sbpf.Xor64Imm, 0, 0, 0, 0x55), I(sbpf.Sub64Imm, 1, 0, 0, 1), I(sbpf.JneImm, 1, 0, -4, 0),
		I(sbpf.Exit, 0, 0, 0, 0))
	exe, _ := NewExecutable(NewRawProgram(sbpf.V0, text, nil, 0), nil, Config{})
	m := NewMachine()
	for b.Loop() {
		res := m.Run(exe, RunOptions{Budget: 1 << 40})
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(4*iters+3), "ns/insn")
}

var sink uint64

func BenchmarkTmpNative(b *testing.B) {
	const iters = 1000000
	for b.Loop() {
		var r0 uint64
		for r1 := uint64(iters); r1 != 0; r1-- {
			r0 += r1
			r0 ^= 0x55
		}
		sink = r0
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(4*iters+3), "ns/insn")
}

func BenchmarkTmpMem(b *testing.B) {
	text := prog(I(sbpf.Mov64Reg, 2, 1, 0, 0), I(sbpf.Mov64Imm, 3, 0, 0, 512), I(sbpf.Mov64Imm, 0, 0, 0, 0),
		I(sbpf.LdxDW, 4, 2, 0, 0), I(sbpf.Add64Reg, 0, 4, 0, 0), I(sbpf.Add64Imm, 4, 0, 0, 1), I(sbpf.StxDW, 2, 4, 0, 0),
		I(sbpf.Add64Imm, 2, 0, 0, 8), I(sbpf.Sub64Imm, 3, 0, 0, 1), I(sbpf.JneImm, 3, 0, -7, 0),
		I(sbpf.Exit, 0, 0, 0, 0))
	exe, _ := NewExecutable(NewRawProgram(sbpf.V0, text, nil, 0), nil, Config{})
	m := NewMachine()
	input := make([]byte, 4096)
	for b.Loop() {
		res := m.Run(exe, RunOptions{Budget: 1 << 40, Input: input})
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(7*512+4), "ns/insn")
}

func BenchmarkTmpMemNative(b *testing.B) {
	input := make([]byte, 4096)
	for b.Loop() {
		var sum uint64
		for i := 0; i < 4096; i += 8 {
			v := binary.LittleEndian.Uint64(input[i:])
			sum += v
			binary.LittleEndian.PutUint64(input[i:], v+1)
		}
		sink = sum
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(7*512+4), "ns/insn")
}
