package bank

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
)

// snapshotAll returns every account of interest.
func (c *chain) balances(keys []pubkey.Pubkey) map[pubkey.Pubkey]account.Account {
	out := map[pubkey.Pubkey]account.Account{}
	for _, k := range keys {
		out[k] = c.acct(k)
	}
	return out
}

func sum(m map[pubkey.Pubkey]account.Account) uint64 {
	var s uint64
	for _, a := range m {
		s += a.Lamports
	}
	return s
}

// TestPropertyConservation sends random transactions (transfers,
// allocations, assignments, minitoken calls, some of them invalid) and
// checks after each: lamports are conserved up to the fee, and a failed
// transaction changes nothing but the fee payer's balance.
func TestPropertyConservation(t *testing.T) {
	c := newChain(t)
	prog := pubkey.MustParse("MiniToken1111111111111111111111111111111111")
	c.deploy(prog, "../../testdata/c/minitoken.so")
	rng := rand.New(rand.NewPCG(1, 2))
	users := []ed25519.PrivateKey{key(40), key(41), key(42), key(43)}
	var keys []pubkey.Pubkey
	for _, u := range users {
		keys = append(keys, pk(u))
		ok(t, c.call([]txn.Instruction{system.Transfer(pk(c.payer), pk(u), 5_000_000_000)}, c.payer))
	}
	keys = append(keys, pk(c.payer), prog)
	n := 120
	if testing.Short() {
		n = 40
	}
	failures := 0
	for i := 0; i < n; i++ {
		from, to := users[rng.IntN(len(users))], users[rng.IntN(len(users))]
		var ix txn.Instruction
		signers := []ed25519.PrivateKey{from}
		switch rng.IntN(6) {
		case 0, 1:
			ix = system.Transfer(pk(from), pk(to), rng.Uint64N(6_000_000_000))
		case 2:
			ix = system.Allocate(pk(from), rng.Uint64N(64)) // fails: a funded payer-like account carries no data
		case 3:
			ix = system.Assign(pk(from), prog)
		case 4:
			ix = txn.Instruction{ProgramID: prog, Data: []byte{byte(rng.IntN(7)), 1, 2, 3, 4, 5, 6, 7, 8}, Accounts: []txn.AccountMeta{meta(pk(from), true, true), meta(pk(to), false, true)}}
		default:
			ix = system.Transfer(pk(to), pk(from), 1) // missing signature of `to` unless to == from
			ix.Accounts[0].IsSigner = false
		}
		before := c.balances(keys)
		r := c.call([]txn.Instruction{ix}, append([]ed25519.PrivateKey{c.payer}, signers...)...)
		after := c.balances(keys)
		if sum(after)+r.Fee != sum(before) {
			t.Fatalf("tx %d: lamports %d + fee %d != %d (%v)", i, sum(after), r.Fee, sum(before), r.Err)
		}
		if r.Err != nil {
			failures++
			for k, a := range after {
				b := before[k]
				if k == pk(c.payer) {
					b.Lamports -= r.Fee
				}
				if !a.Equal(&b) {
					t.Fatalf("tx %d failed (%v) but changed %s", i, r.Err, k)
				}
			}
		}
	}
	if failures == 0 || failures == n {
		t.Fatalf("%d of %d failed: the mix is not exercising both paths", failures, n)
	}
	if err := c.st.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput: malformed and hostile transactions fail with typed
// errors and change nothing beyond the fee.
func TestBadInput(t *testing.T) {
	c := newChain(t)
	prog := pubkey.MustParse("MiniToken1111111111111111111111111111111111")
	c.deploy(prog, "../../testdata/c/minitoken.so")
	payer := c.payer
	good := func() *txn.Transaction {
		return c.tx([]txn.Instruction{system.Transfer(pk(payer), pk(key(2)), 1_000_000)}, payer)
	}
	txErr := func(k svm.TransactionErrorKind) *svm.TransactionError {
		return &svm.TransactionError{Kind: k}
	}
	cases := []struct {
		name    string
		tx      func() *txn.Transaction
		want    error
		charged bool
	}{
		{"bad signature", func() *txn.Transaction { tx := good(); tx.Signatures[0][5] ^= 1; return tx }, txErr(svm.SignatureFailure), false},
		{"missing signature", func() *txn.Transaction { tx := good(); tx.Signatures = nil; return tx }, txErr(svm.SanitizeFailure), false},
		{"account index out of range", func() *txn.Transaction {
			tx := good()
			tx.Message.Instructions[0].Accounts[1] = 9
			return resign(tx, payer)
		}, txErr(svm.SanitizeFailure), false},
		{"program index out of range", func() *txn.Transaction {
			tx := good()
			tx.Message.Instructions[0].ProgramIDIndex = 40
			return resign(tx, payer)
		}, txErr(svm.SanitizeFailure), false},
		{"duplicate keys", func() *txn.Transaction {
			tx := good()
			tx.Message.AccountKeys[1] = tx.Message.AccountKeys[2]
			return resign(tx, payer)
		}, txErr(svm.AccountLoadedTwice), false},
		{"unknown fee payer", func() *txn.Transaction {
			return c.tx([]txn.Instruction{system.Transfer(pk(key(77)), pk(key(2)), 1)}, key(77))
		}, txErr(svm.AccountNotFound), false},
		{"fee would leave the payer below rent", func() *txn.Transaction {
			ok(t, c.call([]txn.Instruction{system.Transfer(pk(payer), pk(key(78)), 892_000)}, payer))
			return c.tx([]txn.Instruction{system.Transfer(pk(key(78)), pk(payer), 1)}, key(78))
		}, txErr(svm.InsufficientFundsForRent), false},
		{"unknown program", func() *txn.Transaction {
			return c.tx([]txn.Instruction{{ProgramID: pk(key(79))}}, payer)
		}, txErr(svm.ProgramAccountNotFound), true},
		{"not a program", func() *txn.Transaction {
			return c.tx([]txn.Instruction{{ProgramID: pubkey.SysvarClock()}}, payer)
		}, txErr(svm.InvalidProgramForExecution), true},
		{"insufficient funds", func() *txn.Transaction {
			return c.tx([]txn.Instruction{system.Transfer(pk(payer), pk(key(2)), 1<<62)}, payer)
		}, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.Custom, Code: 1}), true},
		{"privilege escalation via CPI (signer)", func() *txn.Transaction {
			// minitoken's CreateAccount invokes System with the payer as a
			// signer; here the payer does not sign the instruction.
			victim := key(80)
			acc, bump, _ := pubkey.FindProgramAddress([][]byte{[]byte("token"), pk(victim).Bytes(), pk(key(81)).Bytes()}, prog)
			return c.tx([]txn.Instruction{{ProgramID: prog, Data: []byte{1, bump}, Accounts: []txn.AccountMeta{
				meta(pk(victim), false, true), meta(acc, false, true), meta(pk(victim), false, false), meta(pk(key(81)), false, false), meta(pubkey.SystemProgram(), false, false)}}}, payer)
		}, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.PrivilegeEscalation}), true},
		{"privilege escalation via CPI (writable)", func() *txn.Transaction {
			victim := key(82)
			acc, bump, _ := pubkey.FindProgramAddress([][]byte{[]byte("token"), pk(payer).Bytes(), pk(victim).Bytes()}, prog)
			return c.tx([]txn.Instruction{{ProgramID: prog, Data: []byte{1, bump}, Accounts: []txn.AccountMeta{
				meta(pk(payer), true, true), meta(acc, false, false), meta(pk(payer), false, false), meta(pk(victim), false, false), meta(pubkey.SystemProgram(), false, false)}}}, payer)
		}, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.PrivilegeEscalation}), true},
		{"duplicate compute budget instruction", func() *txn.Transaction {
			lim := txn.Instruction{ProgramID: pubkey.ComputeBudgetProgram(), Data: []byte{2, 0, 0, 1, 0}}
			return c.tx([]txn.Instruction{lim, lim}, payer)
		}, &svm.TransactionError{Kind: svm.DuplicateInstruction, Index: 1}, false},
		{"compute budget exhausted", func() *txn.Transaction {
			lim := txn.Instruction{ProgramID: pubkey.ComputeBudgetProgram(), Data: []byte{2, 200, 0, 0, 0}}
			return c.tx([]txn.Instruction{lim, {ProgramID: prog, Data: []byte{4}, Accounts: []txn.AccountMeta{meta(pk(payer), false, false)}}}, payer)
		}, svm.NewInstructionFailure(1, &svm.InstructionError{Kind: svm.ProgramFailedToComplete}), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx := tc.tx()
			payerKey := tx.Message.AccountKeys[0]
			before := c.acct(payerKey).Lamports
			root := c.bank.Head().StateRoot
			r := c.send(tx)
			if !errors.Is(r.Err, tc.want) {
				t.Fatalf("got %v, want %v\n%v", r.Err, tc.want, r.Logs)
			}
			if r.Charged != tc.charged {
				t.Fatalf("charged = %v", r.Charged)
			}
			after := c.acct(payerKey).Lamports
			if !tc.charged && (after != before || r.Fee != 0) {
				t.Fatalf("uncharged transaction changed the payer %d -> %d", before, after)
			}
			if tc.charged && after != before-r.Fee {
				t.Fatalf("payer %d -> %d, fee %d", before, after, r.Fee)
			}
			_ = root
		})
	}
	// Oversized: a transaction beyond the packet limit does not decode.
	big := c.tx([]txn.Instruction{{ProgramID: prog, Data: make([]byte, 1300)}}, payer)
	var de *txn.DecodeError
	if _, err := txn.Decode(big.Encode()); !errors.As(err, &de) || de.Kind != txn.ErrTooLarge {
		t.Fatalf("oversized: %v", err)
	}
	_ = binary.LittleEndian
}

func resign(tx *txn.Transaction, keys ...ed25519.PrivateKey) *txn.Transaction {
	out, err := txn.Sign(&tx.Message, keys...)
	if err != nil {
		return tx
	}
	return out
}

func TestInsufficientFundsForFee(t *testing.T) {
	poor := key(90)
	// A genesis account may hold less than a fee (and than rent).
	st2 := storeWith(t, account.Keyed{Key: pk(poor), Account: account.Account{Lamports: 4999}})
	b, err := Open(st2, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := txn.Compile(pk(poor), []txn.Instruction{system.Transfer(pk(poor), pk(key(2)), 1)}, b.LatestBlockhash())
	tx, _ := txn.Sign(m, poor)
	r, err := b.ProcessBlock([]*txn.Transaction{tx}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(r.Txs[0].Err, &svm.TransactionError{Kind: svm.InsufficientFundsForFee}) || r.Txs[0].Charged {
		t.Fatalf("got %v", r.Txs[0].Err)
	}
	if a, _ := b.Account(pk(poor)); a.Lamports != 4999 {
		t.Fatal("balance changed")
	}
}

func storeWith(t *testing.T, accts ...account.Keyed) *store.Store {
	st := store.NewMem()
	if _, err := Genesis(st, nil, 1, accts); err != nil {
		t.Fatal(err)
	}
	return st
}
