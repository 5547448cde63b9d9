package sbpf

import (
	"encoding/binary"
	"math/bits"
)

// HashSymbol is murmur3-32 with seed 0 of name: the key under which the
// reference registers syscalls and (in V0-V2) functions.
func HashSymbol(name []byte) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	var h uint32
	n := len(name)
	for len(name) >= 4 {
		k := binary.LittleEndian.Uint32(name)
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
		name = name[4:]
	}
	var k uint32
	switch len(name) {
	case 3:
		k ^= uint32(name[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(name[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(name[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// SyscallHash is HashSymbol of a syscall name given as a string.
func SyscallHash(name string) uint32 { return HashSymbol([]byte(name)) }

// PCHash is the key the V0-V2 toolchain registers an internal function
// under: the hash of its instruction index as 8 little-endian bytes.
func PCHash(pc uint64) uint32 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], pc)
	return HashSymbol(b[:])
}
