package syscalls

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

const budget = 100_000

func TestRegistryNamesAndHashes(t *testing.T) {
	r := NewRegistry()
	names := Names()
	if len(names) != 18 || len(r.Syscalls()) != len(names) {
		t.Fatalf("registered %d syscalls, names %d", len(r.Syscalls()), len(names))
	}
	for _, n := range names {
		if got, ok := r.Name(sbpf.SyscallHash(n)); !ok || got != n {
			t.Errorf("%s not registered under its hash", n)
		}
	}
	// Agave's hashes for two of them (solana-program's syscall definitions).
	for name, h := range map[string]uint32{"sol_log_": 0x207559bd, "abort": 0xb6fc1a11} {
		if sbpf.SyscallHash(name) != h {
			t.Errorf("hash(%s) = %#x, want %#x", name, sbpf.SyscallHash(name), h)
		}
	}
	if err := Register(r); err == nil {
		t.Fatal("registering twice must fail")
	}
	if len(DefaultCosts().Prices()) != len(names) || len(DefaultCosts().Table()) == 0 {
		t.Fatal("price list incomplete")
	}
}

func TestLog(t *testing.T) {
	long := strings.Repeat("x", 300)
	input := append([]byte("hello\xff\xfe"), long...)
	tests := []struct {
		name string
		addr uint64
		n    uint64
		cost uint64
		log  string
		kind string
	}{
		{"short", in(0), 5, 100, "Program log: hello", ""},
		{"empty", 0, 0, 100, "Program log: ", ""},
		{"price is len above 100", in(7), 300, 300, "Program log: " + long, ""},
		{"invalid utf-8", in(0), 7, 100, "", "InvalidString"},
		{"bad pointer", 0x10, 5, 100, "", "AccessViolation"},
		{"past the input", in(0), 1000, 1000, "", "AccessViolation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := NewContext([32]byte{})
			p := new(prog).call(NameLog, tt.addr, tt.n).exit()
			res := run(t, sbpf.V0, p, input, budget, ctx)
			if tt.kind != "" {
				wantKind(t, res, tt.kind, p.insns-1+tt.cost)
				wantLogs(t, ctx)
				return
			}
			wantOK(t, res, p.insns+tt.cost)
			wantLogs(t, ctx, tt.log)
		})
	}
}

func TestInvalidStringMessage(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"hi\xff", "invalid utf-8 sequence of 1 bytes from index 2: [104, 105, 255]"},
		{"a\xe2\x82", "incomplete utf-8 byte sequence from index 1: [97, 226, 130]"},
		{"\xe2\x28\xa1", "invalid utf-8 sequence of 1 bytes from index 0: [226, 40, 161]"},
		{"\xf0\x9f\x98\x41", "invalid utf-8 sequence of 3 bytes from index 0: [240, 159, 152, 65]"},
		{"\xed\xa0\x80", "invalid utf-8 sequence of 1 bytes from index 0: [237, 160, 128]"}, // surrogate
		{"\xc0\x80", "invalid utf-8 sequence of 1 bytes from index 0: [192, 128]"},          // overlong
	}
	for _, tt := range tests {
		err := invalidString([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v, want %s", tt.in, err, tt.want)
		}
	}
	if invalidString([]byte("héllo €𝄞")) != nil {
		t.Error("valid UTF-8 rejected")
	}
}

func TestLog64AndComputeUnits(t *testing.T) {
	ctx := NewContext([32]byte{})
	p := new(prog).call(NameLog64, 1, 0xff, 0, 0xdeadbeef, ^uint64(0)).call(NameLogComputeUnits).exit()
	res := run(t, sbpf.V0, p, nil, 10_000, ctx)
	wantOK(t, res, p.insns+200)
	// When sol_log_compute_units_ runs, every instruction but exit has been
	// charged (its own call included), then both prices.
	remaining := 10_000 - (p.insns - 1) - 200
	wantLogs(t, ctx,
		"Program log: 0x1, 0xff, 0x0, 0xdeadbeef, 0xffffffffffffffff",
		fmt.Sprintf("Program consumption: %d units remaining", remaining))
}

func TestLogPubkey(t *testing.T) {
	const token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
	key, err := base58.Decode(token)
	if err != nil || len(key) != 32 {
		t.Fatal(err)
	}
	input := append(make([]byte, 32), key...)
	ctx := NewContext([32]byte{})
	p := new(prog).call(NameLogPubkey, in(0)).call(NameLogPubkey, in(32)).exit()
	wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+200)
	wantLogs(t, ctx, "Program log: 11111111111111111111111111111111", "Program log: "+token)

	ctx = NewContext([32]byte{})
	p = new(prog).call(NameLogPubkey, in(40)).exit() // runs past the input
	wantKind(t, run(t, sbpf.V0, p, input, budget, ctx), "AccessViolation", p.insns-1+100)
}

func TestLogData(t *testing.T) {
	input := make([]byte, 128)
	copy(input[64:], "helloworld")
	slices(input, 0, [2]uint64{64, 5}, [2]uint64{69, 5}, [2]uint64{0, 0})
	ctx := NewContext([32]byte{})
	p := new(prog).call(NameLogData, in(0), 3).exit()
	wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+100+300+10)
	wantLogs(t, ctx, "Program data: aGVsbG8= d29ybGQ= ")

	t.Run("no fields", func(t *testing.T) {
		ctx := NewContext([32]byte{})
		p := new(prog).call(NameLogData, 0, 0).exit()
		wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+100)
		wantLogs(t, ctx, "Program data: ")
	})
	t.Run("unaligned array", func(t *testing.T) {
		p := new(prog).call(NameLogData, in(1), 1).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, NewContext([32]byte{})), "UnalignedPointer", p.insns-1+100)
	})
	t.Run("unaligned allowed by policy", func(t *testing.T) {
		in2 := make([]byte, 128)
		slices(in2[1:], 0, [2]uint64{0, 2})
		ctx := &Context{Unaligned: true}
		p := new(prog).call(NameLogData, in(1), 1).exit()
		wantOK(t, run(t, sbpf.V0, p, in2, budget, ctx), p.insns+100+100+2)
	})
	t.Run("field out of bounds is charged first", func(t *testing.T) {
		in2 := make([]byte, 64)
		slices(in2, 0, [2]uint64{0, 1000})
		p := new(prog).call(NameLogData, in(0), 1).exit()
		wantKind(t, run(t, sbpf.V0, p, in2, budget, NewContext([32]byte{})), "AccessViolation", p.insns-1+100+100+1000)
	})
	t.Run("count too large to address", func(t *testing.T) {
		p := new(prog).call(NameLogData, in(0), 1<<60).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, nil), "InvalidLength", p.insns-1+100)
	})
}

func TestMemOps(t *testing.T) {
	base := []byte("0123456789abcdefghijklmnopqrstuv")
	big := func() []byte { b := make([]byte, 6000); copy(b, base); return b }
	tests := []struct {
		name   string
		call   string
		args   []uint64
		input  []byte
		cost   uint64
		want   []byte // expected first len(want) bytes of input
		kind   string
		result int32 // memcmp's stored result, at input[28:32]
	}{
		{"memcpy", NameMemcpy, []uint64{in(16), in(0), 8}, base, 10, []byte("0123456789abcdef01234567"), "", 0},
		{"memcpy zero bytes, bad pointers", NameMemcpy, []uint64{0, 0, 0}, base, 10, base, "", 0},
		{"memcpy adjacent", NameMemcpy, []uint64{in(8), in(0), 8}, base, 10, []byte("0123456701234567"), "", 0},
		{"memcpy overlap", NameMemcpy, []uint64{in(4), in(0), 8}, base, 10, base, "CopyOverlapping", 0},
		{"memcpy overlap backwards", NameMemcpy, []uint64{in(0), in(4), 8}, base, 10, base, "CopyOverlapping", 0},
		{"memcpy overlap checked before pointers", NameMemcpy, []uint64{1, 2, 8}, base, 10, base, "CopyOverlapping", 0},
		{"memcpy price n/250", NameMemcpy, []uint64{in(3000), in(0), 2999}, big(), 11, base, "", 0},
		{"memcpy bad dst", NameMemcpy, []uint64{in(100), in(0), 8}, base, 10, base, "AccessViolation", 0},
		{"memcpy to read-only", NameMemcpy, []uint64{sbpf.BytecodeStart, in(0), 8}, base, 10, base, "AccessViolation", 0},
		{"memmove overlap", NameMemmove, []uint64{in(4), in(0), 8}, base, 10, []byte("012301234567cdef"), "", 0},
		{"memmove bad src", NameMemmove, []uint64{in(0), in(30), 8}, base, 10, base, "AccessViolation", 0},
		{"memset", NameMemset, []uint64{in(2), 0x141, 3}, base, 10, []byte("01AAA56789"), "", 0},
		{"memset big", NameMemset, []uint64{in(0), 'z', 5000}, big(), 20, []byte("zzzzzzzz"), "", 0},
		{"memset bad", NameMemset, []uint64{in(30), 0, 3}, base, 10, base, "AccessViolation", 0},
		{"memcmp less", NameMemcmp, []uint64{in(0), in(1), 4, in(28)}, base, 10, nil, "", -1},
		{"memcmp greater", NameMemcmp, []uint64{in(10), in(0), 4, in(28)}, base, 10, nil, "", 'a' - '0'},
		{"memcmp equal", NameMemcmp, []uint64{in(0), in(0), 8, in(28)}, base, 10, nil, "", 0},
		{"memcmp unaligned result", NameMemcmp, []uint64{in(0), in(0), 8, in(27)}, base, 10, base, "UnalignedPointer", 0},
		{"memcmp bad result", NameMemcmp, []uint64{in(0), in(0), 8, in(30)}, base, 10, base, "AccessViolation", 0},
		{"memcmp bad input before result", NameMemcmp, []uint64{in(0), in(30), 8, 1}, base, 10, base, "AccessViolation", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := append([]byte(nil), tt.input...)
			if tt.call == NameMemcmp && tt.kind == "" {
				binary.LittleEndian.PutUint32(input[28:], 0x55555555)
			}
			p := new(prog).call(tt.call, tt.args...).exit()
			res := run(t, sbpf.V0, p, input, budget, nil)
			if tt.kind != "" {
				wantKind(t, res, tt.kind, p.insns-1+tt.cost)
			} else {
				wantOK(t, res, p.insns+tt.cost)
			}
			if tt.want != nil && !bytes.Equal(input[:len(tt.want)], tt.want) {
				t.Fatalf("memory = %q, want %q", input[:len(tt.want)], tt.want)
			}
			if tt.call == NameMemcmp && tt.kind == "" {
				if got := int32(binary.LittleEndian.Uint32(input[28:])); got != tt.result {
					t.Fatalf("memcmp result = %d, want %d", got, tt.result)
				}
			}
		})
	}
}

func TestHashes(t *testing.T) {
	hexd := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	helloworld := sha256.Sum256([]byte("helloworld"))
	tests := []struct {
		name   string
		call   string
		pairs  [][2]uint64
		want   []byte
		slices uint64 // price of the slices
	}{
		{"sha256 two slices", NameSHA256, [][2]uint64{{128, 5}, {133, 5}}, helloworld[:], 20},
		{"sha256 none", NameSHA256, nil, hexd("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), 0},
		{"sha256 empty slice", NameSHA256, [][2]uint64{{0, 0}}, hexd("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), 10},
		{"keccak256 none", NameKeccak256, nil, hexd("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"), 0},
		{"keccak256 abc", NameKeccak256, [][2]uint64{{138, 3}}, hexd("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"), 10},
		{"blake3 none", NameBlake3, nil, hexd("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"), 0},
		{"sha256 long slice", NameSHA256, [][2]uint64{{256, 100}}, nil, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := make([]byte, 512)
			copy(input[128:], "helloworldabc")
			slices(input, 0, tt.pairs...)
			p := new(prog).call(tt.call, in(0), uint64(len(tt.pairs)), in(64)).exit()
			wantOK(t, run(t, sbpf.V0, p, input, budget, nil), p.insns+85+tt.slices)
			want := tt.want
			if want == nil {
				s := sha256.Sum256(make([]byte, 100))
				want = s[:]
			}
			if !bytes.Equal(input[64:96], want) {
				t.Fatalf("digest %x, want %x", input[64:96], want)
			}
		})
	}
}

func TestHashErrors(t *testing.T) {
	input := make([]byte, 256)
	slices(input, 0, [2]uint64{128, 5}, [2]uint64{200, 100})
	t.Run("too many slices", func(t *testing.T) {
		ctx := NewContext([32]byte{})
		p := new(prog).call(NameKeccak256, in(0), 20_001, in(64)).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, ctx), "TooManySlices", p.insns-1)
		wantLogs(t, ctx, "Keccak256 Hashing 20001 sequences in one syscall is over the limit 20000")
	})
	t.Run("bad result before slices", func(t *testing.T) {
		p := new(prog).call(NameSHA256, 0, 1, in(250)).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, nil), "AccessViolation", p.insns-1+85)
	})
	t.Run("unaligned slice array", func(t *testing.T) {
		p := new(prog).call(NameSHA256, in(4), 1, in(64)).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, nil), "UnalignedPointer", p.insns-1+85)
	})
	t.Run("bad second slice is found before its price", func(t *testing.T) {
		p := new(prog).call(NameBlake3, in(0), 2, in(64)).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, nil), "AccessViolation", p.insns-1+85+10)
	})
	t.Run("huge slice length", func(t *testing.T) {
		in2 := append([]byte(nil), input...)
		binary.LittleEndian.PutUint64(in2[8:], 1<<63)
		p := new(prog).call(NameSHA256, in(0), 1, in(64)).exit()
		wantKind(t, run(t, sbpf.V0, p, in2, budget, nil), "InvalidLength", p.insns-1+85)
	})
	t.Run("budget runs out on a slice", func(t *testing.T) {
		p := new(prog).call(NameSHA256, in(0), 1, in(64)).exit()
		b := p.insns - 1 + 85 + 5
		res := run(t, sbpf.V0, p, input, b, nil)
		if !errors.Is(res.Err, vm.ErrComputeBudgetExceeded) || res.CU != b {
			t.Fatalf("err=%v cu=%d, want budget exceeded at %d", res.Err, res.CU, b)
		}
	})
}

func TestReturnData(t *testing.T) {
	id := [32]byte{1, 2, 3, 31: 9}
	input := make([]byte, 2048)
	copy(input, "abc")
	ctx := NewContext(id)
	p := new(prog).
		call(NameSetReturnData, in(0), 3).
		call(NameGetReturnData, in(100), 2, in(200)).keep(6).
		call(NameGetReturnData, in(300), 10, in(400)).keep(7).
		call(NameGetReturnData, 0, 0, 0).keep(8)
	// Return r6 | r7<<8 | r8<<16 to check all three results.
	p.emit(sbpf.Instruction{Op: sbpf.Lsh64Imm, Dst: 7, Imm: 8}).
		emit(sbpf.Instruction{Op: sbpf.Lsh64Imm, Dst: 8, Imm: 16}).
		emit(sbpf.Instruction{Op: sbpf.Mov64Reg, Dst: 0, Src: 6}).
		emit(sbpf.Instruction{Op: sbpf.Or64Reg, Dst: 0, Src: 7}).
		emit(sbpf.Instruction{Op: sbpf.Or64Reg, Dst: 0, Src: 8}).
		exit()
	res := run(t, sbpf.V0, p, input, budget, ctx)
	wantOK(t, res, p.insns+400)
	if res.R0 != 3|3<<8|3<<16 {
		t.Fatalf("r0 = %#x", res.R0)
	}
	if string(input[100:103]) != "ab\x00" || string(input[300:304]) != "abc\x00" {
		t.Fatalf("copied %q %q", input[100:103], input[300:304])
	}
	if !bytes.Equal(input[200:232], id[:]) || !bytes.Equal(input[400:432], id[:]) {
		t.Fatal("program id not copied")
	}
	if gotID, data := ctx.ReturnData(); gotID != id || string(data) != "abc" {
		t.Fatalf("stored %x %q", gotID, data)
	}

	t.Run("price grows with length", func(t *testing.T) {
		ctx := NewContext(id)
		p := new(prog).call(NameSetReturnData, in(0), 1024).call(NameGetReturnData, in(1024), 1024, in(0)).exit()
		// set: 100 + 1024/250; get: 100 + (1024+32)/250.
		wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+104+104)
	})
	t.Run("too large", func(t *testing.T) {
		p := new(prog).call(NameSetReturnData, in(0), 1025).exit()
		res := run(t, sbpf.V0, p, input, budget, NewContext(id))
		wantKind(t, res, "ReturnDataTooLarge", p.insns-1+104)
		if !strings.HasSuffix(res.Err.Error(), "Return data too large (1025 > 1024)") {
			t.Fatal(res.Err)
		}
	})
	t.Run("empty clears", func(t *testing.T) {
		ctx := NewContext(id)
		ctx.SetReturnData([32]byte{7}, []byte("old"))
		p := new(prog).call(NameSetReturnData, 0, 0).call(NameGetReturnData, 0, 100, 0).exit()
		res := run(t, sbpf.V0, p, input, budget, ctx)
		wantOK(t, res, p.insns+200)
		if gotID, data := ctx.ReturnData(); res.R0 != 0 || gotID != id || len(data) != 0 {
			t.Fatalf("r0=%d id=%x data=%q", res.R0, gotID, data)
		}
	})
	t.Run("overlapping outputs", func(t *testing.T) {
		ctx := NewContext(id)
		ctx.SetReturnData(id, []byte("abc"))
		p := new(prog).call(NameGetReturnData, in(10), 3, in(12)).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, ctx), "CopyOverlapping", p.insns-1+100)
	})
	t.Run("bad program id pointer", func(t *testing.T) {
		ctx := NewContext(id)
		ctx.SetReturnData(id, []byte("abc"))
		p := new(prog).call(NameGetReturnData, in(10), 3, in(2040)).exit()
		wantKind(t, run(t, sbpf.V0, p, input, budget, ctx), "AccessViolation", p.insns-1+100)
	})
	t.Run("no store in context", func(t *testing.T) {
		p := new(prog).call(NameSetReturnData, in(0), 3).exit()
		res := run(t, sbpf.V0, p, input, budget, nil)
		wantKind(t, res, "MissingContext", p.insns-1+100)
		var se *Error
		if !errors.As(res.Err, &se) || se.Need != "ProgramIdentity" {
			t.Fatal(res.Err)
		}
	})
}

func TestRemainingComputeUnits(t *testing.T) {
	p := new(prog).call(NameRemainingComputeUnits).exit()
	res := run(t, sbpf.V3, p, nil, 1000, nil)
	wantOK(t, res, p.insns+100)
	if res.R0 != 1000-1-100 {
		t.Fatalf("r0 = %d", res.R0)
	}
}

func TestAllocFree(t *testing.T) {
	ctx := NewContext([32]byte{})
	p := new(prog).
		call(NameAllocFree, 10, 0).keep(6).
		call(NameAllocFree, 1, 0).keep(7).
		call(NameAllocFree, 32*1024, 0).keep(8).
		call(NameAllocFree, 8, in(0)).keep(9).
		emit(sbpf.Instruction{Op: sbpf.StxDW, Dst: 6, Src: 7}). // the block is usable
		emit(sbpf.Instruction{Op: sbpf.Mov64Reg, Dst: 0, Src: 7}).
		exit()
	res := run(t, sbpf.V0, p, nil, budget, ctx)
	wantOK(t, res, p.insns)
	if res.R0 != sbpf.HeapStart+16 || ctx.Heap.Used() != 17 {
		t.Fatalf("second block at %#x, used %d", res.R0, ctx.Heap.Used())
	}

	t.Run("unaligned policy packs blocks", func(t *testing.T) {
		ctx := &Context{Unaligned: true}
		p := new(prog).call(NameAllocFree, 3, 0).call(NameAllocFree, 1, 0).exit()
		res := run(t, sbpf.V0, p, nil, budget, ctx)
		if wantOK(t, res, p.insns); res.R0 != sbpf.HeapStart+3 {
			t.Fatalf("r0 = %#x", res.R0)
		}
	})
	t.Run("exhausted", func(t *testing.T) {
		var a BumpAllocator
		if addr, ok := a.Alloc(32*1024, 8, 32*1024); !ok || addr != sbpf.HeapStart {
			t.Fatal(addr, ok)
		}
		if _, ok := a.Alloc(1, 1, 32*1024); ok {
			t.Fatal("allocated past the heap")
		}
		if _, ok := a.Alloc(^uint64(0), 8, 32*1024); ok {
			t.Fatal("overflowing size allocated")
		}
	})
	t.Run("huge size returns 0 without a context", func(t *testing.T) {
		p := new(prog).call(NameAllocFree, 1<<63, 0).exit()
		res := run(t, sbpf.V0, p, nil, budget, nil)
		if wantOK(t, res, p.insns); res.R0 != 0 {
			t.Fatalf("r0 = %#x", res.R0)
		}
	})
	t.Run("no allocator", func(t *testing.T) {
		p := new(prog).call(NameAllocFree, 8, 0).exit()
		wantKind(t, run(t, sbpf.V0, p, nil, budget, struct{}{}), "MissingContext", p.insns-1)
	})
}

func TestAbortAndPanic(t *testing.T) {
	p := new(prog).call(NameAbort).exit()
	res := run(t, sbpf.V0, p, nil, budget, nil)
	wantKind(t, res, "Abort", p.insns-1)
	if !errors.Is(res.Err, ErrAbort) || res.Err.Error() != "Syscall error: SBF program panicked" {
		t.Fatal(res.Err)
	}

	input := []byte("src/lib.rs\xff")
	p = new(prog).call(NamePanic, in(0), 10, 42, 7).exit()
	res = run(t, sbpf.V0, p, input, budget, nil)
	wantKind(t, res, "Panic", p.insns-1+10)
	var se *Error
	if !errors.As(res.Err, &se) || se.Error() != "SBF program Panicked in src/lib.rs at 42:7" {
		t.Fatal(res.Err)
	}

	p = new(prog).call(NamePanic, in(0), 11, 1, 1).exit()
	wantKind(t, run(t, sbpf.V0, p, input, budget, nil), "InvalidString", p.insns-1+11)

	p = new(prog).call(NamePanic, 0, 0, 1, 2).exit()
	res = run(t, sbpf.V0, p, nil, budget, nil)
	if wantKind(t, res, "Panic", p.insns-1); !strings.HasSuffix(res.Err.Error(), "Panicked in  at 1:2") {
		t.Fatal(res.Err)
	}
}

// TestBudgetExhaustedMidSyscall checks that a price the meter cannot pay
// fails the run with ComputationalBudgetExceeded and uses the whole budget.
func TestBudgetExhaustedMidSyscall(t *testing.T) {
	input := make([]byte, 64)
	for _, tc := range []struct {
		name string
		p    *prog
	}{
		{NameLog, new(prog).call(NameLog, in(0), 5).exit()},
		{NameLog64, new(prog).call(NameLog64).exit()},
		{NameMemset, new(prog).call(NameMemset, in(0), 0, 8).exit()},
		{NameSHA256, new(prog).call(NameSHA256, 0, 0, in(0)).exit()},
		{NameLogData, new(prog).call(NameLogData, 0, 0).exit()},
		{NamePanic, new(prog).call(NamePanic, in(0), 50, 0, 0).exit()},
		{NameRemainingComputeUnits, new(prog).call(NameRemainingComputeUnits).exit()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.p.insns - 1 + 5 // the instructions up to the call, and 5 more
			ctx := NewContext([32]byte{})
			res := run(t, sbpf.V0, tc.p, input, b, ctx)
			if !errors.Is(res.Err, vm.ErrComputeBudgetExceeded) || res.CU != b {
				t.Fatalf("err=%v cu=%d, want budget exceeded with cu=%d", res.Err, res.CU, b)
			}
			wantLogs(t, ctx)
		})
	}
}

func TestStaticSyscallsV3(t *testing.T) {
	ctx := NewContext([32]byte{})
	input := []byte("v3!")
	p := new(prog).call(NameLog, in(0), 3).exit()
	wantOK(t, run(t, sbpf.V3, p, input, budget, ctx), p.insns+100)
	wantLogs(t, ctx, "Program log: v3!")
}

func TestLogTruncation(t *testing.T) {
	ctx := NewContext([32]byte{})
	ctx.Logs.Limit = 40
	input := []byte(strings.Repeat("y", 30))
	p := new(prog).call(NameLog, in(0), 10).call(NameLog, in(0), 10).call(NameLog, in(0), 1).exit()
	wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+300)
	// Like Agave, a later line that still fits is recorded after the marker.
	wantLogs(t, ctx, "Program log: yyyyyyyyyy", "Log truncated", "Program log: y")
	if !ctx.Logs.Truncated() || ctx.Logs.BytesWritten() != 37 {
		t.Fatal(ctx.Logs.BytesWritten())
	}

	var l LogCollector
	for range 2 * DefaultLogBytesLimit {
		l.Log("x")
	}
	if m := l.Messages(); len(m) != DefaultLogBytesLimit || m[len(m)-1] != "Log truncated" {
		t.Fatalf("%d messages", len(m))
	}
	unlimited := LogCollector{Limit: -1}
	for range 20_000 {
		unlimited.Log("x")
	}
	if len(unlimited.Messages()) != 20_000 {
		t.Fatal("unlimited collector truncated")
	}
}

func TestLogDataTruncation(t *testing.T) {
	// Many empty fields: the line would exceed the limit, so the collector
	// records "Log truncated" whether or not encoding stops early.
	input := make([]byte, 16*600)
	ctx := NewContext([32]byte{})
	ctx.Logs.Limit = 500
	ctx.Log("Program log: ")
	p := new(prog).call(NameLogData, in(0), 600).exit()
	wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+100+600*100)
	wantLogs(t, ctx, "Program log: ", "Log truncated")

	ctx = NewContext([32]byte{})
	ctx.Logs.Limit = 1000
	ctx.Log("Program log: ")
	p = new(prog).call(NameLogData, in(0), 486).exit() // 14+485 bytes: fits
	wantOK(t, run(t, sbpf.V0, p, input, budget, ctx), p.insns+100+486*100)
	if m := ctx.Messages(); len(m) != 2 || !strings.HasPrefix(m[1], "Program data: ") {
		t.Fatal(m)
	}
}

func TestContextReset(t *testing.T) {
	ctx := NewContext([32]byte{5})
	ctx.Log("x")
	ctx.SetReturnData([32]byte{5}, []byte{1})
	ctx.Heap.Alloc(8, 8, 64)
	ctx.Reset()
	if len(ctx.Messages()) != 0 || ctx.Heap.Used() != 0 || ctx.ProgramID() != [32]byte{5} {
		t.Fatal("reset incomplete")
	}
	if _, d := ctx.ReturnData(); d != nil {
		t.Fatal("return data kept")
	}
}
