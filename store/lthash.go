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
	newLtHasher().sum(key, a, &h)
	return h
}

// ltHasher computes account lattice hashes with one blake3 state, reset
// for each account: a commit hashes two per written account, and a new
// hasher (some kilobytes) for each was a large part of a commit's time.
type ltHasher struct {
	h   *blake3.Hasher
	out [ltHashChunk]byte
	// lamports and tail are the hash's input around the data, kept here
	// so that sum does not allocate.
	lamports [8]byte
	tail     [1 + 2*pubkey.Size]byte
}

// ltHashChunk is how much XOF output is read at once: the most blake3
// produces in one SIMD pass. Reading the whole 2 KiB at once makes the
// blake3 package spread it over goroutines, which costs more than it
// saves at this size.
const ltHashChunk = 1024

func newLtHasher() *ltHasher { return &ltHasher{h: blake3.New(32, nil)} }

// sum sets *h to the lattice hash of the account.
func (l *ltHasher) sum(key pubkey.Pubkey, a *account.Account, h *LtHash) {
	if a.Lamports == 0 {
		*h = LtHash{}
		return
	}
	hs := l.h
	hs.Reset()
	binary.LittleEndian.PutUint64(l.lamports[:], a.Lamports)
	hs.Write(l.lamports[:])
	hs.Write(a.Data)
	l.tail[0] = 0
	if a.Executable {
		l.tail[0] = 1
	}
	copy(l.tail[1:], a.Owner[:])
	copy(l.tail[1+pubkey.Size:], key[:])
	hs.Write(l.tail[:])
	xof := hs.XOF()
	for base := 0; base < LtHashLanes; base += ltHashChunk / 2 {
		xof.Read(l.out[:])
		for i := range ltHashChunk / 2 {
			h[base+i] = binary.LittleEndian.Uint16(l.out[2*i:])
		}
	}
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

// Bounds of the hash cache: two generations of hashCacheGen accounts
// each, 2 KiB a hash, so at most 8 MiB (a block of a thousand hot
// accounts still finds them all).
const hashCacheGen = 2048

// hashCache maps accounts to the lattice hashes of their committed
// values. Only a commit that wrote an account updates its entry, so an
// entry is always the hash of what the store holds; the commitment does
// not depend on what it holds. When the current generation is full it
// becomes the old one and the older is dropped.
type hashCache struct {
	cur, old map[pubkey.Pubkey]*LtHash
}

func (c *hashCache) get(k pubkey.Pubkey) *LtHash {
	if h, ok := c.cur[k]; ok {
		return h
	}
	return c.old[k]
}

// put records h (copied) as k's hash.
func (c *hashCache) put(k pubkey.Pubkey, h *LtHash) {
	if e, ok := c.cur[k]; ok {
		*e = *h
		return
	}
	if c.cur == nil || len(c.cur) >= hashCacheGen {
		c.old, c.cur = c.cur, make(map[pubkey.Pubkey]*LtHash, hashCacheGen)
	}
	e, ok := c.old[k]
	if ok {
		delete(c.old, k)
	} else {
		e = new(LtHash)
	}
	*e = *h
	c.cur[k] = e
}

// drop forgets k's hash.
func (c *hashCache) drop(k pubkey.Pubkey) {
	delete(c.cur, k)
	delete(c.old, k)
}
