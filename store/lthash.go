package store

import (
	"encoding/binary"

	"lukechampine.com/blake3"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// LtHashLanes is the number of 16-bit lanes of a lattice hash.
const LtHashLanes = 1024

// LtHash is a lattice hash: adding and removing elements commutes, so it
// commits to a set regardless of order.
type LtHash [LtHashLanes]uint16

// AccountLtHash is the lattice hash of one account: blake3 XOF of
// lamports, data, executable, owner and address (Solana's
// AccountsLtHash). An account without lamports hashes to the identity.
func AccountLtHash(key pubkey.Pubkey, a *account.Account) LtHash {
	var h LtHash
	if a.Lamports == 0 {
		return h
	}
	hs := blake3.New(32, nil)
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], a.Lamports)
	hs.Write(buf[:])
	hs.Write(a.Data)
	if a.Executable {
		hs.Write([]byte{1})
	} else {
		hs.Write([]byte{0})
	}
	hs.Write(a.Owner[:])
	hs.Write(key[:])
	var out [2 * LtHashLanes]byte
	hs.XOF().Read(out[:])
	for i := range h {
		h[i] = binary.LittleEndian.Uint16(out[2*i:])
	}
	return h
}

// Add mixes o into h.
func (h *LtHash) Add(o *LtHash) {
	for i := range h {
		h[i] += o[i]
	}
}

// Sub removes o from h.
func (h *LtHash) Sub(o *LtHash) {
	for i := range h {
		h[i] -= o[i]
	}
}

// Bytes returns the lanes, little endian.
func (h *LtHash) Bytes() []byte {
	b := make([]byte, 2*LtHashLanes)
	for i, v := range h {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

// SetBytes loads lanes written by Bytes.
func (h *LtHash) SetBytes(b []byte) bool {
	if len(b) != 2*LtHashLanes {
		return false
	}
	for i := range h {
		h[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return true
}

// Checksum is the 32-byte commitment: blake3 of the lanes.
func (h *LtHash) Checksum() [32]byte { return blake3.Sum256(h.Bytes()) }
