package txn

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"slices"

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
// payer a writable signer, in the order the keys first appear.
func keyFlagsOf(payer pubkey.Pubkey, ixs []Instruction) *keySet {
	n := 1
	for _, ix := range ixs {
		n += 1 + len(ix.Accounts)
	}
	s := &keySet{list: make([]keyEntry, 0, n)}
	if n > keySetScan {
		s.index = make(map[pubkey.Pubkey]int, n)
	}
	*s.get(payer) = keyFlags{signer: true, writable: true}
	for _, ix := range ixs {
		s.get(ix.ProgramID).invoked = true
		for _, a := range ix.Accounts {
			f := s.get(a.Pubkey)
			f.signer = f.signer || a.IsSigner
			f.writable = f.writable || a.IsWritable
		}
	}
	return s
}

// keySet is the keys of a message being built and their flags. A
// message names few keys, so they are found by scanning; a map indexes
// them past keySetScan.
type keySet struct {
	list  []keyEntry
	index map[pubkey.Pubkey]int
}

type keyEntry struct {
	key pubkey.Pubkey
	keyFlags
}

const keySetScan = 16

// get returns k's flags, adding k if it is new.
func (s *keySet) get(k pubkey.Pubkey) *keyFlags {
	if i, ok := s.find(k); ok {
		return &s.list[i].keyFlags
	}
	if s.index != nil {
		s.index[k] = len(s.list)
	}
	s.list = append(s.list, keyEntry{key: k})
	return &s.list[len(s.list)-1].keyFlags
}

// find returns k's position in the list.
func (s *keySet) find(k pubkey.Pubkey) (int, bool) {
	if s.index != nil {
		i, ok := s.index[k]
		return i, ok
	}
	for i := range s.list {
		if s.list[i].key == k {
			return i, true
		}
	}
	return 0, false
}

// comparePubkeys orders keys by their bytes.
func comparePubkeys(a, b pubkey.Pubkey) int { return bytes.Compare(a[:], b[:]) }

// Compile builds the message Solana's Message::new_with_blockhash builds:
// the payer first, then the other keys grouped as writable signers,
// read-only signers, writable non-signers and read-only non-signers
// (programs), each group in byte order of the keys.
func Compile(payer pubkey.Pubkey, ixs []Instruction, blockhash Hash) (*Message, error) {
	meta := keyFlagsOf(payer, ixs)
	if len(meta.list) > 256 {
		return nil, fmt.Errorf("txn: %d account keys, at most 256", len(meta.list))
	}
	// The payer is first; the others go in message order, and meta then
	// indexes them so.
	rest := meta.list[1:]
	slices.SortFunc(rest, func(a, b keyEntry) int {
		if c := a.group() - b.group(); c != 0 {
			return c
		}
		return comparePubkeys(a.key, b.key)
	})
	var count [4]int
	keys := make([]pubkey.Pubkey, len(meta.list))
	for i, e := range meta.list {
		keys[i] = e.key
		if i > 0 {
			count[e.group()]++
		}
		if meta.index != nil {
			meta.index[e.key] = i
		}
	}
	m := &Message{
		Header: Header{
			NumRequiredSignatures:       uint8(1 + count[0] + count[1]),
			NumReadonlySignedAccounts:   uint8(count[1]),
			NumReadonlyUnsignedAccounts: uint8(count[3]),
		},
		AccountKeys:     keys,
		RecentBlockhash: blockhash,
		Instructions:    make([]CompiledInstruction, 0, len(ixs)),
	}
	at := func(k pubkey.Pubkey) uint8 {
		i, _ := meta.find(k)
		return uint8(i)
	}
	for _, ix := range ixs {
		ci := CompiledInstruction{ProgramIDIndex: at(ix.ProgramID), Data: append([]byte{}, ix.Data...), Accounts: make([]uint8, 0, len(ix.Accounts))}
		for _, a := range ix.Accounts {
			ci.Accounts = append(ci.Accounts, at(a.Pubkey))
		}
		m.Instructions = append(m.Instructions, ci)
	}
	return m, nil
}

// group is the key's place among a message's keys after the payer:
// writable signers, read-only signers, writable non-signers, read-only
// non-signers.
func (f keyFlags) group() int {
	switch {
	case f.signer && f.writable:
		return 0
	case f.signer:
		return 1
	case f.writable:
		return 2
	}
	return 3
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
