package store

import (
	"fmt"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// tokenLikeBlock is a block shaped like 256 SPL Token transfers: each
// transaction writes its fee payer (lamports) and two 165-byte token
// accounts, and its record lists five accounts and four log lines. Prior
// holds every written account's old value.
func tokenLikeBlock(h uint64) *Block {
	b := &Block{Height: h, Timestamp: 1, Prior: map[pubkey.Pubkey]account.Account{}}
	owner := pubkey.Pubkey{0xee}
	for i := range 256 {
		payer, from, to := key(1000+i), key(2000+i), key(3000+i)
		for j, k := range []pubkey.Pubkey{payer, from, to} {
			old := account.Account{Lamports: 1_000_000 + uint64(i), Owner: owner}
			if j > 0 {
				old.Data = make([]byte, 165)
			}
			b.Prior[k] = old
			nw := old
			nw.Lamports -= 5000
			if j > 0 {
				nw.Lamports = old.Lamports
				nw.Data = append([]byte(nil), old.Data...)
				nw.Data[64] = byte(i + j)
			}
			b.Writes = append(b.Writes, account.Keyed{Key: k, Account: nw})
		}
		var sig [64]byte
		copy(sig[:], fmt.Sprintf("sig-%d-%d", h, i))
		b.Signatures = append(b.Signatures, sig)
		b.Txs = append(b.Txs, TxRecord{
			Signature: sig, CU: 4645, Fee: 5000,
			Logs:     []string{"Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [1]", "Program log: Instruction: Transfer", "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA consumed 4645 of 200000 compute units", "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA success"},
			Accounts: []pubkey.Pubkey{payer, from, to, owner, key(9)}, PreBalances: make([]uint64, 5), PostBalances: make([]uint64, 5),
			Transaction: make([]byte, 300), Inner: [][]InnerInstruction{{}},
			PreTokenBalances: []TokenBalance{{AccountIndex: 1}, {AccountIndex: 2}}, PostTokenBalances: []TokenBalance{{AccountIndex: 1}, {AccountIndex: 2}},
		})
	}
	return b
}

// BenchmarkPrepare prepares a block of 256 token-transfer-shaped
// transactions (hashing, encoding, keys) on one goroutine; the baseline
// is the same block's lattice hashing alone, the part of the work that
// cannot shrink.
func BenchmarkPrepare(b *testing.B) {
	s := NewMem()
	if _, err := s.Commit(&Block{Height: 0}); err != nil {
		b.Fatal(err)
	}
	blk := tokenLikeBlock(1)
	b.Run("baseline-hash-only", func(b *testing.B) {
		lh := newLtHasher()
		var h LtHash
		b.ReportAllocs()
		for b.Loop() {
			for _, w := range blk.Writes {
				old := blk.Prior[w.Key]
				lh.sum(w.Key, &old, &h)
				lh.sum(w.Key, &w.Account, &h)
			}
		}
	})
	b.Run("prepare-cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Prepare(blk); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same accounts written again in the next block, as hot
	// accounts are: their old hashes are known from the last commit.
	b.Run("prepare-after-commit", func(b *testing.B) {
		s := NewMem()
		if _, err := s.Commit(&Block{Height: 0}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Commit(tokenLikeBlock(1)); err != nil {
			b.Fatal(err)
		}
		next := tokenLikeBlock(2)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Prepare(next); err != nil {
				b.Fatal(err)
			}
		}
	})
}
