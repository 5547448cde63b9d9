package offload

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bn254"

	"github.com/agora-vm/agora/internal/blssig"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls/solcrypto"
	"github.com/agora-vm/agora/vm"
)

// runCtx is a run context that holds the task table (Host).
type runCtx struct{ tasks Tasks }

func (c *runCtx) OffloadTasks() *Tasks { return &c.tasks }

// slotCtx is a run context with per-extension slots (StateHost).
type slotCtx struct{ slots map[any]any }

func (c *slotCtx) ExtState(key any, init func() any) any {
	if v, ok := c.slots[key]; ok {
		return v
	}
	v := init()
	c.slots[key] = v
	return v
}

const inputAddr = 0x400000000

// inMachine runs fn inside a syscall of a live machine whose input region
// is input and whose context is ctx.
func inMachine(t testing.TB, input []byte, ctx any, fn func(m *vm.Machine)) {
	t.Helper()
	reg := vm.NewRegistry()
	reg.MustRegister("test_host", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		fn(m)
		return 0, nil
	})
	text := sbpf.AppendEncoded(nil, sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash("test_host"))})
	text = sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.Exit})
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, text, nil, 0), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 1 << 40, Context: ctx}); res.Err != nil {
		t.Fatal(res.Err)
	}
}

type call struct {
	r0  uint64
	cu  uint64
	err error
}

func do(m *vm.Machine, fn vm.SyscallFunc, args ...uint64) call {
	var a [5]uint64
	copy(a[:], args)
	before := m.Remaining()
	r0, err := fn(m, a[0], a[1], a[2], a[3], a[4])
	return call{r0, before - m.Remaining(), err}
}

func newFamily(t testing.TB) *family {
	bs, err := NewBackends(NewCPU(0))
	if err != nil {
		t.Fatal(err)
	}
	return &family{bs: bs}
}

func i8s(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func i64s(vs ...int64) []byte {
	b := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	return b
}

// refMatMulI8 is the straightforward reference.
func refMatMulI8(a, b []byte, m, k, n int) []byte {
	out := make([]byte, 4*m*n)
	for i := range m {
		for j := range n {
			var s int32
			for p := range k {
				s += int32(int8(a[i*k+p])) * int32(int8(b[p*n+j]))
			}
			binary.LittleEndian.PutUint32(out[4*(i*n+j):], uint32(s))
		}
	}
	return out
}

func refMatMulFx(a, b []byte, m, k, n int, shift uint32) []byte {
	out := make([]byte, 8*m*n)
	at := func(x []byte, i int) int64 { return int64(binary.LittleEndian.Uint64(x[8*i:])) }
	for i := range m {
		for j := range n {
			var s int64
			for p := range k {
				s += at(a, i*k+p) * at(b, p*n+j)
			}
			binary.LittleEndian.PutUint64(out[8*(i*n+j):], uint64(s>>shift))
		}
	}
	return out
}

// submitAndWait submits req at the start of the input and polls until
// done, burning CU between polls as a program would.
func submitAndWait(t *testing.T, f *family, m *vm.Machine, req []byte, outAddr uint64, outCap uint64) (uint64, []byte) {
	t.Helper()
	c := do(m, f.submit, 1, inputAddr, uint64(len(req)))
	if c.err != nil || c.r0 == 0 {
		t.Fatalf("submit: r0=%d err=%v", c.r0, c.err)
	}
	id := c.r0
	for range 1 << 20 {
		p := do(m, f.poll, id, outAddr, outCap)
		if p.err != nil {
			t.Fatalf("poll: %v", p.err)
		}
		if p.r0 == PollDone {
			out, err := m.ReadMemory(outAddr, outCap)
			if err != nil {
				t.Fatal(err)
			}
			return id, out
		}
		if err := m.Consume(100); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("task never done")
	return 0, nil
}

func TestMatMulMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	f := newFamily(t)
	for range 20 {
		m, k, n := 1+r.IntN(40), 1+r.IntN(40), 1+r.IntN(40)
		a, b := i8s(r, m*k), i8s(r, k*n)
		req := EncodeRequest(OpMatMulI8, uint32(m), uint32(k), uint32(n), 0, a, b)
		want := refMatMulI8(a, b, m, k, n)
		input := make([]byte, len(req)+len(want))
		copy(input, req)
		inMachine(t, input, &runCtx{}, func(vm *vm.Machine) {
			_, got := submitAndWait(t, f, vm, req, inputAddr+uint64(len(req)), uint64(len(want)))
			if !bytes.Equal(got, want) {
				t.Fatalf("%d×%d×%d: result differs from reference", m, k, n)
			}
		})
	}
}

func TestFx64AndSmallOpsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		m, k, n := 1+r.IntN(20), 1+r.IntN(20), 1+r.IntN(20)
		shift := uint32(r.IntN(20))
		a, b := i8s(r, 8*m*k), i8s(r, 8*k*n)
		got := NewCPU(0).Run(mustDecode(t, EncodeRequest(OpMatMulFx64, uint32(m), uint32(k), uint32(n), shift, a, b)))
		if want := refMatMulFx(a, b, m, k, n, shift); !bytes.Equal(got, want) {
			t.Fatalf("fx64 %d×%d×%d differs", m, k, n)
		}
	}
	cpu := NewCPU(1)
	if got, want := cpu.Run(mustDecode(t, EncodeRequest(OpReLU, 1, 0, 4, 0, i64s(-5, 0, 7, -1<<63), nil))), i64s(0, 0, 7, 0); !bytes.Equal(got, want) {
		t.Fatalf("relu = %x", got)
	}
	am := cpu.Run(mustDecode(t, EncodeRequest(OpArgMax, 2, 0, 3, 0, i64s(1, 9, 9, -3, -2, -7), nil)))
	if binary.LittleEndian.Uint32(am) != 1 || binary.LittleEndian.Uint32(am[4:]) != 1 {
		t.Fatalf("argmax = %x, want first maxima 1 and 1", am)
	}
	cv := cpu.Run(mustDecode(t, EncodeRequest(OpConv1D, 0, 2, 4, 1, i64s(1, 2, 3, 4), i64s(2, -2))))
	if want := i64s(-1, -1, -1); !bytes.Equal(cv, want) {
		t.Fatalf("conv1d = %x, want %x", cv, want)
	}
}

// The result must not depend on the number of workers.
func TestCoresDoNotChangeResults(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a, b := i8s(r, 200*300), i8s(r, 300*128)
	req := mustDecode(t, EncodeRequest(OpMatMulI8, 200, 300, 128, 0, a, b))
	one := NewCPU(1).Run(req)
	for _, w := range []int{2, 3, 7, 16} {
		if !bytes.Equal(NewCPU(w).Run(req), one) {
			t.Fatalf("%d workers differ from 1", w)
		}
	}
	if !bytes.Equal(one, refMatMulI8(a, b, 200, 300, 128)) {
		t.Fatal("differs from reference")
	}
}

func mustDecode(t testing.TB, b []byte) *Request {
	t.Helper()
	r, err := DecodeRequest(b, MaxDim)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestQuery(t *testing.T) {
	f := newFamily(t)
	inMachine(t, make([]byte, 2*DescriptorSize), nil, func(m *vm.Machine) {
		c := do(m, f.query, inputAddr, 2*DescriptorSize)
		if c.err != nil || c.r0 != 1 || c.cu != CostQueryBase+CostQueryPerBackend {
			t.Fatalf("query = %+v", c)
		}
		d, _ := m.ReadMemory(inputAddr, DescriptorSize)
		if want := AppendDescriptor(nil, 1, NewCPU(0)); !bytes.Equal(d, want) {
			t.Fatalf("descriptor %x, want %x", d, want)
		}
		if Kind(binary.LittleEndian.Uint32(d)) != KindCPU || binary.LittleEndian.Uint32(d[4:]) != 1 || binary.LittleEndian.Uint32(d[16:]) != MaxDim {
			t.Fatalf("descriptor fields %x", d[:24])
		}
		// A buffer too small for one descriptor: the count, nothing written.
		if c := do(m, f.query, inputAddr+DescriptorSize, DescriptorSize-1); c.err != nil || c.r0 != 1 {
			t.Fatalf("small query = %+v", c)
		}
		if rest, _ := m.ReadMemory(inputAddr+DescriptorSize, DescriptorSize); !bytes.Equal(rest, make([]byte, DescriptorSize)) {
			t.Fatal("small query wrote")
		}
	})
}

func TestErrorPaths(t *testing.T) {
	f := newFamily(t)
	good := EncodeRequest(OpMatMulI8, 2, 2, 2, 0, make([]byte, 4), make([]byte, 4))
	tests := []struct {
		name string
		fn   func(m *vm.Machine) call
		want error
	}{
		{"bad accel id", func(m *vm.Machine) call { return do(m, f.submit, 2, inputAddr, uint64(len(good))) }, ErrUnknownAccelerator},
		{"accel id 0", func(m *vm.Machine) call { return do(m, f.submit, 0, inputAddr, uint64(len(good))) }, ErrUnknownAccelerator},
		{"short request", func(m *vm.Machine) call { return do(m, f.submit, 1, inputAddr, uint64(len(good)-1)) }, ErrBadRequest},
		{"header only", func(m *vm.Machine) call { return do(m, f.submit, 1, inputAddr, 10) }, ErrBadRequest},
		{"poll unknown", func(m *vm.Machine) call { return do(m, f.poll, 5, inputAddr, 0) }, ErrUnknownTask},
		{"poll zero", func(m *vm.Machine) call { return do(m, f.poll, 0, inputAddr, 0) }, ErrUnknownTask},
		{"cancel unknown", func(m *vm.Machine) call { return do(m, f.cancel, 1) }, ErrUnknownTask},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := &runCtx{}
			input := append([]byte(nil), good...)
			inMachine(t, input, ctx, func(m *vm.Machine) {
				c := tt.fn(m)
				if !errors.Is(c.err, tt.want) || c.r0 != 0 {
					t.Fatalf("got r0=%d err=%v, want %v", c.r0, c.err, tt.want)
				}
			})
			if ctx.tasks.Len() != 0 || !bytes.Equal(input, good) {
				t.Fatal("a failed call changed state")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		req  []byte
		want error
	}{
		{"oversized m", EncodeRequest(OpMatMulI8, MaxDim+1, 1, 1, 0, nil, nil), ErrDimsTooLarge},
		{"oversized n", EncodeRequest(OpMatMulFx64, 1, 1, 1<<31, 0, nil, nil), ErrDimsTooLarge},
		{"unknown op", EncodeRequest(99, 1, 1, 1, 0, nil, nil), ErrUnsupportedOp},
		{"zero dim", EncodeRequest(OpMatMulI8, 0, 1, 1, 0, []byte{}, []byte{1}), ErrBadRequest},
		{"shift on int8", EncodeRequest(OpMatMulI8, 1, 1, 1, 3, []byte{1}, []byte{1}), ErrBadRequest},
		{"shift 64", EncodeRequest(OpMatMulFx64, 1, 1, 1, 64, make([]byte, 8), make([]byte, 8)), ErrBadRequest},
		{"relu k", EncodeRequest(OpReLU, 1, 1, 1, 0, make([]byte, 8), nil), ErrBadRequest},
		{"conv kernel > input", EncodeRequest(OpConv1D, 0, 3, 2, 0, make([]byte, 16), make([]byte, 24)), ErrBadRequest},
		{"trailing byte", EncodeRequest(OpReLU, 1, 0, 1, 0, make([]byte, 9), nil), ErrBadRequest},
	}
	for _, tt := range tests {
		if _, err := DecodeRequest(tt.req, MaxDim); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	st := EncodeRequest(OpReLU, 1, 0, 1, 0, make([]byte, 8), nil)
	st[OffStatus] = 1
	if _, err := DecodeRequest(st, MaxDim); !errors.Is(err, ErrBadRequest) {
		t.Errorf("nonzero status: %v", err)
	}
}

// Pending is a function of CU consumed since submit; cancel refunds a
// pending task once and fails the second time.
func TestPendingRuleAndCancel(t *testing.T) {
	f := newFamily(t)
	r := rand.New(rand.NewPCG(7, 8))
	req := EncodeRequest(OpMatMulI8, 64, 64, 64, 0, i8s(r, 64*64), i8s(r, 64*64))
	work, _ := PriceOf(NewCPU(0), OpMatMulI8)
	price := work.Cost(64 * 64 * 64)
	input := make([]byte, len(req)+4*64*64)
	copy(input, req)
	out := inputAddr + uint64(len(req))
	inMachine(t, input, &slotCtx{slots: map[any]any{}}, func(m *vm.Machine) {
		c := do(m, f.submit, 1, inputAddr, uint64(len(req)))
		if c.err != nil || c.r0 != 1 || c.cu != CostSubmitBase+price {
			t.Fatalf("submit = %+v, want id 1 at %d CU", c, CostSubmitBase+price)
		}
		if p := do(m, f.poll, 1, out, 4*64*64); p.r0 != PollPending || p.err != nil {
			t.Fatalf("first poll = %+v, want pending", p)
		}
		// Consume up to one CU short of the latency (the poll's unit
		// counted): still pending; one more: done.
		if err := m.Consume(Latency(price) - CostPollBase - 1 - CostPollBase); err != nil {
			t.Fatal(err)
		}
		if p := do(m, f.poll, 1, out, 4*64*64); p.r0 != PollPending {
			t.Fatalf("poll before latency = %+v", p)
		}
		if p := do(m, f.poll, 1, out, 4*64*64); p.r0 != PollDone {
			t.Fatalf("poll at latency = %+v", p)
		}
		// Too small a buffer for a done task: typed error.
		if p := do(m, f.poll, 1, out, 3); !errors.Is(p.err, ErrBufferTooSmall) {
			t.Fatalf("small poll = %+v", p)
		}
		// A second task cancelled while pending: refund, then twice fails.
		c = do(m, f.submit, 1, inputAddr, uint64(len(req)))
		if c.r0 != 2 {
			t.Fatalf("second submit = %+v", c)
		}
		before := m.Remaining()
		if x := do(m, f.cancel, 2); x.err != nil || m.Remaining() != before-CostCancel+CancelRefund(price) {
			t.Fatalf("cancel = %+v, refund %d", x, m.Remaining()-before)
		}
		if x := do(m, f.cancel, 2); !errors.Is(x.err, ErrTaskCancelled) {
			t.Fatalf("cancel twice = %+v", x)
		}
		if p := do(m, f.poll, 2, out, 4*64*64); p.r0 != PollCancelled || p.err != nil {
			t.Fatalf("poll cancelled = %+v", p)
		}
		// Cancelling a done task returns nothing.
		before = m.Remaining()
		if x := do(m, f.cancel, 1); x.err != nil || before-m.Remaining() != CostCancel {
			t.Fatalf("cancel done = %+v", x)
		}
	})
}

func TestNoTaskTable(t *testing.T) {
	f := newFamily(t)
	req := EncodeRequest(OpReLU, 1, 0, 1, 0, make([]byte, 8), nil)
	inMachine(t, append([]byte(nil), req...), nil, func(m *vm.Machine) {
		if c := do(m, f.submit, 1, inputAddr, uint64(len(req))); !errors.Is(c.err, ErrNoTaskTable) {
			t.Fatalf("submit without table = %+v", c)
		}
	})
}

func TestQueueFull(t *testing.T) {
	f := newFamily(t)
	req := EncodeRequest(OpReLU, 1, 0, 1, 0, make([]byte, 8), nil)
	input := append([]byte(nil), req...)
	inMachine(t, input, &runCtx{}, func(m *vm.Machine) {
		for i := range MaxTasks {
			if c := do(m, f.submit, 1, inputAddr, uint64(len(req))); c.r0 != uint64(i+1) {
				t.Fatalf("submit %d = %+v", i, c)
			}
		}
		if c := do(m, f.submit, 1, inputAddr, uint64(len(req))); c.r0 != 0 || c.err != nil {
			t.Fatalf("submit past MaxTasks = %+v", c)
		}
	})
	if binary.LittleEndian.Uint32(input[OffStatus:]) != StatusQueueFull {
		t.Fatal("status not written")
	}
}

func TestRegister(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	if err := Register(r); err == nil {
		t.Fatal("second Register succeeded")
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add(EncodeRequest(OpMatMulI8, 1, 1, 1, 0, []byte{1}, []byte{2}))
	f.Add(EncodeRequest(OpConv1D, 0, 2, 3, 1, make([]byte, 24), make([]byte, 16)))
	f.Add(EncodeRequest(OpArgMax, 2, 0, 1, 0, make([]byte, 16), nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRequest(b, 16)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if got := NewCPU(2).Run(r); uint64(len(got)) != r.ResultSize() {
			t.Fatalf("result %d bytes, want %d", len(got), r.ResultSize())
		}
	})
}

// BATCH_VERIFY_ED25519: for random records, some corrupted, the result
// equals crypto/ed25519 on each record, for any number of workers.
func TestBatchVerifyMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n = 40
	recs := make([]byte, 0, n*Ed25519RecordSize)
	want := make([]byte, n)
	for i := range n {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(r.IntN(256))
		}
		priv := ed25519.NewKeyFromSeed(seed)
		msg := i8s(r, 32)
		sig := ed25519.Sign(priv, msg)
		rec := append(append(append([]byte(nil), priv.Public().(ed25519.PublicKey)...), sig...), msg...)
		if r.IntN(3) == 0 {
			rec[32+r.IntN(96)] ^= 1 << r.IntN(8) // a signature or message bit
		}
		if ed25519.Verify(rec[:32], rec[96:], rec[32:96]) {
			want[i] = 1
		}
		recs = append(recs, rec...)
	}
	req := mustDecode(t, EncodeRequest(OpBatchVerifyEd25519, 0, 0, n, 0, recs, nil))
	for _, w := range []int{1, 2, 5} {
		if got := NewCPU(w).Run(req); !bytes.Equal(got, want) {
			t.Fatalf("%d workers: %v, want %v", w, got, want)
		}
	}
	p, _ := PriceOf(NewCPU(1), OpBatchVerifyEd25519)
	if c := p.Cost(n); c != 4+n*1819 {
		t.Fatalf("price of %d signatures = %d", n, c)
	}
	for _, tc := range []struct {
		name string
		req  []byte
		want error
	}{
		{"no records", EncodeRequest(OpBatchVerifyEd25519, 0, 0, 0, 0, nil, nil), ErrBadRequest},
		{"m set", EncodeRequest(OpBatchVerifyEd25519, 1, 0, 1, 0, recs[:128], nil), ErrBadRequest},
		{"short record", EncodeRequest(OpBatchVerifyEd25519, 0, 0, 1, 0, recs[:127], nil), ErrBadRequest},
		{"too many", EncodeRequest(OpBatchVerifyEd25519, 0, 0, MaxBatch+1, 0, nil, nil), ErrDimsTooLarge},
	} {
		if _, err := DecodeRequest(tc.req, MaxDim); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// msmRequest is an MSM_BN254 request of n random multiples of the
// generator with random scalars.
func msmRequest(r *rand.Rand, n int) []byte {
	_, _, g, _ := bn254.Generators()
	var pts, scs []byte
	for range n {
		var k big.Int
		k.SetUint64(r.Uint64())
		var p bn254.G1Affine
		p.ScalarMultiplication(&g, &k)
		x, y := p.X.Bytes(), p.Y.Bytes()
		pts = append(append(pts, x[:]...), y[:]...)
		s := make([]byte, 32)
		for j := range s {
			s[j] = byte(r.IntN(256))
		}
		scs = append(scs, s...)
	}
	return EncodeRequest(OpMSMBN254, 0, 0, uint32(n), 0, pts, scs)
}

// MSM_BN254 equals the sum of scalar multiplications done one by one,
// for random operands; a point off the curve is reported by index.
func TestMSMMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 2, 7, 33} {
		raw := msmRequest(r, n)
		req := mustDecode(t, raw)
		got := NewCPU(0).Run(req)
		var want bn254.G1Jac
		for i := range n {
			var p bn254.G1Affine
			p.X.SetBytes(req.A[64*i : 64*i+32])
			p.Y.SetBytes(req.A[64*i+32 : 64*i+64])
			var k big.Int
			k.SetBytes(req.B[32*i : 32*i+32])
			var q bn254.G1Affine
			q.ScalarMultiplication(&p, &k)
			var qj bn254.G1Jac
			qj.FromAffine(&q)
			want.AddAssign(&qj)
		}
		var wa bn254.G1Affine
		wa.FromJacobian(&want)
		x, y := wa.X.Bytes(), wa.Y.Bytes()
		if binary.LittleEndian.Uint32(got) != 0 || !bytes.Equal(got[4:36], x[:]) || !bytes.Equal(got[36:], y[:]) {
			t.Fatalf("n=%d: %x, want %x%x", n, got, x, y)
		}
	}
	raw := msmRequest(r, 3)
	raw[HeaderSize+64+63] ^= 1 // point 1's y: off the curve
	if got := NewCPU(0).Run(mustDecode(t, raw)); binary.LittleEndian.Uint32(got) != 2 || !bytes.Equal(got[4:], make([]byte, 64)) {
		t.Fatalf("bad point: %x", got)
	}
	if _, err := DecodeRequest(EncodeRequest(OpMSMBN254, 0, 0, 2, 0, make([]byte, 128), make([]byte, 63)), MaxDim); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("short scalars: %v", err)
	}
}

// poseidonInputs returns n 32-byte big-endian inputs below the BN254
// scalar field modulus (the top byte kept small).
func poseidonInputs(r *rand.Rand, n int) []byte {
	b := i8s(r, 32*n)
	for i := 0; i < len(b); i += 32 {
		b[i] &= 0x0f
	}
	return b
}

// POSEIDON_MANY equals sol_poseidon's hash of each group; an input at or
// above the modulus fails its hash alone.
func TestPoseidonManyMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, k := range []int{1, 2, 5, 12} {
		const n = 6
		in := poseidonInputs(r, n*k)
		in[32*k] = 0xff // hash 1's first input: above the modulus
		req := mustDecode(t, EncodeRequest(OpPoseidonMany, 0, uint32(k), n, 0, in, nil))
		for _, w := range []int{1, 3} {
			got := NewCPU(w).Run(req)
			for i := range n {
				var ins [][]byte
				for j := range k {
					ins = append(ins, in[32*(i*k+j):32*(i*k+j)+32])
				}
				h, ok := solcrypto.PoseidonHash(ins)
				rec := got[PoseidonResultSize*i:]
				if (rec[0] == 1) != ok || (ok && !bytes.Equal(rec[1:33], h[:])) || (!ok && !bytes.Equal(rec[:33], make([]byte, 33))) {
					t.Fatalf("k=%d hash %d (%d workers): %x, want ok=%v %x", k, i, w, rec[:33], ok, h)
				}
				if i == 1 && ok {
					t.Fatal("an input above the modulus hashed")
				}
			}
		}
	}
	if _, err := DecodeRequest(EncodeRequest(OpPoseidonMany, 0, 13, 1, 0, make([]byte, 13*32), nil), MaxDim); !errors.Is(err, ErrDimsTooLarge) {
		t.Fatalf("13 inputs: %v", err)
	}
	p, _ := PriceOf(NewCPU(1), OpPoseidonMany)
	if c := p.Cost(mustDecode(t, EncodeRequest(OpPoseidonMany, 0, 2, 3, 0, make([]byte, 6*32), nil)).Units()); c != 4+3*3*(61*4+542) {
		t.Fatalf("price %d", c)
	}
}

// msmBLSRequest is an MSM_BLS12381 request of n random multiples of the
// generator with random scalars.
func msmBLSRequest(r *rand.Rand, n int) []byte {
	_, _, g, _ := bls12381.Generators()
	var pts, scs []byte
	for range n {
		var p bls12381.G1Affine
		p.ScalarMultiplication(&g, new(big.Int).SetUint64(r.Uint64()))
		x, y := p.X.Bytes(), p.Y.Bytes()
		pts = append(append(pts, x[:]...), y[:]...)
		scs = append(scs, i8s(r, 32)...)
	}
	return EncodeRequest(OpMSMBLS12381, 0, 0, uint32(n), 0, pts, scs)
}

// MSM_BLS12381 equals the one-by-one sum; a point off the subgroup is
// reported by index.
func TestMSMBLSMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 5, 17} {
		req := mustDecode(t, msmBLSRequest(r, n))
		got := NewCPU(0).Run(req)
		var want bls12381.G1Jac
		for i := range n {
			var p bls12381.G1Affine
			p.X.SetBytes(req.A[96*i : 96*i+48])
			p.Y.SetBytes(req.A[96*i+48 : 96*i+96])
			var q bls12381.G1Affine
			q.ScalarMultiplication(&p, new(big.Int).SetBytes(req.B[32*i:32*i+32]))
			var qj bls12381.G1Jac
			qj.FromAffine(&q)
			want.AddAssign(&qj)
		}
		var wa bls12381.G1Affine
		wa.FromJacobian(&want)
		x, y := wa.X.Bytes(), wa.Y.Bytes()
		if binary.LittleEndian.Uint32(got) != 0 || !bytes.Equal(got[4:52], x[:]) || !bytes.Equal(got[52:], y[:]) {
			t.Fatalf("n=%d: %x", n, got)
		}
	}
	raw := msmBLSRequest(r, 2)
	raw[HeaderSize+96+95] ^= 1
	if got := NewCPU(0).Run(mustDecode(t, raw)); binary.LittleEndian.Uint32(got) != 2 {
		t.Fatalf("bad point: %x", got[:4])
	}
}

// blsRecords returns n BATCH_VERIFY_BLS records signed with random keys;
// with corrupt, about a third have a flipped bit in the key, signature or
// message.
func blsRecords(r *rand.Rand, n int, corrupt bool) []byte {
	_, _, g1, _ := bls12381.Generators()
	recs := make([]byte, 0, n*BLSRecordSize)
	for range n {
		sk := new(big.Int).SetUint64(r.Uint64() | 1)
		var pk bls12381.G1Affine
		pk.ScalarMultiplication(&g1, sk)
		msg := i8s(r, 32)
		h, err := bls12381.HashToG2(msg, []byte(blssig.Ciphersuite))
		if err != nil {
			panic(err)
		}
		var sig bls12381.G2Affine
		sig.ScalarMultiplication(&h, sk)
		pkb, sigb := pk.Bytes(), sig.Bytes()
		rec := append(append(append([]byte(nil), pkb[:]...), sigb[:]...), msg...)
		if corrupt && r.IntN(3) == 0 {
			rec[r.IntN(BLSRecordSize)] ^= 1 << r.IntN(8)
		}
		recs = append(recs, rec...)
	}
	return recs
}

// BATCH_VERIFY_BLS: for random records, some corrupted, the result is 1
// exactly where the key and signature decode into their subgroups and
// e(pk, H(msg)) = e(g1, sig), computed here with gnark-crypto directly,
// for any number of workers.
func TestBatchVerifyBLSMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	const n = 12
	recs := blsRecords(r, n, true)
	_, _, g1, _ := bls12381.Generators()
	want := make([]byte, n)
	valid := 0
	for i := range n {
		rec := recs[i*BLSRecordSize : (i+1)*BLSRecordSize]
		var pk bls12381.G1Affine
		var sig bls12381.G2Affine
		if _, err := pk.SetBytes(rec[:48]); err != nil || pk.IsInfinity() {
			continue
		}
		if _, err := sig.SetBytes(rec[48:144]); err != nil {
			continue
		}
		h, _ := bls12381.HashToG2(rec[144:], []byte(blssig.Ciphersuite))
		l, err1 := bls12381.Pair([]bls12381.G1Affine{pk}, []bls12381.G2Affine{h})
		rr, err2 := bls12381.Pair([]bls12381.G1Affine{g1}, []bls12381.G2Affine{sig})
		if err1 == nil && err2 == nil && l.Equal(&rr) {
			want[i] = 1
			valid++
		}
	}
	if valid == 0 || valid == n {
		t.Fatalf("%d of %d records valid: the test needs both kinds", valid, n)
	}
	req := mustDecode(t, EncodeRequest(OpBatchVerifyBLS, 0, 0, n, 0, recs, nil))
	for _, w := range []int{1, 2, 5} {
		if got := NewCPU(w).Run(req); !bytes.Equal(got, want) {
			t.Fatalf("%d workers: %v, want %v", w, got, want)
		}
	}
	p, ok := PriceOf(NewCPU(1), OpBatchVerifyBLS)
	if !ok || p.Cost(n) != 4+n*BLSVerifyCUPerSig {
		t.Fatalf("price of %d signatures = %d (%v)", n, p.Cost(n), ok)
	}
	for _, tc := range []struct {
		name string
		req  []byte
		want error
	}{
		{"no records", EncodeRequest(OpBatchVerifyBLS, 0, 0, 0, 0, nil, nil), ErrBadRequest},
		{"k set", EncodeRequest(OpBatchVerifyBLS, 0, 1, 1, 0, recs[:BLSRecordSize], nil), ErrBadRequest},
		{"short record", EncodeRequest(OpBatchVerifyBLS, 0, 0, 1, 0, recs[:BLSRecordSize-1], nil), ErrBadRequest},
		{"too many", EncodeRequest(OpBatchVerifyBLS, 0, 0, MaxBatch+1, 0, nil, nil), ErrDimsTooLarge},
	} {
		if _, err := DecodeRequest(tc.req, MaxDim); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// Every operation the CPU backend runs has a price, and query's
// descriptor holds every price.
func TestDescriptorHoldsEveryPrice(t *testing.T) {
	cpu := NewCPU(1)
	if n := len(cpu.Prices()); n > MaxPrices {
		t.Fatalf("%d prices, the descriptor holds %d", n, MaxPrices)
	}
	d := AppendDescriptor(nil, 1, cpu)
	if got := binary.LittleEndian.Uint32(d[20:]); int(got) != len(cpu.Prices()) {
		t.Fatalf("descriptor lists %d prices, the backend has %d", got, len(cpu.Prices()))
	}
	for op := Op(1); op < NumOps; op++ {
		if cpu.Ops()&(1<<op) == 0 {
			t.Errorf("%s is not in the CPU backend's ops", op)
		}
		if _, ok := PriceOf(cpu, op); !ok {
			t.Errorf("%s has no price", op)
		}
	}
}
