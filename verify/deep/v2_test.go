package deep_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/verify/symex"
	"github.com/agora-vm/agora/vm"
)

// genV2 builds a random sBPF v2 program: input words loaded into r2-r5,
// then V2's own arithmetic (zero-extending ALU32, imm - dst subtraction,
// sign-extending mov32, the PQR class, hor64), stack spills through the
// dynamic frame, and forward jumps.
func genV2(r *rand.Rand) []byte {
	var text []byte
	emit := func(i sbpf.Instruction) { text = sbpf.AppendEncoded(text, i) }
	for reg := uint8(2); reg <= 5; reg++ {
		emit(sbpf.Instruction{Op: sbpf.Ldx8B, Dst: reg, Src: 1, Off: int16(8 * (reg - 2))})
	}
	ops := []sbpf.Opcode{sbpf.Add32Imm, sbpf.Add32Reg, sbpf.Sub32Imm, sbpf.Sub32Reg, sbpf.Sub64Imm, sbpf.Mov32Reg,
		sbpf.Lmul32Imm, sbpf.Lmul32Reg, sbpf.Lmul64Imm, sbpf.Lmul64Reg, sbpf.Udiv32Imm, sbpf.Urem32Imm,
		sbpf.Udiv64Imm, sbpf.Urem64Imm, sbpf.Udiv64Reg, sbpf.Hor64Imm, sbpf.Uhmul64Imm, sbpf.Sdiv64Imm,
		sbpf.Opcode(0x57) /* and64 imm */, sbpf.Opcode(0x0f) /* add64 reg */}
	imms := []int32{0, 1, 3, 255, 1000, -1, -7, 1 << 20, -1 << 31, 1<<31 - 1}
	n := 2 + r.IntN(10)
	for range n {
		dst, src := uint8(2+r.IntN(5)), uint8(2+r.IntN(5))
		switch k := r.IntN(10); {
		case k < 7:
			op := ops[r.IntN(len(ops))]
			imm := imms[r.IntN(len(imms))]
			if (op == sbpf.Udiv32Imm || op == sbpf.Urem32Imm || op == sbpf.Udiv64Imm || op == sbpf.Urem64Imm || op == sbpf.Sdiv64Imm) && imm == 0 {
				imm = 3
			}
			emit(sbpf.Instruction{Op: op, Dst: dst, Src: src, Imm: imm})
		case k < 9:
			off := -8 * int16(1+r.IntN(4))
			emit(sbpf.Instruction{Op: sbpf.Stx8B, Dst: 10, Src: src, Off: off})
			emit(sbpf.Instruction{Op: sbpf.Ldx8B, Dst: dst, Src: 10, Off: off})
		default:
			emit(sbpf.Instruction{Op: sbpf.Opcode(0x25), Dst: dst, Imm: imms[r.IntN(len(imms))], Off: 1}) // jgt imm, +1
		}
	}
	emit(sbpf.Instruction{Op: sbpf.Opcode(0xb7), Dst: 0}) // mov64 r0, 0
	emit(sbpf.Instruction{Op: sbpf.Exit})
	return text
}

// wrapHook records whether any instruction wrapped, and whether pc did.
type wrapHook struct {
	v       sbpf.Version
	text    []byte
	pc      int
	any, at bool
	anyPC   int
}

func (h *wrapHook) Step(m *vm.Machine, pc int) {
	insn := sbpf.Decode(h.text[pc*sbpf.InsnSize:])
	regs := m.Registers()
	if symex.Wraps(h.v, insn, regs[insn.Dst&15], regs[insn.Src&15]) {
		if !h.any {
			h.anyPC = pc
		}
		h.any = true
		if pc == h.pc {
			h.at = true
		}
	}
}

// TestV2AgainstVM checks the deep analyses of sBPF v2 programs against
// the VM, which implements v2 exactly: every overflow counterexample
// wraps at its pc when run, a program proven free of overflow never
// wraps on random inputs, and one proven memory safe never faults.
func TestV2AgainstVM(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2))
	reg := syscalls.NewRegistry()
	var proven, findings, memSafe int
	for i := range 40 {
		text := genV2(r)
		if err := verify.Structural(text, sbpf.V2, reg); err != nil {
			t.Fatalf("program %d: %v", i, err)
		}
		p := vm.NewRawProgram(sbpf.V2, text, nil, 0)
		rep, err := deep.Analyze(&deep.Options{Version: sbpf.V2, Text: text, ROData: p.ROData, RODataVAddr: p.RODataVAddr,
			HeapSize: vm.DefaultConfig().HeapSize, Timeout: 10 * time.Second, QueryTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		exe, err := vm.Interpreter{}.Prepare(p, reg, vm.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		run := func(input []byte, pc int) (*wrapHook, error) {
			h := &wrapHook{v: sbpf.V2, text: text, pc: pc}
			res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 10000, Hook: h})
			return h, res.Err
		}
		for _, f := range rep.Findings {
			if f.Kind != "overflow" {
				continue
			}
			findings++
			in := f.Input
			if in == nil {
				t.Fatalf("program %d: finding without input", i)
			}
			if h, _ := run(in, f.PC); !h.at {
				t.Fatalf("program %d: overflow at pc %d does not replay\n%x", i, f.PC, text)
			}
		}
		isProven := func(prefix string) bool {
			for _, s := range rep.Proven {
				if strings.HasPrefix(s, prefix) {
					return true
				}
			}
			return false
		}
		if isProven("overflow:") {
			proven++
		}
		if isProven("memory:") {
			memSafe++
		}
		for range 12 {
			in := make([]byte, 32+r.IntN(16))
			for j := range in {
				in[j] = byte(r.Uint32())
			}
			if r.IntN(3) == 0 { // small words reach the guarded side of branches
				for j := range in {
					in[j] &= 3
				}
			}
			h, err := run(in, -1)
			if isProven("overflow:") && h.any {
				t.Fatalf("program %d: overflow proven, but pc %d wraps on %x\n%x", i, h.anyPC, in, text)
			}
			if k := vm.ErrorKindOf(err); isProven("memory:") && (k == "AccessViolation" || k == "StackAccessViolation") {
				t.Fatalf("program %d: memory proven, but %v on %x", i, err, in)
			}
		}
	}
	t.Logf("40 v2 programs: %d overflow findings replayed, %d proven free of overflow, %d proven memory safe", findings, proven, memSafe)
	if findings < 20 || proven < 5 || memSafe < 20 {
		t.Fatalf("the sample does not exercise the analyses (%d findings, %d overflow proven, %d memory proven)", findings, proven, memSafe)
	}
}
