package bank_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
)

// A bank over an in-memory store executes a signed System transfer as
// one block. A nil executor is a plain Solana runtime; Agora's tools pass
// ext.NewExecutor() to add the extensions.
func Example() {
	st := store.NewMem()
	defer st.Close()
	alice := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	bob := txn.PubkeyOf(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32)))
	genesis := []bank.GenesisAccount{{Key: txn.PubkeyOf(alice), Account: account.Account{Lamports: 10_000_000}}}
	if _, err := bank.Genesis(st, nil, 1_700_000_000, genesis); err != nil {
		panic(err)
	}
	b, err := bank.Open(st, nil)
	if err != nil {
		panic(err)
	}

	msg, err := txn.Compile(txn.PubkeyOf(alice), []txn.Instruction{system.Transfer(txn.PubkeyOf(alice), bob, 1_000_000)}, b.LatestBlockhash())
	if err != nil {
		panic(err)
	}
	tx, err := txn.Sign(msg, alice)
	if err != nil {
		panic(err)
	}
	res, err := b.ProcessBlock([]*txn.Transaction{tx}, 1_700_000_001)
	if err != nil {
		panic(err)
	}
	r := res.Txs[0].Result
	fmt.Println("slot:", res.Header.Height, "error:", r.Err, "fee:", r.Fee, "CU:", r.CU)
	for _, line := range r.Logs {
		fmt.Println(line)
	}
	a, _ := b.Account(txn.PubkeyOf(alice))
	c, _ := b.Account(bob)
	fmt.Println("alice:", a.Lamports, "bob:", c.Lamports)
	// Output:
	// slot: 1 error: <nil> fee: 5000 CU: 150
	// Program 11111111111111111111111111111111 invoke [1]
	// Program 11111111111111111111111111111111 success
	// alice: 8995000 bob: 1000000
}
