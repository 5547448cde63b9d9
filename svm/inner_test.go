package svm

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/alt"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// collectIx is an instruction of testdata/c/cpicollect.so: each payer
// pays amount to payee through a System transfer (a CPI each).
func collectIx(prog pubkey.Pubkey, payers []pubkey.Pubkey, payee pubkey.Pubkey, amount uint64) txn.Instruction {
	ix := txn.Instruction{ProgramID: prog, Data: binary.LittleEndian.AppendUint64(nil, amount)}
	for _, p := range payers {
		ix.Accounts = append(ix.Accounts, txn.AccountMeta{Pubkey: p, IsSigner: true, IsWritable: true})
	}
	ix.Accounts = append(ix.Accounts, txn.AccountMeta{Pubkey: payee, IsWritable: true}, txn.AccountMeta{Pubkey: pubkey.SystemProgram()})
	return ix
}

// transferData is a System transfer's instruction data.
func transferData(amount uint64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{2, 0, 0, 0}, amount)
}

// TestInnerInstructions: with Env.RecordInner each CPI is recorded under
// its top-level instruction, in invocation order, with stack height 2
// and indexes into the message's keys; a failed transaction keeps those
// made before the failure (the failing one included, as Agave's trace
// holds every instruction pushed); instructions never started have no
// list; without RecordInner nothing is recorded.
func TestInnerInstructions(t *testing.T) {
	elfBytes, err := os.ReadFile("../testdata/c/cpicollect.so")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	prog := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	h.deploy(prog, elfBytes)
	payer, a, b := keyOf(1), keyOf(2), keyOf(3)
	pk := txn.PubkeyOf
	payee := pubkey.Pubkey{0xee}
	h.fund(pk(payer), 10_000_000_000)
	h.fund(pk(a), 1_000_000_000)
	h.fund(pk(b), 500_000_000)
	h.fund(payee, 1_000_000_000)
	h.env.RecordInner = true

	run := func(ixs []txn.Instruction) (*Result, []pubkey.Pubkey) {
		m, err := txn.Compile(pk(payer), ixs, txn.Hash{1})
		if err != nil {
			t.Fatal(err)
		}
		res := h.run(payer, ixs, a, b)
		return res, m.AccountKeys
	}
	idx := func(keys []pubkey.Pubkey, k pubkey.Pubkey) uint8 {
		for i, x := range keys {
			if x == k {
				return uint8(i)
			}
		}
		t.Fatalf("%s not in the keys", k)
		return 0
	}
	ixs := []txn.Instruction{system.Transfer(pk(payer), payee, 1), collectIx(prog, []pubkey.Pubkey{pk(a), pk(b)}, payee, 1000)}
	res, keys := run(ixs)
	wantOK(t, "collect", res)
	sys := idx(keys, pubkey.SystemProgram())
	want := [][]InnerInstruction{{}, {
		{ProgramIDIndex: sys, Accounts: []uint8{idx(keys, pk(a)), idx(keys, payee)}, Data: transferData(1000), StackHeight: 2},
		{ProgramIDIndex: sys, Accounts: []uint8{idx(keys, pk(b)), idx(keys, payee)}, Data: transferData(1000), StackHeight: 2},
	}}
	if !reflect.DeepEqual(res.Inner, want) {
		t.Fatalf("inner %+v\nwant %+v", res.Inner, want)
	}

	// b cannot pay: instruction 1 fails in its second CPI, which is
	// recorded; instruction 2 never starts.
	ixs = []txn.Instruction{system.Transfer(pk(payer), payee, 2), collectIx(prog, []pubkey.Pubkey{pk(a), pk(b)}, payee, 600_000_000), system.Transfer(pk(payer), payee, 3)}
	res, keys = run(ixs)
	if res.Err == nil || res.Err.Kind != InstructionErrorTx || res.Err.Index != 1 {
		t.Fatalf("err %v", res.Err)
	}
	if len(res.Inner) != 2 || len(res.Inner[0]) != 0 || len(res.Inner[1]) != 2 || res.Inner[1][1].Accounts[0] != idx(keys, pk(b)) {
		t.Fatalf("failed transaction's inner %+v", res.Inner)
	}

	// A transaction rejected before its instructions: no lists at all.
	h.st[prog] = account.Account{Lamports: 1, Owner: pubkey.SystemProgram()}
	res, _ = run([]txn.Instruction{collectIx(prog, []pubkey.Pubkey{pk(a)}, payee, 1)})
	if res.Err == nil || res.Err.Kind != InvalidProgramForExecution || res.Inner != nil {
		t.Fatalf("not executable: %v %+v", res.Err, res.Inner)
	}
	h.deploy(prog, elfBytes)

	h.env.RecordInner = false
	res, _ = run([]txn.Instruction{collectIx(prog, []pubkey.Pubkey{pk(a)}, payee, 1)})
	wantOK(t, "unrecorded", res)
	if res.Inner != nil {
		t.Fatalf("recorded without RecordInner: %+v", res.Inner)
	}
}

// TestInnerInstructionsLoaded: indexes count the loaded addresses after
// the static keys, as the message's full key list does.
func TestInnerInstructionsLoaded(t *testing.T) {
	elfBytes, err := os.ReadFile("../testdata/c/cpicollect.so")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	prog := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	h.deploy(prog, elfBytes)
	pk := txn.PubkeyOf
	payer, auth, a := keyOf(1), keyOf(2), keyOf(3)
	payee := pubkey.Pubkey{0xee}
	h.fund(pk(payer), 100_000_000_000)
	h.fund(pk(a), 1_000_000_000)
	h.fund(payee, 1_000_000_000)
	h.at(100)
	create, table := alt.Create(pk(auth), pk(payer), 99)
	wantOK(t, "create", h.run(payer, []txn.Instruction{create}, auth))
	wantOK(t, "extend", h.run(payer, []txn.Instruction{alt.Extend(table, pk(auth), pk(payer), []pubkey.Pubkey{payee})}, auth))
	h.at(101)
	h.env.RecordInner = true
	ixs := []txn.Instruction{collectIx(prog, []pubkey.Pubkey{pk(a)}, payee, 5)}
	tables := []txn.LookupTableAccount{{Key: table, Addresses: []pubkey.Pubkey{payee}}}
	m, err := txn.CompileV0(pk(payer), ixs, tables, txn.Hash{1})
	if err != nil {
		t.Fatal(err)
	}
	res := h.runV0(payer, ixs, tables, a)
	wantOK(t, "v0 collect", res)
	if len(res.Loaded.Writable) != 1 || res.Loaded.Writable[0] != payee {
		t.Fatalf("loaded %+v", res.Loaded)
	}
	n := uint8(len(m.AccountKeys)) // the payee: the first loaded key
	if len(res.Inner) != 1 || len(res.Inner[0]) != 1 || res.Inner[0][0].Accounts[1] != n || res.Inner[0][0].Accounts[0] >= n {
		t.Fatalf("inner %+v (%d static keys)", res.Inner, n)
	}
}

// BenchmarkInnerRecording: a transaction making two CPIs, with and
// without recording its inner instructions.
func BenchmarkInnerRecording(b *testing.B) {
	elfBytes, err := os.ReadFile("../testdata/c/cpicollect.so")
	if err != nil {
		b.Fatal(err)
	}
	h := newHarness(b)
	prog := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	h.deploy(prog, elfBytes)
	pk := txn.PubkeyOf
	payer, a, c := keyOf(1), keyOf(2), keyOf(3)
	payee := pubkey.Pubkey{0xee}
	for _, k := range []pubkey.Pubkey{pk(payer), pk(a), pk(c), payee} {
		h.fund(k, 1_000_000_000_000)
	}
	ixs := []txn.Instruction{collectIx(prog, []pubkey.Pubkey{pk(a), pk(c)}, payee, 1)}
	m, err := txn.Compile(pk(payer), ixs, txn.Hash{1})
	if err != nil {
		b.Fatal(err)
	}
	tx, err := txn.Sign(m, a, c, payer)
	if err != nil {
		b.Fatal(err)
	}
	for _, record := range []bool{false, true} {
		name := "off"
		if record {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			env := *h.env
			env.RecordInner = record
			for b.Loop() {
				if res := h.ex.Execute(tx, h.st, &env); res.Err != nil {
					b.Fatal(res.Err)
				}
			}
		})
	}
}

// TestInnerInstructionsDepth: nested invocations carry their stack
// height, and one refused for depth is still recorded (at height 6), as
// Agave's push adds it to the trace before the depth check.
func TestInnerInstructionsDepth(t *testing.T) {
	elfBytes, err := os.ReadFile("../testdata/c/minitoken.so")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	prog := pubkey.MustParse("MiniToken1111111111111111111111111111111111")
	h.deploy(prog, elfBytes)
	payer := keyOf(1)
	h.fund(txn.PubkeyOf(payer), 10_000_000_000)
	h.env.RecordInner = true
	recurse := func(n byte) *Result {
		return h.run(payer, []txn.Instruction{{ProgramID: prog, Data: []byte{6, n}, Accounts: []txn.AccountMeta{{Pubkey: prog}}}})
	}
	heights := func(res *Result) []uint8 {
		var out []uint8
		for _, ix := range res.Inner[0] {
			if ix.Data[0] != 6 || ix.Accounts[0] != ix.ProgramIDIndex {
				t.Fatalf("inner instruction %+v", ix)
			}
			out = append(out, ix.StackHeight)
		}
		return out
	}
	res := recurse(4)
	wantOK(t, "depth 5", res)
	if got := heights(res); !reflect.DeepEqual(got, []uint8{2, 3, 4, 5}) {
		t.Fatalf("heights %v", got)
	}
	res = recurse(5)
	wantIx(t, "depth 6", res, CallDepth)
	if got := heights(res); !reflect.DeepEqual(got, []uint8{2, 3, 4, 5, 6}) {
		t.Fatalf("heights %v", got)
	}
}
