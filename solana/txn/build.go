package txn

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"sort"

	"github.com/agora-vm/agora/solana/pubkey"
)

// AccountMeta is an account of an instruction being built.
type AccountMeta struct {
	Pubkey     pubkey.Pubkey
	IsSigner   bool
	IsWritable bool
}

// Instruction is an instruction being built: a program, its accounts and
// its data.
type Instruction struct {
	ProgramID pubkey.Pubkey
	Accounts  []AccountMeta
	Data      []byte
}

// keyFlags is what a message says of one key: whether it signs, is
// written, and is an invoked program.
type keyFlags struct{ signer, writable, invoked bool }

// keyFlagsOf merges the flags of every key the instructions name, the
// payer a writable signer.
func keyFlagsOf(payer pubkey.Pubkey, ixs []Instruction) map[pubkey.Pubkey]*keyFlags {
	meta := map[pubkey.Pubkey]*keyFlags{payer: {signer: true, writable: true}}
	get := func(k pubkey.Pubkey) *keyFlags {
		f, ok := meta[k]
		if !ok {
			f = &keyFlags{}
			meta[k] = f
		}
		return f
	}
	for _, ix := range ixs {
		get(ix.ProgramID).invoked = true
		for _, a := range ix.Accounts {
			f := get(a.Pubkey)
			f.signer = f.signer || a.IsSigner
			f.writable = f.writable || a.IsWritable
		}
	}
	return meta
}

// Compile builds the message Solana's Message::new_with_blockhash builds:
// the payer first, then the other keys grouped as writable signers,
// read-only signers, writable non-signers and read-only non-signers
// (programs), each group in byte order of the keys.
func Compile(payer pubkey.Pubkey, ixs []Instruction, blockhash Hash) (*Message, error) {
	meta := keyFlagsOf(payer, ixs)
	var groups [4][]pubkey.Pubkey
	for k, f := range meta {
		if k == payer {
			continue
		}
		switch {
		case f.signer && f.writable:
			groups[0] = append(groups[0], k)
		case f.signer:
			groups[1] = append(groups[1], k)
		case f.writable:
			groups[2] = append(groups[2], k)
		default:
			groups[3] = append(groups[3], k)
		}
	}
	keys := []pubkey.Pubkey{payer}
	for _, g := range groups {
		sort.Slice(g, func(i, j int) bool { return bytes.Compare(g[i][:], g[j][:]) < 0 })
		keys = append(keys, g...)
	}
	if len(keys) > 256 {
		return nil, fmt.Errorf("txn: %d account keys, at most 256", len(keys))
	}
	index := make(map[pubkey.Pubkey]uint8, len(keys))
	for i, k := range keys {
		index[k] = uint8(i)
	}
	m := &Message{
		Header: Header{
			NumRequiredSignatures:       uint8(1 + len(groups[0]) + len(groups[1])),
			NumReadonlySignedAccounts:   uint8(len(groups[1])),
			NumReadonlyUnsignedAccounts: uint8(len(groups[3])),
		},
		AccountKeys:     keys,
		RecentBlockhash: blockhash,
	}
	for _, ix := range ixs {
		ci := CompiledInstruction{ProgramIDIndex: index[ix.ProgramID], Data: append([]byte{}, ix.Data...), Accounts: []uint8{}}
		for _, a := range ix.Accounts {
			ci.Accounts = append(ci.Accounts, index[a.Pubkey])
		}
		m.Instructions = append(m.Instructions, ci)
	}
	return m, nil
}

// Sign signs m with the keys (in any order; each must be one of m's
// signers) and returns the transaction. A signer without a key is an
// error.
func Sign(m *Message, keys ...ed25519.PrivateKey) (*Transaction, error) {
	msg := m.Encode()
	n := int(m.Header.NumRequiredSignatures)
	if n > len(m.AccountKeys) {
		return nil, fmt.Errorf("txn: header requires %d signers of %d keys", n, len(m.AccountKeys))
	}
	tx := &Transaction{Message: *m, Signatures: make([]Signature, n)}
	for i := 0; i < n; i++ {
		found := false
		for _, k := range keys {
			if bytes.Equal(k.Public().(ed25519.PublicKey), m.AccountKeys[i][:]) {
				copy(tx.Signatures[i][:], ed25519.Sign(k, msg))
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("txn: no key to sign for %s", m.AccountKeys[i])
		}
	}
	return tx, nil
}

// PubkeyOf returns the address of an ed25519 key.
func PubkeyOf(k ed25519.PrivateKey) pubkey.Pubkey {
	var p pubkey.Pubkey
	copy(p[:], k.Public().(ed25519.PublicKey))
	return p
}
