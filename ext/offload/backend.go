package offload

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	blsfr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/agora-vm/agora/internal/blssig"
	"github.com/agora-vm/agora/syscalls/solcrypto"
)

// Kind is the kind of an accelerator, the first field of its descriptor.
type Kind uint32

// Accelerator kinds. Only KindCPU has a backend in this package.
const (
	KindCPU  Kind = 1
	KindGPU  Kind = 2
	KindFPGA Kind = 3
)

// Price is an operation's CU price on a backend: Base + units·CUPerUnit
// + ⌈units / UnitsPerCU⌉ (no last term when UnitsPerCU is 0), units as
// Request.Units counts them. Cheap units (a multiply-accumulate) are
// priced by UnitsPerCU, expensive ones (a signature) by CUPerUnit.
type Price struct {
	Op         Op
	Base       uint32
	UnitsPerCU uint32
	CUPerUnit  uint32
}

// Cost is the price of units of work at p.
func (p Price) Cost(units uint64) uint64 {
	c := uint64(p.Base) + units*uint64(p.CUPerUnit)
	if p.UnitsPerCU > 0 {
		c += ceilDiv(units, uint64(p.UnitsPerCU))
	}
	return c
}

func ceilDiv(n, d uint64) uint64 { return n/d + min(n%d, 1) }

// Backend runs requests. Run must return bytes that depend only on the
// request: every backend of an operation returns the same bits.
type Backend interface {
	Kind() Kind
	Ops() uint64    // bit op set for every operation it runs
	MaxDim() uint32 // bound on m, k and n
	Prices() []Price
	// Run computes the result of a request that DecodeRequest accepted
	// with this backend's MaxDim, as ResultSize bytes.
	Run(r *Request) []byte
}

// Backends is the registry of accelerators a run offers; accel ids are
// positions in it, from 1.
type Backends struct {
	list []Backend
}

// NewBackends returns a registry of bs, with ids 1, 2, ...
func NewBackends(bs ...Backend) (*Backends, error) {
	for i, b := range bs {
		if b == nil {
			return nil, fmt.Errorf("offload: backend %d is nil", i+1)
		}
	}
	return &Backends{list: append([]Backend(nil), bs...)}, nil
}

// Len is the number of backends.
func (r *Backends) Len() int { return len(r.list) }

// Get returns the backend with accel id id.
func (r *Backends) Get(id uint64) (Backend, bool) {
	if id == 0 || id > uint64(len(r.list)) {
		return nil, false
	}
	return r.list[id-1], true
}

// PriceOf returns b's price of op.
func PriceOf(b Backend, op Op) (Price, bool) {
	for _, p := range b.Prices() {
		if p.Op == op {
			return p, true
		}
	}
	return Price{}, false
}

// CPU is the CPU backend: the kernels in Go, rows spread over goroutines
// when the work is large enough to pay for them. Each output element is
// computed by one goroutine in a fixed order, so the result is the same
// for any number of workers.
type CPU struct {
	workers int
}

// NewCPU returns the CPU backend using up to workers goroutines per task
// (0: GOMAXPROCS).
func NewCPU(workers int) *CPU {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &CPU{workers: workers}
}

// Kind is KindCPU.
func (*CPU) Kind() Kind { return KindCPU }

// Ops has every operation of this package.
func (*CPU) Ops() uint64 {
	return 1<<OpMatMulI8 | 1<<OpMatMulFx64 | 1<<OpReLU | 1<<OpArgMax | 1<<OpConv1D | 1<<OpBatchVerifyEd25519 | 1<<OpMSMBN254 | 1<<OpPoseidonMany | 1<<OpMSMBLS12381 | 1<<OpBatchVerifyBLS
}

// MaxDim is MaxDim.
func (*CPU) MaxDim() uint32 { return MaxDim }

// Prices is CPUPrices.
func (*CPU) Prices() []Price { return CPUPrices() }

// parallelUnits is the work below which a task runs on one goroutine:
// starting goroutines costs a few microseconds.
const parallelUnits = 1 << 16

// batchVerifyWeight is a signature's work in multiply-accumulates, for
// the parallel threshold only: about 50 µs against 3 ns.
const batchVerifyWeight = 1 << 14

// blsVerifyWeight is a BLS verification's work in multiply-accumulates,
// for the parallel threshold only: about 1 ms against 3 ns.
const blsVerifyWeight = 1 << 18

// poseidonWeight converts POSEIDON_MANY's units (CU) to
// multiply-accumulates for the parallel threshold: 33 ns against 3.
const poseidonWeight = 10

// Run computes r's result.
func (c *CPU) Run(r *Request) []byte {
	out := make([]byte, r.ResultSize())
	m, k, n := int(r.M), int(r.K), int(r.N)
	switch r.Op {
	case OpMatMulI8:
		c.rows(m, r.Units(), func(i int) { matmulI8Row(r.A, r.B, out, i, k, n) })
	case OpMatMulFx64:
		c.rows(m, r.Units(), func(i int) { matmulFxRow(r.A, r.B, out, i, k, n, r.Shift) })
	case OpReLU:
		for i := range m * n {
			v := int64(binary.LittleEndian.Uint64(r.A[8*i:]))
			binary.LittleEndian.PutUint64(out[8*i:], uint64(max(v, 0)))
		}
	case OpArgMax:
		for i := range m {
			best := 0
			bv := int64(binary.LittleEndian.Uint64(r.A[8*i*n:]))
			for j := 1; j < n; j++ {
				if v := int64(binary.LittleEndian.Uint64(r.A[8*(i*n+j):])); v > bv {
					best, bv = j, v
				}
			}
			binary.LittleEndian.PutUint32(out[4*i:], uint32(best))
		}
	case OpBatchVerifyEd25519:
		c.rows(n, r.Units()*batchVerifyWeight, func(i int) {
			rec := r.A[i*Ed25519RecordSize:]
			if ed25519.Verify(ed25519.PublicKey(rec[:32]), rec[96:128], rec[32:96]) {
				out[i] = 1
			}
		})
	case OpBatchVerifyBLS:
		c.rows(n, r.Units()*blsVerifyWeight, func(i int) {
			rec := r.A[i*BLSRecordSize:]
			if blssig.Verify(rec[:48], rec[144:176], rec[48:144]) == blssig.Valid {
				out[i] = 1
			}
		})
	case OpMSMBN254:
		msmBN254(r.A, r.B, n, out)
	case OpMSMBLS12381:
		msmBLS12381(r.A, r.B, n, out)
	case OpPoseidonMany:
		c.rows(n, r.Units()*poseidonWeight, func(i int) {
			ins := make([][]byte, k)
			for j := range k {
				ins[j] = r.A[32*(i*k+j) : 32*(i*k+j)+32]
			}
			if h, ok := solcrypto.PoseidonHash(ins); ok {
				out[PoseidonResultSize*i] = 1
				copy(out[PoseidonResultSize*i+1:], h[:])
			}
		})
	case OpConv1D:
		for i := range n - k + 1 {
			var s int64
			for j := range k {
				s += int64(binary.LittleEndian.Uint64(r.A[8*(i+j):])) * int64(binary.LittleEndian.Uint64(r.B[8*j:]))
			}
			binary.LittleEndian.PutUint64(out[8*i:], uint64(s>>r.Shift))
		}
	}
	return out
}

// rows runs f for every row, on up to c.workers goroutines when units is
// large; rows are disjoint, so the order does not matter.
func (c *CPU) rows(m int, units uint64, f func(i int)) {
	w := min(c.workers, m)
	if w <= 1 || units < parallelUnits {
		for i := range m {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	for g := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < m; i += w {
				f(i)
			}
		}()
	}
	wg.Wait()
}

func matmulI8Row(a, b, out []byte, i, k, n int) {
	acc := make([]int32, n)
	for p := range k {
		av := int32(int8(a[i*k+p]))
		if av == 0 {
			continue
		}
		brow := b[p*n : p*n+n]
		for j, bv := range brow {
			acc[j] += av * int32(int8(bv))
		}
	}
	for j, v := range acc {
		binary.LittleEndian.PutUint32(out[4*(i*n+j):], uint32(v))
	}
}

func matmulFxRow(a, b, out []byte, i, k, n int, shift uint32) {
	acc := make([]int64, n)
	for p := range k {
		av := int64(binary.LittleEndian.Uint64(a[8*(i*k+p):]))
		if av == 0 {
			continue
		}
		for j := range n {
			acc[j] += av * int64(binary.LittleEndian.Uint64(b[8*(p*n+j):]))
		}
	}
	for j, v := range acc {
		binary.LittleEndian.PutUint64(out[8*(i*n+j):], uint64(v>>shift))
	}
}

// msmBN254 computes Σ sᵢ·Pᵢ with gnark-crypto's multi-exponentiation on
// one task: the sum is exact group arithmetic, so it does not depend on
// how the work is split, but one task keeps the cost per request fixed.
func msmBN254(points, scalars []byte, n int, out []byte) {
	ps := make([]bn254.G1Affine, n)
	ss := make([]fr.Element, n)
	for i := range n {
		p := points[64*i:]
		if err := ps[i].X.SetBytesCanonical(p[:32]); err != nil {
			binary.LittleEndian.PutUint32(out, uint32(i+1))
			return
		}
		if err := ps[i].Y.SetBytesCanonical(p[32:64]); err != nil {
			binary.LittleEndian.PutUint32(out, uint32(i+1))
			return
		}
		if !ps[i].IsInfinity() && !ps[i].IsOnCurve() {
			binary.LittleEndian.PutUint32(out, uint32(i+1))
			return
		}
		ss[i].SetBytes(scalars[32*i : 32*i+32])
	}
	var sum bn254.G1Affine
	if _, err := sum.MultiExp(ps, ss, ecc.MultiExpConfig{NbTasks: 1}); err != nil {
		binary.LittleEndian.PutUint32(out, uint32(n+1))
		return
	}
	x, y := sum.X.Bytes(), sum.Y.Bytes()
	copy(out[4:36], x[:])
	copy(out[36:68], y[:])
}

// msmBLS12381 is msmBN254 over BLS12-381 G1, whose points must also lie
// in the prime-order subgroup.
func msmBLS12381(points, scalars []byte, n int, out []byte) {
	ps := make([]bls12381.G1Affine, n)
	ss := make([]blsfr.Element, n)
	for i := range n {
		p := points[96*i:]
		bad := ps[i].X.SetBytesCanonical(p[:48]) != nil || ps[i].Y.SetBytesCanonical(p[48:96]) != nil
		if bad || !ps[i].IsInfinity() && (!ps[i].IsOnCurve() || !ps[i].IsInSubGroup()) {
			binary.LittleEndian.PutUint32(out, uint32(i+1))
			return
		}
		ss[i].SetBytes(scalars[32*i : 32*i+32])
	}
	var sum bls12381.G1Affine
	if _, err := sum.MultiExp(ps, ss, ecc.MultiExpConfig{NbTasks: 1}); err != nil {
		binary.LittleEndian.PutUint32(out, uint32(n+1))
		return
	}
	x, y := sum.X.Bytes(), sum.Y.Bytes()
	copy(out[4:52], x[:])
	copy(out[52:100], y[:])
}
