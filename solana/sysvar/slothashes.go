package sysvar

import (
	"encoding/binary"
	"sort"
)

// MaxSlotHashes is how many slots the SlotHashes sysvar remembers
// (slot_hashes::MAX_ENTRIES).
const MaxSlotHashes = 512

// SlotHashesSize is the SlotHashes account's data length: a u64 count
// and room for MaxSlotHashes entries, the unused tail zero.
const SlotHashesSize = 8 + MaxSlotHashes*40

// SlotHash is one entry of SlotHashes: a slot and its bank hash.
type SlotHash struct {
	Slot uint64
	Hash [32]byte
}

// SlotHashes is the SlotHashes sysvar: the most recent slots before the
// current one with their hashes, newest first.
type SlotHashes []SlotHash

// Encode returns the account data (SlotHashesSize bytes).
func (s SlotHashes) Encode() []byte {
	b := make([]byte, max(SlotHashesSize, 8+40*len(s)))
	binary.LittleEndian.PutUint64(b, uint64(len(s)))
	for i, e := range s {
		binary.LittleEndian.PutUint64(b[8+40*i:], e.Slot)
		copy(b[16+40*i:], e.Hash[:])
	}
	return b
}

// DecodeSlotHashes parses SlotHashes account data.
func DecodeSlotHashes(b []byte) (SlotHashes, error) {
	if len(b) < 8 {
		return nil, ErrLayout
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8)/40 {
		return nil, ErrLayout
	}
	s := make(SlotHashes, n)
	for i := range s {
		s[i].Slot = binary.LittleEndian.Uint64(b[8+40*i:])
		copy(s[i].Hash[:], b[16+40*i:])
	}
	return s, nil
}

// Position returns the index of slot in s (searched as Agave does, by
// binary search over slots in descending order), or ok=false.
func (s SlotHashes) Position(slot uint64) (int, bool) {
	i := sort.Search(len(s), func(i int) bool { return s[i].Slot <= slot })
	if i < len(s) && s[i].Slot == slot {
		return i, true
	}
	return 0, false
}

// Push returns the SlotHashes of the next slot: (slot, hash) in front of
// s, keeping at most MaxSlotHashes entries. s is not modified.
func (s SlotHashes) Push(slot uint64, hash [32]byte) SlotHashes {
	out := make(SlotHashes, 0, min(len(s)+1, MaxSlotHashes))
	out = append(out, SlotHash{slot, hash})
	for _, e := range s {
		if len(out) == MaxSlotHashes {
			break
		}
		out = append(out, e)
	}
	return out
}
