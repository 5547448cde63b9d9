package token

import (
	"encoding/binary"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

func accountData(n int, state byte) []byte {
	d := make([]byte, n)
	d[0], d[32] = 0xaa, 0xbb
	binary.LittleEndian.PutUint64(d[64:], 42)
	d[108] = state
	if n > AccountSize {
		d[AccountSize] = accountTypeAccount
	}
	return d
}

func mintData(n int, decimals byte) []byte {
	d := make([]byte, n)
	binary.LittleEndian.PutUint32(d[0:], 1)
	d[4] = 0xcc
	binary.LittleEndian.PutUint64(d[36:], 1000)
	d[44], d[45] = decimals, 1
	if n > AccountSize {
		d[AccountSize] = accountTypeMint
	}
	return d
}

func TestDecodeAccount(t *testing.T) {
	ext := accountData(AccountSize+10, 1)
	wrongType := accountData(AccountSize+10, 1)
	wrongType[AccountSize] = accountTypeMint
	for _, c := range []struct {
		name  string
		owner pubkey.Pubkey
		data  []byte
		ok    bool
	}{
		{"token", Program, accountData(AccountSize, 1), true},
		{"frozen", Program, accountData(AccountSize, 2), true},
		{"uninitialized", Program, accountData(AccountSize, 0), false},
		{"bad state", Program, accountData(AccountSize, 3), false},
		{"other owner", pubkey.SystemProgram(), accountData(AccountSize, 1), false},
		{"token longer", Program, ext, false},
		{"2022 with extensions", Program2022, ext, true},
		{"2022 typed a mint", Program2022, wrongType, false},
		{"short", Program, make([]byte, 100), false},
		{"mint", Program, mintData(MintSize, 6), false},
	} {
		a, ok := DecodeAccount(c.owner, c.data)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
		}
		if ok && (a.Amount != 42 || a.Mint[0] != 0xaa || a.Owner[0] != 0xbb) {
			t.Errorf("%s: decoded %+v", c.name, a)
		}
	}
}

func TestDecodeMint(t *testing.T) {
	uninit := mintData(MintSize, 6)
	uninit[45] = 0
	for _, c := range []struct {
		name  string
		owner pubkey.Pubkey
		data  []byte
		ok    bool
	}{
		{"mint", Program, mintData(MintSize, 6), true},
		{"2022 mint", Program2022, mintData(MintSize, 6), true},
		{"2022 with extensions", Program2022, mintData(AccountSize+20, 6), true},
		{"token padded", Program, mintData(AccountSize+20, 6), false},
		{"token account", Program, accountData(AccountSize, 1), false},
		{"uninitialized", Program, uninit, false},
		{"other owner", pubkey.SystemProgram(), mintData(MintSize, 6), false},
	} {
		m, ok := DecodeMint(c.owner, c.data)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
		}
		if ok && (m.Decimals != 6 || m.Supply != 1000 || m.MintAuthority == nil || (*m.MintAuthority)[0] != 0xcc || m.FreezeAuthority != nil) {
			t.Errorf("%s: decoded %+v", c.name, m)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(accountData(AccountSize, 1), true)
	f.Add(mintData(MintSize, 6), false)
	f.Fuzz(func(t *testing.T, data []byte, v2022 bool) {
		owner := Program
		if v2022 {
			owner = Program2022
		}
		DecodeAccount(owner, data)
		DecodeMint(owner, data)
	})
}
