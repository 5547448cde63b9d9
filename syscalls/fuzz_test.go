package syscalls

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// FuzzSyscalls calls one syscall with arbitrary arguments, biased toward
// pointers into the input and heap and toward small lengths, and checks
// that the run ends with no panic, within its budget and, on failure, with
// a *vm.Error.
func FuzzSyscalls(f *testing.F) {
	f.Add(uint8(2), uint64(0), uint64(5), uint64(0), uint64(0), uint64(0), uint16(0b0101), []byte("hello"), uint32(1000))
	f.Add(uint8(11), uint64(0), uint64(1), uint64(64), uint64(0), uint64(0), uint16(0b010101), []byte{16: 8}, uint32(1000))
	f.Add(uint8(7), uint64(8), uint64(0), uint64(8), uint64(0), uint64(0), uint16(0b100101), []byte("0123456789abcdef"), uint32(50))
	f.Add(uint8(15), uint64(0), uint64(3), uint64(9), uint64(0), uint64(0), uint16(0b010101), []byte("abc"), uint32(500))
	f.Add(uint8(17), uint64(100), uint64(0), uint64(0), uint64(0), uint64(0), uint16(0b10), []byte{}, uint32(10))
	f.Fuzz(func(t *testing.T, which uint8, a1, a2, a3, a4, a5 uint64, mode uint16, data []byte, budget uint32) {
		names := Names()
		name := names[int(which)%len(names)]
		args := []uint64{a1, a2, a3, a4, a5}
		for i := range args {
			switch mode >> (2 * i) & 3 {
			case 1:
				args[i] = in(args[i] % 1024)
			case 2:
				args[i] %= 2048
			case 3:
				args[i] = sbpf.HeapStart + args[i]%(40*1024)
			}
		}
		input := make([]byte, 1024)
		copy(input, data)
		ctx := NewContext([32]byte{1})
		ctx.Unaligned = mode&0x8000 != 0
		ctx.SetReturnData([32]byte{2}, data[:min(len(data), 1024)])
		p := new(prog).call(name, args...).exit()
		res := run(t, sbpf.V0, p, input, uint64(budget), ctx)
		if res.CU > uint64(budget) {
			t.Fatalf("%s used %d CU of %d", name, res.CU, budget)
		}
		if res.Err != nil {
			var ve *vm.Error
			if !errors.As(res.Err, &ve) || ve.Error() == "" || vm.ErrorKindOf(res.Err) == "" {
				t.Fatalf("%s: unexpected error %T %v", name, res.Err, res.Err)
			}
		}
	})
}

// FuzzCheckUTF8 checks that the Rust-compatible validator accepts exactly
// what Go's does and reports a position inside the input.
func FuzzCheckUTF8(f *testing.F) {
	for _, s := range []string{"", "abc", "\xff", "\xe2\x82", "\xf4\x90\x80\x80", "h\xc3\xa9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		up, bad, ok := checkUTF8(b)
		if ok != utf8.Valid(b) {
			t.Fatalf("%q: ok=%v, utf8.Valid=%v", b, ok, !ok)
		}
		if !ok && (up < 0 || up+bad > len(b) || !utf8.Valid(b[:up]) || bad > 3) {
			t.Fatalf("%q: validUpTo=%d badLen=%d", b, up, bad)
		}
		if !ok && bad == 0 && utf8.FullRune(b[up:]) {
			t.Fatalf("%q: incomplete at %d, but a full rune follows", b, up)
		}
	})
}
