package asm

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

var testSyscalls = []string{"sol_log_", "sol_log_64_", "abort", "sol_panic_", "sol_memcpy_", "agora_tx_begin"}

func testSyscallName(h uint32) (string, bool) {
	for _, n := range testSyscalls {
		if sbpf.SyscallHash(n) == h {
			return n, true
		}
	}
	return "", false
}

// randomProgram builds a program of instructions that are valid in v and
// use only the fields their operation defines, with in-range jumps and
// calls: the shape of a verified program.
func randomProgram(r *rand.Rand, v sbpf.Version) ([]byte, *DisasmOptions) {
	var valid []sbpf.Op
	for op := sbpf.Op(1); op < sbpf.NumOps; op++ {
		if _, ok := v.Opcode(op); ok {
			valid = append(valid, op)
		}
	}
	count := 1 + r.IntN(48)
	ops := make([]sbpf.Op, count)
	pcs := make([]int, count)
	pc := 0
	for i := range ops {
		ops[i] = valid[r.IntN(len(valid))]
		pcs[i] = pc
		pc++
		if ops[i] == sbpf.OpLDDW {
			pc++
		}
	}
	n := pc
	boundary := func() int {
		if r.IntN(8) == 0 {
			return n // the end of the text is a valid label position too
		}
		return pcs[r.IntN(count)]
	}
	imm := func() int32 {
		switch r.IntN(3) {
		case 0:
			return int32(r.IntN(64)) - 32
		case 1:
			return int32(r.Uint32())
		}
		return []int32{0, -1, 1 << 31 * -1, 1<<31 - 1}[r.IntN(4)]
	}
	reg := func(hi int) uint8 { return uint8(r.IntN(hi + 1)) }
	opts := &DisasmOptions{Functions: map[uint32]int{}, SyscallName: testSyscallName}
	var text []byte
	for i, op := range ops {
		info := op.Info()
		code, _ := v.Opcode(op)
		ins := sbpf.Instruction{Op: code}
		pc := pcs[i]
		switch info.Format {
		case sbpf.FmtLDDW:
			ins.Dst = reg(9)
			x := r.Uint64()
			ins.Imm = int32(x)
			text = sbpf.AppendEncoded(text, ins)
			ins = sbpf.Instruction{Imm: int32(x >> 32)}
		case sbpf.FmtLoad:
			ins.Dst, ins.Src, ins.Off = reg(9), reg(10), int16(r.Uint32())
		case sbpf.FmtStoreImm:
			ins.Dst, ins.Off, ins.Imm = reg(10), int16(r.Uint32()), imm()
		case sbpf.FmtStoreReg:
			ins.Dst, ins.Src, ins.Off = reg(10), reg(10), int16(r.Uint32())
		case sbpf.FmtALUImm:
			ins.Dst, ins.Imm = reg(9), imm()
			if op == sbpf.OpAdd64Imm && v.DynamicFrames() && r.IntN(4) == 0 {
				ins.Dst = 10
			}
		case sbpf.FmtALUReg:
			ins.Dst, ins.Src = reg(9), reg(10)
		case sbpf.FmtUnary:
			ins.Dst = reg(9)
		case sbpf.FmtEndian:
			ins.Dst, ins.Imm = reg(9), []int32{16, 32, 64}[r.IntN(3)]
		case sbpf.FmtJa:
			ins.Off = int16(boundary() - pc - 1)
		case sbpf.FmtJumpImm:
			ins.Dst, ins.Imm, ins.Off = reg(10), imm(), int16(boundary()-pc-1)
		case sbpf.FmtJumpReg:
			ins.Dst, ins.Src, ins.Off = reg(10), reg(10), int16(boundary()-pc-1)
		case sbpf.FmtCall:
			t := pcs[r.IntN(count)]
			switch {
			case r.IntN(3) == 0:
				ins.Imm = int32(sbpf.SyscallHash(testSyscalls[r.IntN(len(testSyscalls))]))
			case r.IntN(3) == 0:
				ins.Imm = imm() // an unknown syscall
			case v.StaticSyscalls():
				ins.Src, ins.Imm = 1, int32(t-pc-1)
				opts.Functions[uint32(t)] = t
			default:
				ins.Imm = int32(t)
				opts.Functions[uint32(t)] = t
			}
		case sbpf.FmtCallx:
			x := reg(9)
			switch {
			case v.CallxUsesSrcReg():
				ins.Src = x
			case v.CallxUsesDstReg():
				ins.Dst = x
			default:
				ins.Imm = int32(x)
			}
		}
		text = sbpf.AppendEncoded(text, ins)
	}
	return text, opts
}

// TestRoundTripProperty disassembles random verified-style programs of
// every version, expects no raw slots, and reassembles the same bytes.
func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for v := sbpf.V0; v <= sbpf.LatestVersion; v++ {
		for range 300 {
			text, opts := randomProgram(r, v)
			src, err := Disassemble(text, v, opts)
			if err != nil {
				t.Fatalf("%s: %v", v, err)
			}
			if strings.Contains(src, ".fill") {
				t.Fatalf("%s: valid program has a raw slot:\n%s", v, src)
			}
			p, err := Assemble(src, v, nil)
			if err != nil {
				t.Fatalf("%s: reassembling:\n%s\n%v", v, src, err)
			}
			if !bytes.Equal(p.Text, text) {
				t.Fatalf("%s: reassembly differs:\n%s\ngot  %x\nwant %x", v, src, p.Text, text)
			}
		}
	}
}

// roundTrip checks that text disassembles to source that assembles back
// to text, under several option sets.
func roundTrip(t *testing.T, text []byte, v sbpf.Version) {
	n := len(text) / sbpf.InsnSize
	identity := map[uint32]int{}
	hashed := map[uint32]int{}
	for pc := 0; pc <= n; pc++ {
		identity[uint32(pc)] = pc
		hashed[sbpf.PCHash(uint64(pc))] = pc
	}
	for _, opts := range []*DisasmOptions{
		nil,
		{Functions: identity, SyscallName: testSyscallName, Names: map[int]string{0: "entrypoint", 1: "lbb_0", 2: "r2"}},
		{Functions: hashed, SyscallName: testSyscallName},
	} {
		src, err := Disassemble(text, v, opts)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		p, err := Assemble(src, v, nil)
		if err != nil {
			t.Fatalf("%s: reassembling:\n%s\n%v", v, src, err)
		}
		if !bytes.Equal(p.Text, text) {
			t.Fatalf("%s: reassembly differs:\n%s\ngot  %x\nwant %x", v, src, p.Text, text)
		}
		for pc := 0; pc < n; pc += 1 + n/64 {
			if _, _, err := DisassembleInstruction(text, pc, v, opts); err != nil {
				t.Fatalf("%s: DisassembleInstruction(%d): %v", v, pc, err)
			}
		}
	}
}

// TestRoundTripEveryOpcode puts every opcode, with assorted fields, through
// every version.
func TestRoundTripEveryOpcode(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for v := sbpf.V0; v <= sbpf.LatestVersion; v++ {
		var text []byte
		for op := range 256 {
			for range 4 {
				var slot [8]byte
				for i := range slot {
					slot[i] = byte(r.Uint32())
				}
				slot[0] = byte(op)
				if r.IntN(2) == 0 {
					slot[1] &= 0x0f // src 0, common in real code
					slot[2], slot[3] = 0, 0
				}
				text = append(text, slot[:]...)
			}
		}
		roundTrip(t, text, v)
	}
}

// TestRoundTripLarge round-trips a program larger than any verifier
// accepts, in which every slot is a labelled jump target.
func TestRoundTripLarge(t *testing.T) {
	p, err := Assemble(".fill 70000, 0x03bd\nexit", sbpf.V0, nil) // jle r3, r0, +0
	if err != nil {
		t.Fatal(err)
	}
	src, err := Disassemble(p.Text, sbpf.V0, p.DisasmOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, "lbb_69999:\n    jle r3, r0, lbb_70000\n") {
		t.Fatalf("unexpected text near the end:\n%s", src[len(src)-200:])
	}
	checkReassembles(t, src, sbpf.V0, p.Text)
}

// TestReadOnlyDataRoundTrip: a program with a .rodata section and lddw
// label references disassembles (given its data and references) into
// text that assembles back to the same slots, data and references.
func TestReadOnlyDataRoundTrip(t *testing.T) {
	src := "entrypoint:\n    lddw r1, msg\n    lddw r2, entrypoint\n    lddw r3, end\n    exit\n.rodata\nmsg:\n    .byte 0x68, 0x69, 0\n    .byte 255, -1\nend:\n"
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V1, sbpf.V3} {
		p, err := Assemble(src, v, nil)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if string(p.ROData) != "hi\x00\xff\xff" || len(p.AddrRefs) != 3 || p.DataLabels["end"] != 5 {
			t.Fatalf("%s: data %q refs %+v labels %v", v, p.ROData, p.AddrRefs, p.DataLabels)
		}
		opts := p.DisasmOptions()
		opts.ROData, opts.AddrRefs = p.ROData, p.AddrRefs
		out, err := Disassemble(p.Text, v, opts)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Assemble(out, v, nil)
		if err != nil {
			t.Fatalf("%s: %v\n%s", v, err, out)
		}
		if !bytes.Equal(p.Text, q.Text) || !bytes.Equal(p.ROData, q.ROData) || len(q.AddrRefs) != 3 {
			t.Fatalf("%s: round trip differs\n%s", v, out)
		}
		for i := range p.AddrRefs {
			if p.AddrRefs[i] != q.AddrRefs[i] {
				t.Errorf("%s: ref %d: %+v vs %+v", v, i, p.AddrRefs[i], q.AddrRefs[i])
			}
		}
	}
	// A reference into the middle of an lddw cannot be named.
	p, _ := Assemble("lddw r1, 0\nexit\n", sbpf.V0, nil)
	if _, err := Disassemble(p.Text, sbpf.V0, &DisasmOptions{AddrRefs: []AddrRef{{PC: 0, Offset: 8}}}); err == nil {
		t.Error("reference into an lddw accepted")
	}
}
