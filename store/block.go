package store

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// Header is a committed block's header.
type Header struct {
	Height    uint64
	Hash      [32]byte
	Parent    [32]byte
	StateRoot [32]byte // the LtHash checksum after the block
	Timestamp int64
	TxRoot    [32]byte // sha256 over the block's signatures, in order
	NumTxs    uint32
}

// Block is what Commit writes: the header fields the caller chooses, the
// signatures of the transactions it holds, and the accounts it changed
// (an account with no lamports is deleted). Txs, when given, holds one
// record per signature, in the same order, kept as the transactions'
// history in the same atomic write.
type Block struct {
	Height     uint64
	Timestamp  int64
	Signatures [][64]byte
	Writes     []account.Keyed
	// Workers is how many goroutines may hash the written accounts for
	// the state commitment; 0 or 1 hashes on the calling goroutine. The
	// commitment does not depend on it.
	Workers int
	Txs     []TxRecord
	// Prior, when not nil, holds accounts as they are at the head this
	// block extends (what a snapshot taken after the head reads), so
	// that Commit need not read them again to take their old values out
	// of the state commitment. Written accounts it lacks are read from
	// the store. A wrong value here makes a wrong commitment: only a
	// caller that read it from such a snapshot may set it.
	Prior map[pubkey.Pubkey]account.Account
}

// Record is a committed block as the store keeps it.
type Record struct {
	Header     Header
	Signatures [][64]byte
}

// txRoot hashes the signatures in order.
func txRoot(sigs [][64]byte) [32]byte {
	h := sha256.New()
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(sigs)))
	h.Write(n[:])
	for _, s := range sigs {
		h.Write(s[:])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// BlockHash is the hash of a header: sha256 over parent, height,
// timestamp, state root and transaction root.
func BlockHash(h *Header) [32]byte {
	b := make([]byte, 0, 32+8+8+32+32+4)
	b = append(b, h.Parent[:]...)
	b = binary.LittleEndian.AppendUint64(b, h.Height)
	b = binary.LittleEndian.AppendUint64(b, uint64(h.Timestamp))
	b = append(b, h.StateRoot[:]...)
	b = append(b, h.TxRoot[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.NumTxs)
	return sha256.Sum256(b)
}

const headerSize = 8 + 32 + 32 + 32 + 8 + 32 + 4

func (h *Header) encode() []byte { return h.appendTo(make([]byte, 0, headerSize)) }

func (h *Header) appendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, h.Height)
	b = append(b, h.Hash[:]...)
	b = append(b, h.Parent[:]...)
	b = append(b, h.StateRoot[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(h.Timestamp))
	b = append(b, h.TxRoot[:]...)
	return binary.LittleEndian.AppendUint32(b, h.NumTxs)
}

// ErrCorrupt reports stored bytes that do not decode.
var ErrCorrupt = errors.New("store: corrupt record")

func decodeHeader(b []byte) (Header, error) {
	if len(b) < headerSize {
		return Header{}, fmt.Errorf("%w: header of %d bytes", ErrCorrupt, len(b))
	}
	var h Header
	h.Height = binary.LittleEndian.Uint64(b)
	copy(h.Hash[:], b[8:])
	copy(h.Parent[:], b[40:])
	copy(h.StateRoot[:], b[72:])
	h.Timestamp = int64(binary.LittleEndian.Uint64(b[104:]))
	copy(h.TxRoot[:], b[112:])
	h.NumTxs = binary.LittleEndian.Uint32(b[144:])
	return h, nil
}

func (r *Record) encode() []byte {
	b := r.Header.appendTo(make([]byte, 0, headerSize+64*len(r.Signatures)))
	for _, s := range r.Signatures {
		b = append(b, s[:]...)
	}
	return b
}

func decodeRecord(b []byte) (Record, error) {
	h, err := decodeHeader(b)
	if err != nil {
		return Record{}, err
	}
	rest := b[headerSize:]
	if len(rest) != int(h.NumTxs)*64 {
		return Record{}, fmt.Errorf("%w: block %d holds %d signature bytes for %d transactions", ErrCorrupt, h.Height, len(rest), h.NumTxs)
	}
	r := Record{Header: h, Signatures: make([][64]byte, h.NumTxs)}
	for i := range r.Signatures {
		copy(r.Signatures[i][:], rest[64*i:])
	}
	return r, nil
}
