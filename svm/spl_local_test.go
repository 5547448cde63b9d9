package svm

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// TestSPLTokenLocal runs the mainnet SPL Token binary (testutil.SPLToken;
// it is never committed).
func TestSPLTokenLocal(t *testing.T) {
	elfBytes := testutil.SPLToken(t)
	h := newHarness(t)
	tokenID := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	h.deploy(tokenID, elfBytes)
	pk := txn.PubkeyOf
	payer, mint, a, b, owner := keyOf(1), keyOf(10), keyOf(11), keyOf(12), keyOf(13)
	h.fund(pk(payer), 100_000_000_000)
	w := func(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsWritable: true} }
	r := func(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k} }
	s := func(k pubkey.Pubkey) txn.AccountMeta { return txn.AccountMeta{Pubkey: k, IsSigner: true} }
	initMint := append([]byte{0, 6}, pk(payer).Bytes()...)
	initMint = append(initMint, 0)
	ixs := []txn.Instruction{
		system.CreateAccount(pk(payer), pk(mint), 1_461_600, 82, tokenID),
		system.CreateAccount(pk(payer), pk(a), 2_039_280, 165, tokenID),
		system.CreateAccount(pk(payer), pk(b), 2_039_280, 165, tokenID),
		{ProgramID: tokenID, Data: initMint, Accounts: []txn.AccountMeta{w(pk(mint)), r(pubkey.SysvarRent())}},
		{ProgramID: tokenID, Data: []byte{1}, Accounts: []txn.AccountMeta{w(pk(a)), r(pk(mint)), r(pk(owner)), r(pubkey.SysvarRent())}},
		{ProgramID: tokenID, Data: []byte{1}, Accounts: []txn.AccountMeta{w(pk(b)), r(pk(mint)), r(pk(owner)), r(pubkey.SysvarRent())}},
		{ProgramID: tokenID, Data: binary.LittleEndian.AppendUint64([]byte{7}, 1000), Accounts: []txn.AccountMeta{w(pk(mint)), w(pk(a)), s(pk(payer))}},
		{ProgramID: tokenID, Data: binary.LittleEndian.AppendUint64([]byte{3}, 250), Accounts: []txn.AccountMeta{w(pk(a)), w(pk(b)), s(pk(owner))}},
	}
	res := h.run(payer, ixs, mint, a, b, owner)
	if res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, strings.Join(res.Logs, "\n"))
	}
	amount := func(k pubkey.Pubkey) uint64 { return binary.LittleEndian.Uint64(h.st[k].Data[64:]) }
	if amount(pk(a)) != 750 || amount(pk(b)) != 250 {
		t.Fatalf("balances %d %d", amount(pk(a)), amount(pk(b)))
	}
	if supply := binary.LittleEndian.Uint64(h.st[pk(mint)].Data[36:]); supply != 1000 {
		t.Fatalf("supply %d", supply)
	}
	t.Log(strings.Join(res.Logs, "\n"))
}
