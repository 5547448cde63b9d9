package ring

import (
	"encoding/binary"
	"fmt"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// Syscall names, as programs call them.
const (
	NameCreate = extnames.RingCreate
	NamePush   = extnames.RingPush
	NamePop    = extnames.RingPop
	NamePeek   = extnames.RingPeek
	NameSize   = extnames.RingSize
)

// Names lists every syscall of the package, in registration order.
func Names() []string { return []string{NameCreate, NamePush, NamePop, NamePeek, NameSize} }

// Aliases returns assembler mnemonics for the syscalls, to pass as
// asm.Options.Aliases: `ring_push` assembles to `syscall agora_ring_push`
// (its arguments are whatever r1-r5 hold). The map is new on every call.
func Aliases() map[string]string {
	return extnames.Aliases(Names()...)
}

// Register adds the syscalls of this package to r. It registers nothing
// when one of the names is already taken.
func Register(r *vm.Registry) error {
	if r == nil {
		return fmt.Errorf("ring: nil registry")
	}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameCreate, sysCreate},
		{NamePush, sysPush},
		{NamePop, sysPop},
		{NamePeek, sysPeek},
		{NameSize, sysSize},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("ring: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("ring: %w", err)
		}
	}
	return nil
}

// CapacityArg packs agora_ring_create's third argument: the capacity in
// messages in bits 0-31 and the number of consumers in bits 32-39 (0
// meaning 1). Bits 40-63 must be zero.
func CapacityArg(capacity uint32, consumers uint8) uint64 {
	return uint64(capacity) | uint64(consumers)<<32
}

// sysCreate is agora_ring_create(addr, len, capacity, max_msg) -> 0.
func sysCreate(m *vm.Machine, addr, length, capArg, maxMsg, _ uint64) (uint64, error) {
	if err := m.Consume(CostCreate); err != nil {
		return 0, err
	}
	if capArg>>40 != 0 {
		return 0, errorf(KindInvalidArgument, "capacity argument %#x has bits above 39 set", capArg)
	}
	consumers := capArg >> 32 & 0xff
	if consumers == 0 {
		consumers = 1
	}
	size, err := checkCreate(length, capArg&0xffffffff, maxMsg, consumers)
	if err != nil {
		return 0, err
	}
	// The whole range must be mapped; the header must be writable (and so
	// is the rest, being in the same region). Only the header is written,
	// so only the header enters an open transaction's undo log.
	if _, err := m.Translate(vm.Load, addr, length); err != nil {
		return 0, err
	}
	hdr, err := m.Translate(vm.Store, addr, HeaderSize)
	if err != nil {
		return 0, err
	}
	writeHeader(hdr, uint32(capArg), uint32(maxMsg), uint32(consumers), size)
	return 0, nil
}

// open maps and checks the ring at addr, returning its header and its
// bytes (read-only: writes go through storeAt, so that the undo log of an
// open transaction sees exactly the bytes written).
func open(m *vm.Machine, addr uint64) (Header, []byte, error) {
	hdr, err := m.Translate(vm.Load, addr, HeaderSize)
	if err != nil {
		return Header{}, nil, err
	}
	h, err := ParseHeader(hdr)
	if err != nil {
		return h, nil, err
	}
	b, err := m.Translate(vm.Load, addr, h.Length)
	if err != nil {
		return h, nil, err
	}
	return h, b, nil
}

// consumerOf checks a consumer index.
func consumerOf(h *Header, c uint64) (uint32, error) {
	if c >= uint64(h.Consumers) {
		return 0, errorf(KindInvalidConsumer, "consumer %d of a ring with %d consumers (indexes 0 to %d; agora_ring_create takes the count in bits 32-39 of its capacity argument)", c, h.Consumers, h.Consumers-1)
	}
	return uint32(c), nil
}

// storeU64 writes v at guest address addr.
func storeU64(m *vm.Machine, addr, v uint64) error {
	b, err := m.Translate(vm.Store, addr, 8)
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint64(b, v)
	return nil
}

// sysPush is agora_ring_push(ring, msg_ptr, msg_len) -> 0 pushed, 1 full.
func sysPush(m *vm.Machine, addr, msgPtr, msgLen, _, _ uint64) (uint64, error) {
	if err := m.Consume(PushCost(msgLen)); err != nil {
		return 0, err
	}
	h, _, err := open(m, addr)
	if err != nil {
		return 0, err
	}
	if msgLen > uint64(h.MaxMsg) {
		return 0, errorf(KindMessageTooLarge, "message of %d bytes, the ring takes at most %d", msgLen, h.MaxMsg)
	}
	msg, err := m.Translate(vm.Load, msgPtr, msgLen)
	if err != nil {
		return 0, err
	}
	for c := range h.Consumers {
		if h.Pending(c) >= uint64(h.Capacity) {
			return 1, nil // consumer c would lose the oldest message
		}
	}
	slot, err := m.Translate(vm.Store, addr+h.slotOffset(h.Head), SlotHeaderSize+msgLen)
	if err != nil {
		return 0, err
	}
	copy(slot[SlotHeaderSize:], msg) // first: msg may overlap the slot's header
	le := binary.LittleEndian
	le.PutUint64(slot[slotOffSeq:], h.Head)
	le.PutUint64(slot[slotOffLen:], msgLen) // length and the zero word after it
	return 0, storeU64(m, addr+offHead, h.Head+1)
}

// sysPop is agora_ring_pop(ring, consumer, out_ptr, out_cap) -> length or
// Empty.
func sysPop(m *vm.Machine, addr, consumer, out, outCap, _ uint64) (uint64, error) {
	return read(m, addr, consumer, out, outCap, true)
}

// sysPeek is agora_ring_peek(ring, consumer, out_ptr, out_cap) -> length
// or Empty, without consuming the message.
func sysPeek(m *vm.Machine, addr, consumer, out, outCap, _ uint64) (uint64, error) {
	return read(m, addr, consumer, out, outCap, false)
}

// read is pop (advance) or peek: the base price first, the per-byte part
// once the message's length is known.
func read(m *vm.Machine, addr, consumer, out, outCap uint64, advance bool) (uint64, error) {
	if err := m.Consume(CostReadBase); err != nil {
		return 0, err
	}
	h, b, err := open(m, addr)
	if err != nil {
		return 0, err
	}
	c, err := consumerOf(&h, consumer)
	if err != nil {
		return 0, err
	}
	seq := h.Cursors[c]
	if seq == h.Head {
		return Empty, nil
	}
	msg, err := h.slotMessage(b, seq)
	if err != nil {
		return 0, err
	}
	n := uint64(len(msg))
	if err := m.Consume(readMessageCost(n)); err != nil {
		return 0, err
	}
	if n > outCap {
		return 0, errorf(KindMessageTooLarge, "message %d of %d bytes into a buffer of %d", seq, n, outCap)
	}
	dst, err := m.Translate(vm.Store, out, n)
	if err != nil {
		return 0, err
	}
	copy(dst, msg)
	if advance {
		if err := storeU64(m, addr+offCursors+8*uint64(c), seq+1); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// sysSize is agora_ring_size(ring, consumer) -> messages pending.
func sysSize(m *vm.Machine, addr, consumer, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostSize); err != nil {
		return 0, err
	}
	h, _, err := open(m, addr)
	if err != nil {
		return 0, err
	}
	c, err := consumerOf(&h, consumer)
	if err != nil {
		return 0, err
	}
	return h.Pending(c), nil
}
