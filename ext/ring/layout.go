package ring

import (
	"encoding/binary"
	"math"
)

// The ring's layout in guest memory. Every integer is little-endian; no
// alignment is required (8 keeps C's struct access cheap).
//
//	offset size field
//	0      4    magic      Magic ("ARNG")
//	4      4    version    Version
//	8      4    capacity   messages the ring holds, ≥ 1
//	12     4    max_msg    largest message in bytes, ≥ 1
//	16     4    consumers  1..MaxConsumers
//	20     4    slot_size  SlotHeaderSize + max_msg rounded up to 8
//	24     8    length     bytes of the ring: HeaderSize + capacity·slot_size
//	32     8    head       sequence number of the next message: messages pushed so far
//	40     24   reserved   zero
//	64     128  cursor[16] per consumer, the sequence number it reads next; unused ones zero
//	192         slots      capacity slots of slot_size bytes
//
// The message of sequence number s lives in slot s mod capacity, at
// HeaderSize + (s mod capacity)·slot_size:
//
//	0  8  seq   s, checked on every read
//	8  4  len   the message's length, ≤ max_msg
//	12 4  zero
//	16    the message, then padding up to slot_size
//
// Consumer c has head − cursor[c] messages pending, never more than
// capacity: a push that would make the slowest consumer's count exceed
// capacity reports the ring full instead, so no consumer ever misses a
// message. Sequence numbers never wrap in practice (2^64 pushes).
const (
	Magic          = 0x474e5241 // "ARNG" as bytes
	Version        = 1
	MaxConsumers   = 16
	HeaderSize     = 64 + 8*MaxConsumers // 192
	SlotHeaderSize = 16

	// MaxMessageSize bounds max_msg so that a slot's size fits its u32
	// field.
	MaxMessageSize = math.MaxUint32 - SlotHeaderSize - 7

	offMagic     = 0
	offVersion   = 4
	offCapacity  = 8
	offMaxMsg    = 12
	offConsumers = 16
	offSlotSize  = 20
	offLength    = 24
	offHead      = 32
	offCursors   = 64

	slotOffSeq = 0
	slotOffLen = 8
)

// Empty is what agora_ring_pop and agora_ring_peek return when the
// consumer has no message pending.
const Empty = math.MaxUint64

// Header is the decoded fixed part of a ring.
type Header struct {
	Capacity  uint32 // messages the ring holds
	MaxMsg    uint32 // largest message, in bytes
	Consumers uint32 // consumers 0..Consumers-1 read the stream
	SlotSize  uint32 // bytes per slot
	Length    uint64 // bytes of the whole ring
	Head      uint64 // sequence number of the next message
	Cursors   [MaxConsumers]uint64
}

// Pending returns the number of messages consumer c has not read.
func (h *Header) Pending(c uint32) uint64 { return h.Head - h.Cursors[c] }

// slotOffset is where the slot of sequence number seq starts.
func (h *Header) slotOffset(seq uint64) uint64 {
	return HeaderSize + seq%uint64(h.Capacity)*uint64(h.SlotSize)
}

// SlotSize returns the bytes one slot takes for messages of at most
// maxMsg bytes.
func SlotSize(maxMsg uint64) uint64 { return SlotHeaderSize + (maxMsg+7)&^7 }

// Size returns the bytes a ring of capacity messages of at most maxMsg
// bytes needs, and false when it would not fit in one 4 GiB memory region
// (or the parameters are out of range).
func Size(capacity, maxMsg uint64) (uint64, bool) {
	if capacity == 0 || capacity > math.MaxUint32 || maxMsg == 0 || maxMsg > MaxMessageSize {
		return 0, false
	}
	slot := SlotSize(maxMsg)
	if capacity > (1<<32-HeaderSize)/slot {
		return 0, false
	}
	return HeaderSize + capacity*slot, true
}

// Format writes the header of an empty ring into b (at least
// Size(capacity, maxMsg) bytes) and returns its size: what
// agora_ring_create does, for hosts that prepare a ring in an account.
// The slots are left as they are; nothing reads a slot before a push
// writes it.
func Format(b []byte, capacity, maxMsg, consumers uint64) (uint64, error) {
	size, err := checkCreate(uint64(len(b)), capacity, maxMsg, consumers)
	if err != nil {
		return 0, err
	}
	writeHeader(b[:HeaderSize], uint32(capacity), uint32(maxMsg), uint32(consumers), size)
	return size, nil
}

// checkCreate validates ring_create's parameters against len bytes of
// memory and returns the ring's size.
func checkCreate(length, capacity, maxMsg, consumers uint64) (uint64, error) {
	if consumers == 0 || consumers > MaxConsumers {
		return 0, errorf(KindInvalidArgument, "%d consumers (1 to %d, in bits 32-39 of the capacity argument)", consumers, MaxConsumers)
	}
	size, ok := Size(capacity, maxMsg)
	if !ok {
		return 0, errorf(KindInvalidArgument, "capacity %d, max_msg %d: out of range", capacity, maxMsg)
	}
	if size > length {
		return 0, errorf(KindInvalidArgument, "a ring of %d messages of %d bytes needs %d bytes, got %d", capacity, maxMsg, size, length)
	}
	return size, nil
}

func writeHeader(b []byte, capacity, maxMsg, consumers uint32, size uint64) {
	le := binary.LittleEndian
	clear(b[:HeaderSize])
	le.PutUint32(b[offMagic:], Magic)
	le.PutUint32(b[offVersion:], Version)
	le.PutUint32(b[offCapacity:], capacity)
	le.PutUint32(b[offMaxMsg:], maxMsg)
	le.PutUint32(b[offConsumers:], consumers)
	le.PutUint32(b[offSlotSize:], uint32(SlotSize(uint64(maxMsg))))
	le.PutUint64(b[offLength:], size)
}

// ParseHeader decodes and checks the header at the start of b (at least
// HeaderSize bytes): the fields must agree with each other, and every
// consumer's cursor must lie within capacity messages behind the head.
// An inconsistent header is a RingCorrupt *Error. It does not check that
// b holds Length bytes.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, errorf(KindRingCorrupt, "%d bytes cannot hold a ring header", len(b))
	}
	le := binary.LittleEndian
	if m, v := le.Uint32(b[offMagic:]), le.Uint32(b[offVersion:]); m != Magic || v != Version {
		return h, errorf(KindRingCorrupt, "magic %#x version %d, want %#x version %d", m, v, uint32(Magic), Version)
	}
	h.Capacity = le.Uint32(b[offCapacity:])
	h.MaxMsg = le.Uint32(b[offMaxMsg:])
	h.Consumers = le.Uint32(b[offConsumers:])
	h.SlotSize = le.Uint32(b[offSlotSize:])
	h.Length = le.Uint64(b[offLength:])
	h.Head = le.Uint64(b[offHead:])
	size, ok := Size(uint64(h.Capacity), uint64(h.MaxMsg))
	switch {
	case !ok:
		return h, errorf(KindRingCorrupt, "capacity %d, max_msg %d out of range", h.Capacity, h.MaxMsg)
	case h.Consumers == 0 || h.Consumers > MaxConsumers:
		return h, errorf(KindRingCorrupt, "%d consumers", h.Consumers)
	case uint64(h.SlotSize) != SlotSize(uint64(h.MaxMsg)):
		return h, errorf(KindRingCorrupt, "slot size %d for max_msg %d", h.SlotSize, h.MaxMsg)
	case h.Length != size:
		return h, errorf(KindRingCorrupt, "length %d, want %d", h.Length, size)
	}
	for c := range h.Consumers {
		cur := le.Uint64(b[offCursors+8*c:])
		if cur > h.Head || h.Head-cur > uint64(h.Capacity) {
			return h, errorf(KindRingCorrupt, "consumer %d's cursor %d is not within %d messages behind head %d", c, cur, h.Capacity, h.Head)
		}
		h.Cursors[c] = cur
	}
	return h, nil
}

// slotMessage checks the slot of sequence number seq in ring (the whole
// ring's bytes) and returns its message.
func (h *Header) slotMessage(ring []byte, seq uint64) ([]byte, error) {
	off := h.slotOffset(seq)
	slot := ring[off : off+uint64(h.SlotSize)]
	le := binary.LittleEndian
	s, n := le.Uint64(slot[slotOffSeq:]), le.Uint32(slot[slotOffLen:])
	if s != seq || n > h.MaxMsg {
		return nil, errorf(KindRingCorrupt, "slot of message %d holds sequence %d, length %d", seq, s, n)
	}
	return slot[SlotHeaderSize : SlotHeaderSize+uint64(n)], nil
}

// Messages returns copies of the messages consumer c has pending, oldest
// first, without consuming them: what a tool shows of a ring held in an
// account. b is the ring's memory.
func Messages(b []byte, c uint32) ([][]byte, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	if c >= h.Consumers {
		return nil, errorf(KindInvalidConsumer, "consumer %d of a ring with %d consumers (indexes 0 to %d; agora_ring_create takes the count in bits 32-39 of its capacity argument)", c, h.Consumers, h.Consumers-1)
	}
	if uint64(len(b)) < h.Length {
		return nil, errorf(KindRingCorrupt, "ring of %d bytes in %d bytes of memory", h.Length, len(b))
	}
	var out [][]byte
	for seq := h.Cursors[c]; seq != h.Head; seq++ {
		msg, err := h.slotMessage(b, seq)
		if err != nil {
			return nil, err
		}
		out = append(out, append([]byte(nil), msg...))
	}
	return out, nil
}
