package txn

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

// compileReference is Compile as Message::new_with_blockhash states it,
// written plainly: a map of merged flags, four groups, each sorted.
func compileReference(payer pubkey.Pubkey, ixs []Instruction, blockhash Hash) *Message {
	flags := map[pubkey.Pubkey]*keyFlags{payer: {signer: true, writable: true}}
	get := func(k pubkey.Pubkey) *keyFlags {
		if flags[k] == nil {
			flags[k] = &keyFlags{}
		}
		return flags[k]
	}
	for _, ix := range ixs {
		get(ix.ProgramID).invoked = true
		for _, a := range ix.Accounts {
			f := get(a.Pubkey)
			f.signer, f.writable = f.signer || a.IsSigner, f.writable || a.IsWritable
		}
	}
	var groups [4][]pubkey.Pubkey
	for k, f := range flags {
		if k == payer {
			continue
		}
		g := 3
		if f.signer && f.writable {
			g = 0
		} else if f.signer {
			g = 1
		} else if f.writable {
			g = 2
		}
		groups[g] = append(groups[g], k)
	}
	keys := []pubkey.Pubkey{payer}
	for _, g := range groups {
		sort.Slice(g, func(i, j int) bool { return bytes.Compare(g[i][:], g[j][:]) < 0 })
		keys = append(keys, g...)
	}
	index := map[pubkey.Pubkey]uint8{}
	for i, k := range keys {
		index[k] = uint8(i)
	}
	m := &Message{Header: Header{NumRequiredSignatures: uint8(1 + len(groups[0]) + len(groups[1])),
		NumReadonlySignedAccounts: uint8(len(groups[1])), NumReadonlyUnsignedAccounts: uint8(len(groups[3]))},
		AccountKeys: keys, RecentBlockhash: blockhash, Instructions: []CompiledInstruction{}}
	for _, ix := range ixs {
		ci := CompiledInstruction{ProgramIDIndex: index[ix.ProgramID], Data: append([]byte{}, ix.Data...), Accounts: []uint8{}}
		for _, a := range ix.Accounts {
			ci.Accounts = append(ci.Accounts, index[a.Pubkey])
		}
		m.Instructions = append(m.Instructions, ci)
	}
	return m
}

// TestCompileEqualsReference compiles random instructions, over few keys
// (found by scanning) and many (indexed), with keys repeated across
// instructions and flags merged, and holds Compile to the plain rule.
func TestCompileEqualsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		pool := make([]pubkey.Pubkey, 1+rng.IntN(60))
		for i := range pool {
			pool[i][0], pool[i][1] = byte(rng.IntN(256)), byte(i)
		}
		payer := pool[rng.IntN(len(pool))]
		ixs := make([]Instruction, rng.IntN(5))
		for i := range ixs {
			ixs[i].ProgramID = pool[rng.IntN(len(pool))]
			ixs[i].Data = []byte{byte(i)}
			for range rng.IntN(12) {
				ixs[i].Accounts = append(ixs[i].Accounts, AccountMeta{Pubkey: pool[rng.IntN(len(pool))], IsSigner: rng.IntN(4) == 0, IsWritable: rng.IntN(2) == 0})
			}
		}
		got, err := Compile(payer, ixs, Hash{byte(round)})
		if err != nil {
			t.Fatal(err)
		}
		if want := compileReference(payer, ixs, Hash{byte(round)}); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: Compile\n%+v\nreference\n%+v", round, got, want)
		}
	}
}

// BenchmarkCompile compiles a one-instruction message of four keys,
// next to the plain rule as the baseline.
func BenchmarkCompile(b *testing.B) {
	payer, to, prog := pubkey.Pubkey{1}, pubkey.Pubkey{2}, pubkey.Pubkey{3}
	ixs := []Instruction{{ProgramID: prog, Accounts: []AccountMeta{{Pubkey: payer, IsSigner: true, IsWritable: true}, {Pubkey: to, IsWritable: true}, {Pubkey: pubkey.Pubkey{4}}}, Data: []byte{1, 2, 3}}}
	b.Run("compile", func(b *testing.B) {
		for b.Loop() {
			if _, err := Compile(payer, ixs, Hash{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		for b.Loop() {
			compileReference(payer, ixs, Hash{})
		}
	})
}
