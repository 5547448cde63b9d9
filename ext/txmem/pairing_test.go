package txmem

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// The verifier's names are this package's.
func TestVerifierNames(t *testing.T) {
	if verify.TxBeginName != NameBegin || verify.TxCommitName != NameCommit || verify.TxAbortName != NameAbort || verify.TxTestName != NameTest {
		t.Fatal("verify and txmem disagree on the syscall names")
	}
	for k, want := range map[verify.PairingKind]ErrorKind{
		verify.PairNestedTransaction:   KindNestedTransaction,
		verify.PairNoActiveTransaction: KindNoActiveTransaction,
		verify.PairTransactionLeak:     KindTransactionLeak,
	} {
		if k.String() != want.String() {
			t.Fatalf("finding kind %s is run-time kind %s", k, want)
		}
	}
}

// randomProgram builds a V0 program from data: a main body and two
// helper functions whose instructions are drawn from transaction calls,
// branches on input bytes and on tx_test's answer, local calls and exits.
func randomProgram(data []byte) string {
	src := &byteSource{b: data}
	var b strings.Builder
	b.WriteString("    ldxb r2, [r1+0]\n    ldxb r3, [r1+1]\n    ldxb r4, [r1+2]\n")
	body := func(prefix string, n int) {
		for i := range n {
			fmt.Fprintf(&b, "%s%d:\n", prefix, i)
			target := func() string { return fmt.Sprintf("%s%d", prefix, int(src.next())%(n+1)) }
			switch src.next() % 14 {
			case 0, 1:
				b.WriteString("    tx_begin\n")
			case 2:
				b.WriteString("    tx_commit\n")
			case 3:
				b.WriteString("    tx_abort\n")
			case 4:
				b.WriteString("    tx_test\n    mov64 r6, r0\n")
			case 5:
				fmt.Fprintf(&b, "    jeq r6, %d, %s\n", src.next()%2, target())
			case 6:
				fmt.Fprintf(&b, "    jne r0, 0, %s\n", target())
			case 7, 8:
				fmt.Fprintf(&b, "    jgt r%d, %d, %s\n", 2+src.next()%3, src.next(), target())
			case 9:
				fmt.Fprintf(&b, "    ja %s\n", target())
			case 10:
				fmt.Fprintf(&b, "    call function_%c\n", 'a'+src.next()%2)
			case 11:
				b.WriteString("    exit\n")
			case 12:
				b.WriteString("    stdw [r1+8], 1\n")
			default:
				fmt.Fprintf(&b, "    sub64 r%d, 1\n", 2+src.next()%3)
			}
		}
		fmt.Fprintf(&b, "%s%d:\n    exit\n", prefix, n)
	}
	body("m", 12)
	b.WriteString("function_a:\n")
	body("a", 4)
	b.WriteString("function_b:\n")
	body("b", 4)
	return b.String()
}

// checkPairingSound runs the verifier on a random program and the program
// itself on several inputs: a proven program never faults with a pairing
// kind, and every pairing fault that a run hits is among the findings.
func checkPairingSound(t *testing.T, data []byte, inputs [][]byte) {
	src := randomProgram(data)
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: Aliases()})
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	reg := registry(t)
	rep, err := verify.TxPairing(p.Text, sbpf.V0, &verify.PairingOptions{Entry: p.Entry, Functions: p.Functions, Syscalls: reg})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m := vm.NewMachine()
	for _, in := range inputs {
		res := exe.Run(m, vm.RunOptions{Input: append([]byte(nil), in...), Budget: 2000, Context: syscalls.NewContext([32]byte{})})
		kind := vm.ErrorKindOf(res.Err)
		switch kind {
		case "NestedTransaction", "NoActiveTransaction", "TransactionLeak":
		default:
			continue
		}
		pc := res.Err.(*vm.Error).PC
		if rep.Verdict == verify.PairingProven {
			t.Fatalf("proven, but input %x faults with %s at pc %d\n%s", in, kind, pc, src)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || (f.Kind.String() == kind && f.PC == pc && f.Verdict == verify.PairingViolation)
		}
		if !found {
			t.Fatalf("input %x faults with %s at pc %d, not among the findings\n%s\n%s", in, kind, pc, rep, src)
		}
	}
}

var pairingInputs = func() [][]byte {
	rng := rand.New(rand.NewPCG(5, 6))
	out := [][]byte{make([]byte, 16), {255, 255, 255}}
	for range 10 {
		in := make([]byte, 16)
		for i := range 3 {
			in[i] = byte(rng.Uint32())
		}
		out = append(out, in)
	}
	return out
}()

func FuzzPairingSound(f *testing.F) {
	f.Add([]byte{0, 0, 7, 0, 200, 1, 2, 11})
	f.Add([]byte{4, 5, 1, 3, 0, 10, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) { checkPairingSound(t, data, pairingInputs) })
}

func TestPairingSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		data := make([]byte, 64)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		checkPairingSound(t, data, pairingInputs)
	}
}
