package store

import (
	"encoding/binary"
	"testing"

	"lukechampine.com/blake3"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// refLtHash is the definition, written plainly: 2 KiB of blake3 XOF of
// lamports, data, executable, owner and address, as 1024 u16 lanes.
func refLtHash(key pubkey.Pubkey, a *account.Account) LtHash {
	var h LtHash
	if a.Lamports == 0 {
		return h
	}
	hs := blake3.New(32, nil)
	hs.Write(binary.LittleEndian.AppendUint64(nil, a.Lamports))
	hs.Write(a.Data)
	if a.Executable {
		hs.Write([]byte{1})
	} else {
		hs.Write([]byte{0})
	}
	hs.Write(a.Owner[:])
	hs.Write(key[:])
	out := make([]byte, 2*LtHashLanes)
	hs.XOF().Read(out)
	for i := range h {
		h[i] = binary.LittleEndian.Uint16(out[2*i:])
	}
	return h
}

// One reused hasher gives every account the lattice hash of the
// definition, for data around blake3's chunk and SIMD sizes.
func TestAccountLtHashMatchesDefinition(t *testing.T) {
	lh := newLtHasher()
	for i, n := range []int{0, 1, 63, 64, 1023, 1024, 1025, 4096, 17000} {
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(i*31 + j*7)
		}
		for _, a := range []account.Account{
			{Lamports: uint64(i + 1), Data: data, Owner: pubkey.Pubkey{byte(i)}},
			{Lamports: 1 << 40, Data: data, Executable: true},
			{Lamports: 0, Data: data},
		} {
			key := pubkey.Pubkey{byte(n), byte(n >> 8), 9}
			want := refLtHash(key, &a)
			var got LtHash
			lh.sum(key, &a, &got)
			if got != want {
				t.Fatalf("data %d bytes, lamports %d: reused hasher differs from the definition", n, a.Lamports)
			}
			if AccountLtHash(key, &a) != want {
				t.Fatalf("data %d bytes, lamports %d: AccountLtHash differs from the definition", n, a.Lamports)
			}
		}
	}
}

func BenchmarkAccountLtHash(b *testing.B) {
	a := account.Account{Lamports: 3_000_000, Data: make([]byte, 300)}
	key := pubkey.Pubkey{1}
	b.Run("definition", func(b *testing.B) {
		for b.Loop() {
			refLtHash(key, &a)
		}
	})
	b.Run("reused", func(b *testing.B) {
		lh := newLtHasher()
		var h LtHash
		for b.Loop() {
			lh.sum(key, &a, &h)
		}
	})
}

// sameHashInput never claims equal hashes for accounts whose hashes
// differ, and finds the equal ones (unchanged accounts, closed accounts).
func TestSameHashInput(t *testing.T) {
	owner := pubkey.Pubkey{7}
	base := account.Account{Lamports: 5, Owner: owner, Data: []byte{1, 2, 3}}
	mod := func(f func(a *account.Account)) account.Account {
		a := base
		a.Data = append([]byte(nil), base.Data...)
		f(&a)
		return a
	}
	cases := []struct {
		a, b account.Account
		same bool
	}{
		{base, mod(func(*account.Account) {}), true},
		{base, mod(func(a *account.Account) { a.RentEpoch = 9 }), true},
		{base, mod(func(a *account.Account) { a.Lamports = 6 }), false},
		{base, mod(func(a *account.Account) { a.Data[2] = 4 }), false},
		{base, mod(func(a *account.Account) { a.Data = a.Data[:2] }), false},
		{base, mod(func(a *account.Account) { a.Owner[0] = 8 }), false},
		{base, mod(func(a *account.Account) { a.Executable = true }), false},
		{base, account.Account{}, false},
		{mod(func(a *account.Account) { a.Lamports = 0 }), account.Account{Owner: owner, Data: []byte{9}}, true},
	}
	key := pubkey.Pubkey{3}
	for i, c := range cases {
		if got := sameHashInput(&c.a, &c.b); got != c.same {
			t.Errorf("case %d: sameHashInput = %v, want %v", i, got, c.same)
		}
		if ha, hb := AccountLtHash(key, &c.a), AccountLtHash(key, &c.b); (ha == hb) != c.same {
			t.Errorf("case %d: hashes equal = %v, want %v", i, ha == hb, c.same)
		}
	}
}

// The hash cache never changes a commitment: a store that keeps it and
// one that forgets it before every block commit the same headers, over
// blocks that rewrite, close, reopen and leave unchanged a small set of
// accounts (with and without Prior), through prepared blocks that are
// dropped, and past the cache's generations.
func TestHashCacheSameCommitments(t *testing.T) {
	cached, fresh := NewMem(), NewMem()
	rng := uint64(1)
	next := func(n uint64) uint64 {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return rng % n
	}
	state := map[pubkey.Pubkey]account.Account{}
	for h := uint64(0); h < 40; h++ {
		b := &Block{Height: h, Timestamp: int64(h), Workers: int(h % 3)}
		if h%2 == 0 {
			b.Prior = map[pubkey.Pubkey]account.Account{}
		}
		nkeys := 20
		if h == 30 { // more accounts than the cache's generations hold
			nkeys = 2*hashCacheGen + 10
		}
		for i := range nkeys {
			k := pubkey.Pubkey{byte(next(24)), byte(i >> 8), byte(i)}
			if h == 30 {
				k = pubkey.Pubkey{0xff, byte(i >> 8), byte(i)}
			}
			old := state[k]
			a := account.Account{Lamports: 1 + next(3), Data: []byte{byte(next(3))}}
			switch next(4) {
			case 0:
				a = old.Clone() // unchanged
			case 1:
				a = account.Account{} // closed
			}
			if b.Prior != nil {
				b.Prior[k] = old
			}
			b.Writes = append(b.Writes, account.Keyed{Key: k, Account: a})
			state[k] = a
		}
		if _, err := cached.Prepare(&Block{Height: h, Writes: []account.Keyed{{Key: pubkey.Pubkey{1}, Account: account.Account{Lamports: 99}}}}); err != nil {
			t.Fatal(err) // prepared, never applied
		}
		fresh.hashes = hashCache{}
		got, err := cached.Commit(b)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh.Commit(b)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("block %d: header with the cache %+v, without %+v", h, got, want)
		}
	}
	if len(cached.hashes.cur) > hashCacheGen || len(cached.hashes.old) > hashCacheGen {
		t.Fatalf("cache holds %d+%d hashes", len(cached.hashes.cur), len(cached.hashes.old))
	}
	if err := cached.Verify(); err != nil {
		t.Fatal(err)
	}
}

// A block prepared by one store and applied to another at the same head
// leaves the second store's cache right: later blocks commit the same
// headers as a store without a cache.
func TestHashCacheForeignPending(t *testing.T) {
	a, b, ref := NewMem(), NewMem(), NewMem()
	k := pubkey.Pubkey{5}
	blk := func(h, lamports uint64) *Block {
		return &Block{Height: h, Writes: []account.Keyed{{Key: k, Account: account.Account{Lamports: lamports}}}}
	}
	for _, s := range []*Store{a, b, ref} {
		if _, err := s.Commit(blk(0, 10)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := a.Prepare(blk(1, 20))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(p); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Commit(blk(1, 20)); err != nil {
		t.Fatal(err)
	}
	ref.hashes = hashCache{}
	got, err := b.Commit(blk(2, 30))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.Commit(blk(2, 30))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("after a foreign block: %+v, want %+v", got, want)
	}
}

// Add and Sub, four lanes a word, give the lane-by-lane sums and
// differences modulo 2^16, carries and borrows at every lane's edges
// included.
func TestLtHashAddSubLanes(t *testing.T) {
	var x, y LtHash
	seed := uint32(1)
	next := func() uint16 {
		seed = seed*1664525 + 1013904223
		return uint16(seed >> 16)
	}
	edges := []uint16{0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff}
	for round := range 64 {
		for i := range x {
			if round < 49 {
				x[i], y[i] = edges[(i+round)%len(edges)], edges[(i/len(edges)+round/7)%len(edges)]
			} else {
				x[i], y[i] = next(), next()
			}
		}
		sum, diff := x, x
		sum.Add(&y)
		diff.Sub(&y)
		for i := range x {
			if sum[i] != x[i]+y[i] || diff[i] != x[i]-y[i] {
				t.Fatalf("round %d lane %d: %#x+%#x = %#x, %#x-%#x = %#x", round, i, x[i], y[i], sum[i], x[i], y[i], diff[i])
			}
		}
	}
}

// BenchmarkLtHashAdd: Add and Sub against the plain lane loop, the
// baseline.
func BenchmarkLtHashAdd(b *testing.B) {
	var x, y LtHash
	for i := range x {
		x[i], y[i] = uint16(i*7919), uint16(i*104729)
	}
	b.Run("words", func(b *testing.B) {
		for b.Loop() {
			x.Add(&y)
			x.Sub(&y)
		}
	})
	b.Run("lanes", func(b *testing.B) {
		for b.Loop() {
			for i := range x {
				x[i] += y[i]
			}
			for i := range x {
				x[i] -= y[i]
			}
		}
	})
}
