package bank

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
)

// Every included transaction of a block is recorded with its outcome and
// each account's lamports before and after it, in block order, so a
// later transaction's pre balances are an earlier one's post balances.
func TestHistoryRecords(t *testing.T) {
	c := newChain(t)
	a, b := key(50), key(51)
	txs := []*txn.Transaction{
		c.tx([]txn.Instruction{system.Transfer(pk(c.payer), pk(a), 3_000_000)}, c.payer),
		c.tx([]txn.Instruction{system.Transfer(pk(a), pk(b), 1_000_000)}, a), // funded by the first
		c.tx([]txn.Instruction{system.Transfer(pk(a), pk(b), 9_000_000)}, a), // fails: charged, no transfer
		c.tx([]txn.Instruction{system.Transfer(pk(b), pk(a), 1)}, b),         // bad signature: not charged
	}
	txs[3].Signatures[0][0] ^= 1
	c.now++
	res, err := c.bank.ProcessBlock(txs, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Txs[3].Charged || res.Txs[2].Err == nil {
		t.Fatalf("outcomes %v %v", res.Txs[3].Result, res.Txs[2].Err)
	}
	slot := res.Header.Height
	fee := res.Txs[0].Fee
	want := []struct {
		pre, post []uint64
		ok        bool
	}{
		{[]uint64{500_000_000_000, 0, 1}, []uint64{500_000_000_000 - fee - 3_000_000, 3_000_000, 1}, true},
		{[]uint64{3_000_000, 0, 1}, []uint64{3_000_000 - fee - 1_000_000, 1_000_000, 1}, true},
		{[]uint64{2_000_000 - fee, 1_000_000, 1}, []uint64{2_000_000 - 2*fee, 1_000_000, 1}, false},
	}
	for i, w := range want {
		r := res.Txs[i]
		rec, err := c.st.Transaction(r.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Slot != slot || rec.Index != uint32(i) || rec.OK() != w.ok || rec.Fee != r.Fee || rec.CU != r.CU || !slices.Equal(rec.Logs, r.Logs) {
			t.Fatalf("tx %d: record %+v, result %+v", i, rec, r.Result)
		}
		if !slices.Equal(rec.PreBalances, w.pre) || !slices.Equal(rec.PostBalances, w.post) {
			t.Fatalf("tx %d: balances %v -> %v, want %v -> %v", i, rec.PreBalances, rec.PostBalances, w.pre, w.post)
		}
		if !slices.Equal(rec.Accounts, txs[i].Message.AccountKeys) || !slices.Equal(rec.Transaction, txs[i].Encode()) {
			t.Fatalf("tx %d: accounts or wire bytes differ", i)
		}
		if !w.ok && (rec.Err != r.Err.String() || rec.ErrMessage != r.Err.Error()) {
			t.Fatalf("tx %d: error %q, want %q", i, rec.Err, r.Err.String())
		}
	}
	if _, err := c.st.Transaction(res.Txs[3].Signature); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a transaction not in the block was recorded: %v", err)
	}
	// a is in three transactions, b in two; newest first.
	refs, err := c.st.SignaturesForAddress(pk(a), nil, 10)
	if err != nil || len(refs) != 3 || refs[0].Index != 2 || refs[2].Index != 0 {
		t.Fatalf("history of a: %+v %v", refs, err)
	}
	refs, _ = c.st.SignaturesForAddress(pubkey.SystemProgram(), nil, 10)
	if len(refs) != 3 {
		t.Fatalf("history of the System program: %+v", refs)
	}
}

// The records' balances agree with the state before and after, for
// random transactions that succeed and fail.
func TestHistoryConservation(t *testing.T) {
	c := newChain(t)
	users := []ed25519.PrivateKey{key(60), key(61), key(62)}
	for _, u := range users {
		ok(t, c.call([]txn.Instruction{system.Transfer(pk(c.payer), pk(u), 5_000_000)}, c.payer))
	}
	for i := 0; i < 30; i++ {
		from, to := users[i%3], users[(i*7+1)%3]
		r := c.call([]txn.Instruction{system.Transfer(pk(from), pk(to), uint64(i)*400_000)}, c.payer, from)
		rec, err := c.st.Transaction(r.Signature)
		if err != nil {
			t.Fatal(err)
		}
		var pre, post uint64
		for j, k := range rec.Accounts {
			pre += rec.PreBalances[j]
			post += rec.PostBalances[j]
			if got := c.acct(k).Lamports; got != rec.PostBalances[j] {
				t.Fatalf("tx %d: %s holds %d, record says %d", i, k, got, rec.PostBalances[j])
			}
		}
		if post+rec.Fee != pre || rec.OK() != (r.Err == nil) {
			t.Fatalf("tx %d: pre %d, post %d, fee %d (%v)", i, pre, post, rec.Fee, r.Err)
		}
	}
}

// A bank that keeps no history commits the same blocks (state root,
// signatures, hash) and records no transaction.
func TestNoHistorySameBlocks(t *testing.T) {
	with, without := newChain(t), newChain(t)
	without.bank.KeepHistory(false)
	a := key(70)
	for i := range 3 {
		tx := with.tx([]txn.Instruction{system.Transfer(pk(with.payer), pk(a), uint64(i+1)*1_000_000)}, with.payer)
		with.now++
		without.now++
		r1, err := with.bank.ProcessBlock([]*txn.Transaction{tx}, with.now)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := without.bank.ProcessBlock([]*txn.Transaction{tx}, without.now)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Header != r2.Header {
			t.Fatalf("block %d: headers differ: %+v, %+v", i, r1.Header, r2.Header)
		}
		if _, err := with.st.Transaction(tx.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := without.st.Transaction(tx.ID()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("block %d: a bank without history recorded a transaction: %v", i, err)
		}
	}
}

// Token layouts for genesis accounts (owned by SPL Token, whose program
// need not run: the records read the accounts, not the program).
func mintBytes(decimals uint8) []byte {
	d := make([]byte, token.MintSize)
	d[44], d[45] = decimals, 1
	return d
}

func tokenBytes(mint, owner pubkey.Pubkey, amount uint64) []byte {
	d := make([]byte, token.AccountSize)
	copy(d[0:], mint[:])
	copy(d[32:], owner[:])
	binary.LittleEndian.PutUint64(d[64:], amount)
	d[108] = 1
	return d
}

// A block's records hold each transaction's inner instructions (the
// CPIs of testdata/c/cpicollect.so, indexes into its keys, a list per
// top-level instruction, also when it fails) and the SPL Token balances
// of its accounts before and after: decimals from the mint (9 for
// wrapped SOL, whose mint is not read), accounts of an unreadable mint
// left out.
func TestHistoryInnerAndTokenBalances(t *testing.T) {
	st := store.NewMem()
	payer, alice := key(1), key(2)
	mint, tokA, native, orphan := pubkey.Pubkey{0xa1}, pubkey.Pubkey{0xa2}, pubkey.Pubkey{0xa3}, pubkey.Pubkey{0xa4}
	tok := func(k pubkey.Pubkey, data []byte) GenesisAccount {
		return GenesisAccount{Key: k, Account: account.Account{Lamports: 2_039_280, Owner: token.Program, Data: data}}
	}
	if _, err := Genesis(st, nil, 1_700_000_000, []GenesisAccount{
		{Key: pk(payer), Account: account.Account{Lamports: 500_000_000_000}},
		{Key: pk(alice), Account: account.Account{Lamports: 1_000_000_000}},
		{Key: mint, Account: account.Account{Lamports: 1_461_600, Owner: token.Program, Data: mintBytes(6)}},
		tok(tokA, tokenBytes(mint, pk(alice), 1500)),
		tok(native, tokenBytes(token.NativeMint, pk(alice), 5)),
		tok(orphan, tokenBytes(pubkey.Pubkey{0xee}, pk(alice), 9)),
	}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{t: t, st: st, bank: b, payer: payer, now: 1_700_000_000}
	prog := pubkey.Pubkey{0xcc}
	c.deploy(prog, "../../testdata/c/cpicollect.so")
	collect := func(amount uint64) txn.Instruction {
		return txn.Instruction{ProgramID: prog, Data: binary.LittleEndian.AppendUint64(nil, amount), Accounts: []txn.AccountMeta{
			meta(pk(alice), true, true), meta(tokA, false, true), meta(pubkey.SystemProgram(), false, false)}}
	}
	check := func(r TxResult, wantInner int, wantOK bool) store.TxRecord {
		t.Helper()
		if (r.Err == nil) != wantOK {
			t.Fatalf("outcome %v", r.Err)
		}
		rec, err := st.Transaction(r.Signature)
		if err != nil {
			t.Fatal(err)
		}
		idx := func(k pubkey.Pubkey) uint8 { return uint8(slices.Index(rec.Accounts, k)) }
		if len(rec.Inner) != wantInner || len(rec.Inner[0]) != 1 {
			t.Fatalf("inner %+v", rec.Inner)
		}
		in := rec.Inner[0][0]
		if in.ProgramIDIndex != idx(pubkey.SystemProgram()) || !slices.Equal(in.Accounts, []uint8{idx(pk(alice)), idx(tokA)}) || in.StackHeight != 2 || in.Data[0] != 2 {
			t.Fatalf("inner instruction %+v", in)
		}
		for _, l := range rec.Inner[1:] {
			if len(l) != 0 {
				t.Fatalf("a transfer's inner instructions %+v", l)
			}
		}
		want := []store.TokenBalance{
			{AccountIndex: idx(tokA), Mint: mint, Owner: pk(alice), ProgramID: token.Program, Amount: 1500, Decimals: 6},
			{AccountIndex: idx(native), Mint: token.NativeMint, Owner: pk(alice), ProgramID: token.Program, Amount: 5, Decimals: 9},
		}
		slices.SortFunc(want, func(a, b store.TokenBalance) int { return int(a.AccountIndex) - int(b.AccountIndex) })
		if !slices.Equal(rec.PreTokenBalances, want) || !slices.Equal(rec.PostTokenBalances, want) {
			t.Fatalf("token balances %+v -> %+v, want %+v", rec.PreTokenBalances, rec.PostTokenBalances, want)
		}
		return rec
	}
	ixs := []txn.Instruction{collect(10), system.Transfer(pk(payer), native, 1), system.Transfer(pk(payer), orphan, 1)}
	check(c.call(ixs, payer, alice), 3, true)
	// Alice cannot pay: instruction 0 fails in its CPI, which is still
	// recorded, and the others never start.
	ixs[0] = collect(5_000_000_000)
	check(c.call(ixs, payer, alice), 1, false)
}

// A block large enough for the records to be built on several workers
// records the same history at every number of lanes, and each
// transaction's pre balances are the post balances of the last earlier
// transaction that touched the account (or the state before the block).
func TestHistoryParallelRecords(t *testing.T) {
	users := []ed25519.PrivateKey{key(70), key(71), key(72), key(73), key(74)}
	var first [][]store.TxRecord
	for _, lanes := range []int{1, 4} {
		c := newChain(t)
		c.bank.SetScheduler(sched.Config{Lanes: lanes})
		for _, u := range users {
			ok(t, c.call([]txn.Instruction{system.Transfer(pk(c.payer), pk(u), 50_000_000)}, c.payer))
		}
		var txs []*txn.Transaction
		for i := range 150 {
			from, to := users[i%5], users[(i*3+1)%5]
			amount := uint64(i) * 100_000
			if i%17 == 0 {
				amount = 1<<40 + uint64(i) // fails: charged, transfers nothing
			}
			txs = append(txs, c.tx([]txn.Instruction{system.Transfer(pk(from), pk(to), amount)}, from))
		}
		last := map[pubkey.Pubkey]uint64{}
		for _, u := range users {
			last[pk(u)] = c.acct(pk(u)).Lamports
		}
		last[pubkey.SystemProgram()] = c.acct(pubkey.SystemProgram()).Lamports
		c.now++
		res, err := c.bank.ProcessBlock(txs, c.now)
		if err != nil {
			t.Fatal(err)
		}
		var recs []store.TxRecord
		for i, r := range res.Txs {
			rec, err := c.st.Transaction(r.Signature)
			if err != nil {
				t.Fatal(err)
			}
			for j, k := range rec.Accounts {
				if want := last[k]; rec.PreBalances[j] != want {
					t.Fatalf("lanes %d tx %d: %s pre %d, want %d", lanes, i, k, rec.PreBalances[j], want)
				}
				last[k] = rec.PostBalances[j]
			}
			recs = append(recs, rec)
		}
		for k, v := range last {
			if got := c.acct(k).Lamports; got != v {
				t.Fatalf("lanes %d: %s holds %d, last record says %d", lanes, k, got, v)
			}
		}
		if first == nil {
			first = append(first, recs)
		} else if !reflect.DeepEqual(first[0], recs) {
			t.Fatalf("lanes %d recorded another history than one lane", lanes)
		}
	}
}
