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
