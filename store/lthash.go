package store

import (
	"encoding/binary"
	"unsafe"

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
	h *blake3.Hasher
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

// littleEndian reports whether the machine stores a uint16's low byte
// first, as the lattice hash's lanes are encoded.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// raw is h's memory as bytes, in the machine's order.
func (h *LtHash) raw() *[2 * LtHashLanes]byte { return (*[2 * LtHashLanes]byte)(unsafe.Pointer(h)) }

// words is h's memory as 64-bit words of four lanes each.
func (h *LtHash) words() *[LtHashLanes / 4]uint64 {
	return (*[LtHashLanes / 4]uint64)(unsafe.Pointer(h))
}

// sum sets *h to the lattice hash of the account. The XOF output is
// read straight into the lanes, which on a little-endian machine are
// its bytes as they come (decoding them a lane at a time was half of
// the hash's time).
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
	raw := h.raw()
	for base := 0; base < len(raw); base += ltHashChunk {
		xof.Read(raw[base : base+ltHashChunk])
	}
	if !littleEndian {
		for i := range h {
			h[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
	}
}

// laneHigh is the top bit of each 16-bit lane of a word.
const laneHigh = 0x8000_8000_8000_8000

// Add mixes o into h: lane by lane, modulo 2^16. Four lanes are added
// at once in a 64-bit word, the low 15 bits of each with their carry
// kept inside the lane and the top bit set apart (the lanes' order in
// the word does not matter).
func (h *LtHash) Add(o *LtHash) {
	x, y := h.words(), o.words()
	for i := range x {
		a, b := x[i], y[i]
		x[i] = ((a &^ laneHigh) + (b &^ laneHigh)) ^ ((a ^ b) & laneHigh)
	}
}

// Sub removes o from h, lane by lane modulo 2^16, four lanes a word as
// Add does: each lane's top bit is set before the subtraction so that no
// borrow leaves the lane, and the right top bit put back after.
func (h *LtHash) Sub(o *LtHash) {
	x, y := h.words(), o.words()
	for i := range x {
		a, b := x[i], y[i]
		x[i] = ((a | laneHigh) - (b &^ laneHigh)) ^ ((a ^ ^b) & laneHigh)
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
// becomes the old one and the older is dropped; its hashes are reused
// for the entries that follow, since a hash is 2 KiB and a busy chain
// puts thousands a block.
type hashCache struct {
	cur, old map[pubkey.Pubkey]*LtHash
	free     []*LtHash
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
		for _, e := range c.old {
			c.free = append(c.free, e)
		}
		c.old, c.cur = c.cur, make(map[pubkey.Pubkey]*LtHash, hashCacheGen)
	}
	e, ok := c.old[k]
	switch {
	case ok:
		delete(c.old, k)
	case len(c.free) > 0:
		e = c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
	default:
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
