package svm

import (
	"math"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// DurableNonceAccount: only a first instruction that is the System
// program's AdvanceNonceAccount on a writable account names a nonce.
func TestDurableNonceAccount(t *testing.T) {
	payer, nonce, auth := pubkey.Pubkey{1}, pubkey.Pubkey{2}, pubkey.Pubkey{3}
	advance := system.AdvanceNonceAccount(nonce, auth)
	readonly := advance
	readonly.Accounts = append([]txn.AccountMeta{{Pubkey: nonce}}, advance.Accounts[1:]...)
	short := advance
	short.Data = short.Data[:3]
	other := advance
	other.ProgramID = pubkey.Pubkey{9}
	transfer := system.Transfer(payer, nonce, 1)
	for _, c := range []struct {
		name string
		ixs  []txn.Instruction
		want bool
	}{
		{"advance first", []txn.Instruction{advance, transfer}, true},
		{"advance second", []txn.Instruction{transfer, advance}, false},
		{"read-only nonce", []txn.Instruction{readonly}, false},
		{"short data", []txn.Instruction{short}, false},
		{"not the System program", []txn.Instruction{other}, false},
		{"no instructions", nil, false},
	} {
		m, err := txn.Compile(payer, c.ixs, txn.Hash{})
		if err != nil {
			t.Fatal(err)
		}
		k, ok := DurableNonceAccount(m)
		if ok != c.want || (ok && k != nonce) {
			t.Errorf("%s: %s %v", c.name, k, ok)
		}
	}
}

// BenchmarkExecuteDurable executes a System transfer with a recent
// blockhash (the baseline), the same after an AdvanceNonceAccount, and
// that pair as a durable transaction, its blockhash the nonce: the last
// two differ by the age check's nonce load and check alone.
func BenchmarkExecuteDurable(b *testing.B) {
	h := newHarness(b)
	pk := txn.PubkeyOf
	payer := keyOf(1)
	h.fund(pk(payer), math.MaxUint64/2)
	to := pk(keyOf(2))
	h.fund(to, 1_000_000_000)
	nonce := pk(keyOf(3))
	stored := system.DurableNonce(txn.Hash{7})
	st := system.NonceState{Version: system.NonceVersionCurrent, Initialized: true, Authority: pk(payer), Nonce: stored, LamportsPerSignature: 5000}
	h.st[nonce] = account.Account{Lamports: 10_000_000, Data: st.Encode()}
	recent := txn.Hash{1}
	h.env.Blockhash = recent
	h.env.IsRecent = func(x txn.Hash) bool { return x == recent }
	legacy, _ := txn.Compile(pk(payer), []txn.Instruction{system.Transfer(pk(payer), to, 1)}, recent)
	pair := []txn.Instruction{system.AdvanceNonceAccount(nonce, pk(payer)), system.Transfer(pk(payer), to, 1)}
	advance, _ := txn.Compile(pk(payer), pair, recent)
	durable, _ := txn.Compile(pk(payer), pair, stored)
	for _, c := range []struct {
		name string
		m    *txn.Message
	}{{"recent", legacy}, {"advance-recent", advance}, {"durable", durable}} {
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
