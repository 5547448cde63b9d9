package bank

import (
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

func cacheKey(i int) pubkey.Pubkey {
	var k pubkey.Pubkey
	k[0], k[1], k[2] = byte(i), byte(i>>8), byte(i>>16)
	return k
}

// The cache keeps the newest values, holds an emptied account as the
// zero Account (as the store reads it), forgets what a commit is about
// to write, and stays within two generations however much goes in.
func TestAccountCacheBounds(t *testing.T) {
	c := newAccountCache()
	c.put(nil, []account.Keyed{{Key: cacheKey(1), Account: account.Account{Lamports: 5, Data: []byte{1, 2}}}})
	c.put(map[pubkey.Pubkey]account.Account{cacheKey(2): {Lamports: 7}}, []account.Keyed{{Key: cacheKey(1), Account: account.Account{Lamports: 0, Data: []byte{9}}}})
	if a, ok := c.get(cacheKey(1)); !ok || a.Lamports != 0 || a.Data != nil {
		t.Fatalf("emptied account cached as %+v (%v)", a, ok)
	}
	if a, ok := c.get(cacheKey(2)); !ok || a.Lamports != 7 {
		t.Fatalf("read account cached as %+v (%v)", a, ok)
	}
	c.forget([]account.Keyed{{Key: cacheKey(2)}})
	if _, ok := c.get(cacheKey(2)); ok {
		t.Fatal("a forgotten account is still cached")
	}
	for i := range 3*cacheGenAccounts + 5 {
		c.put(nil, []account.Keyed{{Key: cacheKey(i), Account: account.Account{Lamports: uint64(i) + 1}}})
	}
	if n := len(c.cur) + len(c.old); n > 2*cacheGenAccounts {
		t.Fatalf("%d accounts cached, at most %d allowed", n, 2*cacheGenAccounts)
	}
	last := 3*cacheGenAccounts + 4
	if a, ok := c.get(cacheKey(last)); !ok || a.Lamports != uint64(last)+1 {
		t.Fatalf("newest account cached as %+v (%v)", a, ok)
	}
	big := account.Account{Lamports: 1, Data: make([]byte, 1<<20)}
	for i := range 3 * cacheGenBytes >> 20 {
		c.put(nil, []account.Keyed{{Key: cacheKey(i), Account: big}})
	}
	bytes := 0
	for _, m := range []map[pubkey.Pubkey]account.Account{c.cur, c.old} {
		for _, a := range m {
			bytes += len(a.Data)
		}
	}
	if bytes > 2*cacheGenBytes+len(big.Data) {
		t.Fatalf("%d bytes cached, at most about %d allowed", bytes, 2*cacheGenBytes)
	}
}

// Reads through the bank (its cache) agree with the store after blocks
// that write, empty and re-create accounts.
func TestAccountCacheMatchesStore(t *testing.T) {
	c := newChain(t)
	users := []pubkey.Pubkey{pk(key(80)), pk(key(81)), pk(key(82))}
	check := func(step string) {
		t.Helper()
		for _, k := range append(users, pk(c.payer)) {
			got, err := c.bank.Account(k)
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.st.Account(k)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(&want) {
				t.Fatalf("%s: %s reads %+v through the bank, %+v from the store", step, k, got, want)
			}
		}
	}
	for round := range 3 {
		var txs []*txn.Transaction
		for i, u := range users {
			txs = append(txs, c.tx([]txn.Instruction{system.Transfer(pk(c.payer), u, uint64(1_000_000*(round+1)+i))}, c.payer))
		}
		c.now++
		if _, err := c.bank.ProcessBlock(txs, c.now); err != nil {
			t.Fatal(err)
		}
		check("after a block of transfers")
		// Empty one account completely: it is deleted from the store.
		u := key(80)
		bal := c.acct(pk(u)).Lamports
		ok(t, c.call([]txn.Instruction{system.Transfer(pk(u), pk(c.payer), bal)}, c.payer, u))
		check("after emptying an account")
	}
}
