package verify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
)

var txAliases = map[string]string{
	"tx_begin": TxBeginName, "tx_commit": TxCommitName, "tx_abort": TxAbortName, "tx_test": TxTestName,
}

// pairingOf assembles src and runs TxPairing with the standard syscalls
// named in the test registered.
func pairingOf(t *testing.T, v sbpf.Version, src string, maxStates int) *PairingReport {
	t.Helper()
	p, err := asm.Assemble(src, v, &asm.Options{Aliases: txAliases})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := TxPairing(p.Text, v, &PairingOptions{
		Entry: p.Entry, Functions: p.Functions, Lines: p.Lines, MaxStates: maxStates,
		Syscalls: hashSet(TxBeginName, TxCommitName, TxAbortName, TxTestName, "sol_log_", "sol_panic_", "abort"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// brief renders the findings as "Kind@pc/verdict" for comparison.
func brief(rep *PairingReport) string {
	var parts []string
	for _, f := range rep.Findings {
		s := fmt.Sprintf("%s@%d", f.Kind, f.PC)
		if f.Verdict == PairingNotProvable {
			s += "?"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestTxPairing(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		verdict   PairingVerdict
		findings  string
	}{
		{"no transactions", "mov64 r0, 0\ncallx r1\nexit", PairingProven, ""},
		{"begin commit", "tx_begin\ntx_commit\nexit", PairingProven, ""},
		{"test only", "tx_test\nexit", PairingProven, ""},
		{"both branches close", `
    tx_begin
    jeq r1, 0, fail
    tx_commit
    exit
fail:
    tx_abort
    mov64 r0, 1
    exit`, PairingProven, ""},
		{"one branch leaks", `
    tx_begin
    jeq r1, 0, skip
    tx_commit
skip:
    exit`, PairingViolation, "TransactionLeak@3"},
		{"nested", "tx_begin\ntx_begin\ntx_commit\ntx_commit\nexit", PairingViolation, "NestedTransaction@1"},
		{"commit without", "mov64 r0, 0\ntx_commit\nexit", PairingViolation, "NoActiveTransaction@1"},
		{"abort twice", "tx_begin\ntx_abort\ntx_abort\nexit", PairingViolation, "NoActiveTransaction@2"},
		{"loop of transactions", `
    mov64 r6, 10
loop:
    tx_begin
    stdw [r1+0], 1
    tx_commit
    sub64 r6, 1
    jne r6, 0, loop
    exit`, PairingProven, ""},
		{"loop left open", `
    mov64 r6, 10
loop:
    tx_begin
    sub64 r6, 1
    jne r6, 0, loop
    tx_commit
    exit`, PairingViolation, "NestedTransaction@1"},
		{"guarded by tx_test", `
    jeq r1, 0, nobegin
    tx_begin
nobegin:
    tx_test
    mov64 r6, r0
    call function_helper
    jeq r6, 0, done
    tx_commit
done:
    exit
function_helper:
    mov64 r0, 7
    exit`, PairingProven, ""},
		{"tx_test result clobbered", `
    jeq r1, 0, nobegin
    tx_begin
nobegin:
    tx_test
    mov64 r2, r0
    syscall sol_log_
    jeq r2, 0, done
    tx_commit
done:
    exit`, PairingViolation, "NoActiveTransaction@6 TransactionLeak@7"},
		{"jmp32-free flag compare", `
    tx_begin
    tx_test
    jne r0, 1, bad
    tx_commit
    exit
bad:
    exit`, PairingProven, ""},
		{"helper commits", `
    tx_begin
    call function_finish
    exit
function_finish:
    tx_commit
    exit`, PairingProven, ""},
		{"helper misused", `
    call function_finish
    exit
function_finish:
    tx_commit
    exit`, PairingViolation, "NoActiveTransaction@2"},
		{"helper in two states", `
    call function_work
    tx_begin
    call function_work
    tx_commit
    exit
function_work:
    stdw [r1+0], 1
    exit`, PairingProven, ""},
		{"recursion", `
    tx_begin
    mov64 r1, 5
    call function_f
    tx_commit
    exit
function_f:
    jeq r1, 0, base
    sub64 r1, 1
    call function_f
base:
    exit`, PairingProven, ""},
		{"recursion opens", `
    mov64 r1, 5
    call function_f
    exit
function_f:
    jeq r1, 0, base
    tx_begin
    sub64 r1, 1
    call function_f
    tx_commit
base:
    exit`, PairingViolation, "NestedTransaction@4"},
		{"panic ends the path", `
    tx_begin
    jeq r1, 0, ok
    syscall sol_panic_
ok:
    tx_commit
    exit`, PairingProven, ""},
		{"callx", `
    tx_begin
    callx r2
    tx_commit
    exit`, PairingNotProvable, "IndirectCall@1?"},
		{"violation through callx is not provable", `
    callx r2
    tx_commit
    exit`, PairingNotProvable, "IndirectCall@0? NoActiveTransaction@1?"},
		{"definite violation despite callx", `
    tx_commit
    callx r2
    exit`, PairingViolation, "NoActiveTransaction@0"},
		{"unresolved call faults", `
    tx_begin
    call 12345
    exit`, PairingProven, ""},
		{"fall off the end", "tx_begin\nja 0", PairingProven, ""},
		{"lddw", "tx_begin\nlddw r0, 0x100000000\nexit", PairingViolation, "TransactionLeak@3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := pairingOf(t, sbpf.V0, tc.src, 0)
			if rep.Verdict != tc.verdict || brief(rep) != tc.findings {
				t.Fatalf("got %s [%s], want %s [%s]\n%s", rep.Verdict, brief(rep), tc.verdict, tc.findings, rep)
			}
		})
	}
}

func TestTxPairingDetails(t *testing.T) {
	rep := pairingOf(t, sbpf.V0, "mov64 r0, 0\n\ntx_begin\njeq r1, 0, out\ntx_commit\nout:\nexit", 0)
	if len(rep.Findings) != 1 {
		t.Fatal(rep)
	}
	f := rep.Findings[0]
	if f.Kind != PairTransactionLeak || f.PC != 4 || f.Line != 7 || f.OpenedAt != 1 || !strings.Contains(f.Message, "pc 1") {
		t.Fatalf("%+v", f)
	}
	if s := rep.String(); !strings.Contains(s, "violation") || !strings.Contains(s, "line 7") {
		t.Fatal(s)
	}
	// The bound.
	rep = pairingOf(t, sbpf.V0, "tx_begin\nmov64 r0, 1\nmov64 r0, 2\ntx_commit\nexit", 2)
	if rep.Verdict != PairingNotProvable || brief(rep) != "AnalysisLimit@-1?" {
		t.Fatal(rep)
	}
	// Errors.
	if _, err := TxPairing(nil, sbpf.Version(9), nil); err == nil {
		t.Fatal("unknown version")
	}
	if _, err := TxPairing(make([]byte, 9), sbpf.V0, nil); err == nil {
		t.Fatal("bad length")
	}
	if rep, err := TxPairing(nil, sbpf.V0, nil); err != nil || rep.Verdict != PairingProven {
		t.Fatal(rep, err)
	}
	for _, s := range []fmt.Stringer{PairingVerdict(0), PairingKind(0)} {
		if !strings.Contains(s.String(), "(0)") {
			t.Fatal(s)
		}
	}
}

// V3: syscalls are static (src=0), local calls pc-relative (src=1).
func TestTxPairingV3(t *testing.T) {
	rep := pairingOf(t, sbpf.V3, `
entrypoint:
    tx_begin
    call function_close
    exit
function_close:
    tx_abort
    exit`, 0)
	if rep.Verdict != PairingProven {
		t.Fatal(rep)
	}
	rep = pairingOf(t, sbpf.V3, `
entrypoint:
    call function_close
    exit
function_close:
    tx_abort
    exit`, 0)
	if rep.Verdict != PairingViolation || brief(rep) != "NoActiveTransaction@2" {
		t.Fatal(rep)
	}
}

// With no syscall set, a call that is not a function is a syscall that
// returns.
func TestTxPairingNoSyscallSet(t *testing.T) {
	p, err := asm.Assemble("tx_begin\ncall 12345\nexit", sbpf.V0, &asm.Options{Aliases: txAliases})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := TxPairing(p.Text, sbpf.V0, nil)
	if err != nil || brief(rep) != "TransactionLeak@2" {
		t.Fatal(rep, err)
	}
}

func FuzzTxPairing(f *testing.F) {
	p, _ := asm.Assemble("tx_begin\njeq r1, 0, +1\ntx_commit\ncall 1\ncallx r1\nexit", sbpf.V0, &asm.Options{Aliases: txAliases})
	f.Add(p.Text, uint8(0))
	f.Add(encode(ins(sbpf.Call, 0, 1, 0, -1), exit), uint8(3))
	f.Fuzz(func(t *testing.T, text []byte, version uint8) {
		text = text[:len(text)/8*8]
		v := sbpf.Version(version % uint8(sbpf.LatestVersion+1))
		funcs := map[uint32]int{1: 0, 2: len(text) / 16}
		rep, err := TxPairing(text, v, &PairingOptions{Functions: funcs, MaxStates: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict < PairingProven || rep.Verdict > PairingNotProvable {
			t.Fatal(rep.Verdict)
		}
	})
}
