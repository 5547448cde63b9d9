package bank

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// These tests run mainnet program binaries when they are present in
// /tmp/mainnet (they are never committed) and skip otherwise.

var (
	tokenID = pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	memoID  = pubkey.MustParse("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
)

func TestSPLTokenFlowLocal(t *testing.T) {
	c := newChain(t)
	c.deploy(tokenID, "/tmp/mainnet/spl_token-3.5.0.so")
	payer, mint, a, b, alice, bob := c.payer, key(20), key(21), key(22), key(23), key(24)
	rent := c.bank.Rent()
	initMint := append(append([]byte{0, 6}, pk(payer).Bytes()...), 0)
	ok(t, c.call([]txn.Instruction{
		system.CreateAccount(pk(payer), pk(mint), rent.MinimumBalance(82), 82, tokenID),
		{ProgramID: tokenID, Data: initMint, Accounts: []txn.AccountMeta{meta(pk(mint), false, true), meta(pubkey.SysvarRent(), false, false)}},
	}, payer, mint))
	for _, acc := range []struct{ acct, owner pubkey.Pubkey }{{pk(a), pk(alice)}, {pk(b), pk(bob)}} {
		signer := a
		if acc.acct == pk(b) {
			signer = b
		}
		ok(t, c.call([]txn.Instruction{
			system.CreateAccount(pk(payer), acc.acct, rent.MinimumBalance(165), 165, tokenID),
			{ProgramID: tokenID, Data: []byte{1}, Accounts: []txn.AccountMeta{meta(acc.acct, false, true), meta(pk(mint), false, false), meta(acc.owner, false, false), meta(pubkey.SysvarRent(), false, false)}},
		}, payer, signer))
	}
	u64 := func(tag byte, v uint64) []byte { return binary.LittleEndian.AppendUint64([]byte{tag}, v) }
	r := c.call([]txn.Instruction{{ProgramID: tokenID, Data: u64(7, 1000), Accounts: []txn.AccountMeta{meta(pk(mint), false, true), meta(pk(a), false, true), meta(pk(payer), true, false)}}}, payer)
	ok(t, r)
	r = c.call([]txn.Instruction{{ProgramID: tokenID, Data: u64(3, 250), Accounts: []txn.AccountMeta{meta(pk(a), false, true), meta(pk(b), false, true), meta(pk(alice), true, false)}}}, payer, alice)
	ok(t, r)
	want := []string{
		"Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [1]",
		"Program log: Instruction: Transfer",
		"Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA consumed 4645 of 200000 compute units",
		"Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA success",
	}
	if strings.Join(r.Logs, "\n") != strings.Join(want, "\n") {
		t.Errorf("transfer logs:\n%s", strings.Join(r.Logs, "\n"))
	}
	// Token account layout: mint, owner, amount (u64 at 64), ...
	amount := func(k pubkey.Pubkey) uint64 { return binary.LittleEndian.Uint64(c.acct(k).Data[64:]) }
	if amount(pk(a)) != 750 || amount(pk(b)) != 250 {
		t.Fatalf("balances %d %d", amount(pk(a)), amount(pk(b)))
	}
	if got := c.acct(pk(b)).Data[32:64]; string(got) != string(pk(bob).Bytes()) {
		t.Fatal("owner field")
	}
	if supply := binary.LittleEndian.Uint64(c.acct(pk(mint)).Data[36:]); supply != 1000 {
		t.Fatalf("supply %d", supply)
	}
	r = c.call([]txn.Instruction{{ProgramID: tokenID, Data: u64(3, 5000), Accounts: []txn.AccountMeta{meta(pk(a), false, true), meta(pk(b), false, true), meta(pk(alice), true, false)}}}, payer, alice)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.Custom, Code: 1})) {
		t.Fatalf("overdraft: %v", r.Err)
	}
}

func TestSPLMemoLocal(t *testing.T) {
	c := newChain(t)
	c.deploy(memoID, "/tmp/mainnet/spl_memo-4.0.0.so")
	alice := key(30)
	memo := func(signed bool, text string) TxResult {
		signers := []any{}
		_ = signers
		ix := txn.Instruction{ProgramID: memoID, Data: []byte(text), Accounts: []txn.AccountMeta{meta(pk(alice), signed, false)}}
		if signed {
			return c.call([]txn.Instruction{ix}, c.payer, alice)
		}
		return c.call([]txn.Instruction{ix}, c.payer)
	}
	r := memo(true, "hello")
	ok(t, r)
	logs := strings.Join(r.Logs, "\n")
	if !strings.Contains(logs, pk(alice).String()) || !strings.Contains(logs, "Program log: hello") {
		t.Fatalf("logs:\n%s", logs)
	}
	r = memo(false, "hello")
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.MissingRequiredSignature})) {
		t.Fatalf("unsigned memo: %v", r.Err)
	}
}
