package svm

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/alt"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
)

// at moves the harness to slot, with SlotHashes holding the 512 slots
// before it.
func (h *harness) at(slot uint64) {
	h.env.Slot, h.env.Sysvars.Clock.Slot = slot, slot
	var sh sysvar.SlotHashes
	for s := slot - min(slot, sysvar.MaxSlotHashes); s < slot; s++ {
		sh = sh.Push(s, [32]byte{byte(s)})
	}
	h.env.Sysvars.SlotHashes = sh
}

// runV0 compiles ixs as a v0 message over tables and executes it.
func (h *harness) runV0(payer ed25519.PrivateKey, ixs []txn.Instruction, tables []txn.LookupTableAccount, signers ...ed25519.PrivateKey) *Result {
	m, err := txn.CompileV0(txn.PubkeyOf(payer), ixs, tables, txn.Hash{1})
	if err != nil {
		h.t.Fatal(err)
	}
	tx, err := txn.Sign(m, append(signers, payer)...)
	if err != nil {
		h.t.Fatal(err)
	}
	if e := Check(tx); e != nil {
		return &Result{Err: e}
	}
	res := h.ex.Execute(tx, h.st, h.env)
	h.st.apply(res.Writes)
	return res
}

func wantIx(t *testing.T, what string, res *Result, kind InstructionErrorKind) {
	t.Helper()
	if res.Err == nil || res.Err.Kind != InstructionErrorTx || res.Err.Instruction.Kind != kind {
		t.Fatalf("%s: %v, want %s\n%s", what, res.Err, kind, strings.Join(res.Logs, "\n"))
	}
}

func wantOK(t *testing.T, what string, res *Result) {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("%s: %v\n%s", what, res.Err, strings.Join(res.Logs, "\n"))
	}
}

func TestLookupTableLifecycle(t *testing.T) {
	h := newHarness(t)
	pk := txn.PubkeyOf
	payer, auth := keyOf(1), keyOf(2)
	h.fund(pk(payer), 100_000_000_000)
	h.at(100)

	// Not a recent slot.
	ix, table := alt.Create(pk(auth), pk(payer), 100)
	res := h.run(payer, []txn.Instruction{ix}, auth)
	wantIx(t, "create at the current slot", res, InvalidInstructionData)
	if res.Logs[1] != "100 is not a recent slot" {
		t.Fatalf("log %q", res.Logs[1])
	}
	ix, table = alt.Create(pk(auth), pk(payer), 99)
	res = h.run(payer, []txn.Instruction{ix}, auth)
	wantOK(t, "create", res)
	if res.CU != alt.ComputeUnits+3*systemProgramCU {
		t.Fatalf("create cost %d CU", res.CU)
	}
	ta := h.st[table]
	if ta.Owner != alt.ID() || len(ta.Data) != alt.MetaSize || ta.Lamports != h.env.Sysvars.Rent.MinimumBalance(alt.MetaSize) {
		t.Fatalf("table %+v", ta)
	}
	// Creating it again is a no-op.
	wantOK(t, "create again", h.run(payer, []txn.Instruction{ix}, auth))

	addrs := []pubkey.Pubkey{pk(keyOf(10)), pk(keyOf(11)), pk(keyOf(12))}
	for _, a := range addrs {
		h.fund(a, 1_000_000_000)
	}
	wantIx(t, "extend by another", h.run(payer, []txn.Instruction{alt.Extend(table, pk(payer), pk(payer), addrs)}), IncorrectAuthority)
	wantIx(t, "extend by nothing", h.run(payer, []txn.Instruction{alt.Extend(table, pk(auth), pk(payer), nil)}, auth), InvalidInstructionData)
	wantOK(t, "extend", h.run(payer, []txn.Instruction{alt.Extend(table, pk(auth), pk(payer), addrs)}, auth))
	tt, err := alt.Decode(h.st[table].Data)
	if err != nil || len(tt.Addresses) != 3 || tt.Meta.LastExtendedSlot != 100 || tt.Meta.LastExtendedSlotStartIndex != 0 {
		t.Fatalf("table %+v %v", tt, err)
	}
	if h.st[table].Lamports != h.env.Sysvars.Rent.MinimumBalance(alt.MetaSize+3*32) {
		t.Fatal("extension not funded")
	}

	// Using the table: a transfer to a loaded address.
	use := func() *Result {
		return h.runV0(payer, []txn.Instruction{system.Transfer(pk(payer), addrs[1], 7)},
			[]txn.LookupTableAccount{{Key: table, Addresses: addrs}})
	}
	if res := use(); res.Err == nil || res.Err.Kind != InvalidAddressLookupTableIndex || res.Charged {
		t.Fatalf("same-slot use: %v", res.Err)
	}
	h.at(101)
	res = use()
	wantOK(t, "v0 transfer", res)
	if h.st[addrs[1]].Lamports != 1_000_000_007 || len(res.Loaded.Writable) != 1 || res.Loaded.Writable[0] != addrs[1] {
		t.Fatalf("v0 transfer: %d %+v", h.st[addrs[1]].Lamports, res.Loaded)
	}

	wantIx(t, "close while active", h.run(payer, []txn.Instruction{alt.Close(table, pk(auth), pk(payer))}, auth), InvalidArgument)
	wantOK(t, "deactivate", h.run(payer, []txn.Instruction{alt.Deactivate(table, pk(auth))}, auth))
	wantIx(t, "deactivate twice", h.run(payer, []txn.Instruction{alt.Deactivate(table, pk(auth))}, auth), InvalidArgument)
	wantIx(t, "freeze deactivated", h.run(payer, []txn.Instruction{alt.Freeze(table, pk(auth))}, auth), InvalidArgument)
	// Deactivating: still usable, not closable.
	h.at(102)
	wantOK(t, "use while deactivating", use())
	res = h.run(payer, []txn.Instruction{alt.Close(table, pk(auth), pk(payer))}, auth)
	wantIx(t, "close while deactivating", res, InvalidArgument)
	if res.Logs[1] != "Table cannot be closed until it's fully deactivated in 512 blocks" {
		t.Fatalf("log %q", res.Logs[1])
	}
	h.at(101 + sysvar.MaxSlotHashes + 1)
	if res := use(); res.Err == nil || res.Err.Kind != AddressLookupTableNotFound {
		t.Fatalf("use after deactivation: %v", res.Err)
	}
	wantIx(t, "close into itself", h.run(payer, []txn.Instruction{alt.Close(table, pk(auth), table)}, auth), InvalidArgument)
	before := h.st[pk(payer)].Lamports + h.st[table].Lamports
	res = h.run(payer, []txn.Instruction{alt.Close(table, pk(auth), pk(payer))}, auth)
	wantOK(t, "close", res)
	if _, ok := h.st[table]; ok || h.st[pk(payer)].Lamports != before-res.Fee {
		t.Fatal("close did not reclaim the table")
	}
	if res := use(); res.Err == nil || res.Err.Kind != AddressLookupTableNotFound {
		t.Fatalf("use after close: %v", res.Err)
	}
}

func TestLookupTableFreezeAndErrors(t *testing.T) {
	h := newHarness(t)
	pk := txn.PubkeyOf
	payer, auth := keyOf(1), keyOf(2)
	h.fund(pk(payer), 100_000_000_000)
	h.at(50)
	ix, table := alt.Create(pk(auth), pk(payer), 49)
	wantOK(t, "create", h.run(payer, []txn.Instruction{ix}, auth))
	wantIx(t, "freeze empty", h.run(payer, []txn.Instruction{alt.Freeze(table, pk(auth))}, auth), InvalidInstructionData)
	a := pk(keyOf(20))
	wantOK(t, "extend", h.run(payer, []txn.Instruction{alt.Extend(table, pk(auth), pk(payer), []pubkey.Pubkey{a})}, auth))
	unsigned := alt.Freeze(table, pk(auth))
	unsigned.Accounts[1].IsSigner = false
	wantIx(t, "freeze unsigned", h.run(payer, []txn.Instruction{unsigned}), MissingRequiredSignature)
	wantOK(t, "freeze", h.run(payer, []txn.Instruction{alt.Freeze(table, pk(auth))}, auth))
	wantIx(t, "extend frozen", h.run(payer, []txn.Instruction{alt.Extend(table, pk(auth), pk(payer), []pubkey.Pubkey{a})}, auth), Immutable)
	wantIx(t, "deactivate frozen", h.run(payer, []txn.Instruction{alt.Deactivate(table, pk(auth))}, auth), Immutable)
	wantIx(t, "bad data", h.run(payer, []txn.Instruction{{ProgramID: alt.ID(), Data: []byte{9, 0, 0, 0}}}), InvalidInstructionData)
	wantIx(t, "no accounts", h.run(payer, []txn.Instruction{{ProgramID: alt.ID(), Data: []byte{1, 0, 0, 0}}}), NotEnoughAccountKeys)
	other := pk(keyOf(21))
	h.st[other] = account.Account{Lamports: 1_000_000, Owner: pubkey.SystemProgram()}
	wantIx(t, "freeze non-table", h.run(payer, []txn.Instruction{alt.Freeze(other, pk(auth))}, auth), InvalidAccountOwner)

	// Resolution errors, and the keys' rules across static and loaded.
	h.at(51)
	lookup := func(k pubkey.Pubkey, w, r []uint8) *Result {
		m, err := txn.CompileV0(pk(payer), []txn.Instruction{system.Transfer(pk(payer), pk(keyOf(30)), 1)}, nil, txn.Hash{1})
		if err != nil {
			t.Fatal(err)
		}
		m.AddressTableLookups = []txn.AddressTableLookup{{AccountKey: k, WritableIndexes: w, ReadonlyIndexes: r}}
		tx, err := txn.Sign(m, payer)
		if err != nil {
			t.Fatal(err)
		}
		if e := Check(tx); e != nil {
			return &Result{Err: e}
		}
		return h.ex.Execute(tx, h.st, h.env)
	}
	h.fund(pk(keyOf(30)), 1_000_000)
	h.st[pk(keyOf(22))] = account.Account{Lamports: 1_000_000, Owner: alt.ID(), Data: []byte{1, 0, 0, 0, 7}}
	for _, c := range []struct {
		name string
		key  pubkey.Pubkey
		w, r []uint8
		want TransactionErrorKind
	}{
		{"missing", pk(keyOf(99)), []uint8{0}, nil, AddressLookupTableNotFound},
		{"owner", other, []uint8{0}, nil, InvalidAddressLookupTableOwner},
		{"data", pk(keyOf(22)), []uint8{0}, nil, InvalidAddressLookupTableData},
		{"index", table, nil, []uint8{1}, InvalidAddressLookupTableIndex},
		{"payer loaded twice", table, []uint8{0}, []uint8{0}, AccountLoadedTwice},
	} {
		if res := lookup(c.key, c.w, c.r); res.Err == nil || res.Err.Kind != c.want || res.Charged {
			t.Errorf("%s: %v, want %s", c.name, res.Err, c.want)
		}
	}
	// Two equal static keys of a v0 message: AccountLoadedTwice once
	// resolved, unpaid.
	m, _ := txn.CompileV0(pk(payer), []txn.Instruction{system.Transfer(pk(payer), pk(keyOf(30)), 1)}, nil, txn.Hash{1})
	m.AccountKeys[1] = m.AccountKeys[0]
	dup, _ := txn.Sign(m, payer)
	if e := Check(dup); e != nil {
		t.Fatalf("v0 duplicate refused by Check: %v", e)
	}
	if res := h.ex.Execute(dup, h.st, h.env); res.Err == nil || res.Err.Kind != AccountLoadedTwice || res.Charged {
		t.Fatalf("v0 duplicate: %v", res.Err)
	}
	if res := lookup(table, nil, []uint8{0}); res.Err != nil || len(res.Loaded.Readonly) != 1 || res.Loaded.Readonly[0] != a {
		t.Fatalf("read-only lookup: %v %+v", res.Err, res.Loaded)
	}
}

func TestALTDecodeRoundTrip(t *testing.T) {
	k := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	tb := &alt.Table{Meta: alt.Meta{DeactivationSlot: math.MaxUint64, LastExtendedSlot: 5, LastExtendedSlotStartIndex: 1, Authority: &k}, Addresses: []pubkey.Pubkey{k, {}}}
	got, err := alt.Decode(tb.Encode())
	if err != nil || got.Meta.LastExtendedSlot != 5 || *got.Meta.Authority != k || len(got.Addresses) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	tb.Meta.Authority = nil
	if got, err := alt.Decode(tb.Encode()); err != nil || got.Meta.Authority != nil {
		t.Fatalf("frozen: %+v %v", got, err)
	}
	for _, bad := range [][]byte{nil, {1, 0, 0}, {2, 0, 0, 0}, append(tb.Encode(), 1)} {
		if _, err := alt.Decode(bad); !errors.Is(err, alt.ErrInvalidData) {
			t.Errorf("%x: %v", bad, err)
		}
	}
	if _, err := alt.Decode([]byte{0, 0, 0, 0}); !errors.Is(err, alt.ErrUninitialized) {
		t.Errorf("uninitialized: %v", err)
	}
}

func TestInstructionsSysvar(t *testing.T) {
	src, err := os.ReadFile("../conformance/agave/asm/ixsysvar.s")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	prog := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	h.deploy(prog, asmELF(t, h.ex, string(src)))
	payer := keyOf(1)
	pk := txn.PubkeyOf
	h.fund(pk(payer), 10_000_000_000)
	other := pk(keyOf(3))
	h.fund(other, 1_000_000)
	read := txn.Instruction{ProgramID: prog, Data: []byte{0xaa}, Accounts: []txn.AccountMeta{{Pubkey: pubkey.SysvarInstructions()}, {Pubkey: other, IsWritable: true}}}
	ixs := []txn.Instruction{read, system.Transfer(pk(payer), other, 5), read}
	res := h.run(payer, ixs)
	wantOK(t, "read", res)
	var idx []string
	for _, l := range res.Logs {
		if strings.HasPrefix(l, "Program log: ") {
			idx = append(idx, l[strings.LastIndex(l, ", ")+2:])
		}
	}
	if strings.Join(idx, " ") != "0x0 0x2" {
		t.Fatalf("current indexes %v\n%s", idx, strings.Join(res.Logs, "\n"))
	}
	// The data: the three instructions with the transaction's privileges
	// (the sysvar is never writable), then index 2.
	want := []txn.Instruction{read, system.Transfer(pk(payer), other, 5), read}
	data := res.ReturnData
	if binary16(data[len(data)-2:]) != 2 {
		t.Fatal("index not stored")
	}
	for i, w := range want {
		got, err := sysvar.DecodeInstruction(data, i)
		if err != nil || got.ProgramID != w.ProgramID || !bytes.Equal(got.Data, w.Data) || len(got.Accounts) != len(w.Accounts) {
			t.Fatalf("instruction %d: %+v %v", i, got, err)
		}
		for j, a := range got.Accounts {
			if a.Pubkey != w.Accounts[j].Pubkey || a.IsWritable != w.Accounts[j].IsWritable || a.IsSigner != w.Accounts[j].IsSigner {
				t.Fatalf("instruction %d account %d: %+v", i, j, a)
			}
		}
	}
	if _, err := sysvar.DecodeInstruction(data, 3); err == nil {
		t.Fatal("instruction 3 decoded")
	}
	if _, ok := h.st[pubkey.SysvarInstructions()]; ok {
		t.Fatal("the sysvar was stored")
	}
}

func binary16(b []byte) int { return int(b[0]) | int(b[1])<<8 }

// BenchmarkExecuteV0 executes the same System transfer as a legacy
// transaction (the baseline) and as a v0 one loading its recipient from
// a lookup table: the difference is the lookup's resolution.
func BenchmarkExecuteV0(b *testing.B) {
	h := newHarness(b)
	pk := txn.PubkeyOf
	payer := keyOf(1)
	h.fund(pk(payer), math.MaxUint64/2)
	to := pk(keyOf(2))
	h.fund(to, 1_000_000_000)
	table := pk(keyOf(3))
	tb := alt.Table{Meta: alt.NewMeta(table), Addresses: []pubkey.Pubkey{to}}
	h.st[table] = account.Account{Lamports: 1_000_000_000, Owner: alt.ID(), Data: tb.Encode()}
	h.at(10)
	ixs := []txn.Instruction{system.Transfer(pk(payer), to, 1)}
	legacy, _ := txn.Compile(pk(payer), ixs, txn.Hash{1})
	v0, _ := txn.CompileV0(pk(payer), ixs, []txn.LookupTableAccount{{Key: table, Addresses: tb.Addresses}}, txn.Hash{1})
	for _, c := range []struct {
		name string
		m    *txn.Message
	}{{"legacy", legacy}, {"v0", v0}} {
		tx, err := txn.Sign(c.m, payer)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if res := h.ex.Execute(tx, h.st, h.env); res.Err != nil {
					b.Fatal(res.Err)
				}
			}
		})
	}
}
