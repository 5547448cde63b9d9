package bank

import (
	"runtime"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// addProgram returns r0 = 0 through an add64 imm, the instruction the
// jitmiscompile build tag miscompiles (to r0 = 1, a failing program).
func addProgram(t *testing.T) []byte {
	p, err := asm.Assemble("mov64 r0, 0\nadd64 r0, 0\nexit\n", sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := elf.ObjectFromProgram(vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry), func(uint32) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	b, err := elf.Write(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProcessBlockVerified: with every transaction sampled the block is
// executed twice and committed once; the results are the interpreter's.
// Built with -tags jitmiscompile (and on amd64), the JIT's block differs,
// the program is quarantined, the divergence is reported with both
// results, and the interpreter's block is the one committed.
func TestProcessBlockVerified(t *testing.T) {
	c := newChain(t)
	prog := pk(key(40))
	c.now++
	auth := pk(c.payer)
	if _, err := c.bank.Deploy(prog, addProgram(t), &auth, c.now); err != nil {
		t.Fatal(err)
	}
	q := &jit.Quarantine{}
	c.bank.Executor().Engine = q
	var reported []Divergence
	cfg := VerifyConfig{Engine: q, Threshold: SampleThreshold(1), OnDivergence: func(d Divergence) { reported = append(reported, d) }}
	height := c.bank.Head().Height
	for round, data := range []byte{1, 2} {
		tx := c.tx([]txn.Instruction{{ProgramID: prog, Data: []byte{data}}}, c.payer)
		c.now++
		res, divs, err := c.bank.ProcessBlockVerified(t.Context(), []*txn.Transaction{tx}, c.now, cfg)
		if err != nil {
			t.Fatal(err)
		}
		ok(t, res.Txs[0])
		if res.Header.Height != height+uint64(round)+1 {
			t.Fatalf("height %d after round %d", res.Header.Height, round)
		}
		miscompiled := jit.MiscompileInjected && runtime.GOARCH == "amd64" && round == 0
		if !miscompiled {
			if len(divs) != 0 {
				t.Fatalf("round %d: divergences %+v", round, divs)
			}
			continue
		}
		t.Logf("divergence: jit %v %q, interp %v", divs[0].JIT.Err, divs[0].JIT.Logs, divs[0].Interp.Err)
		if len(divs) != 1 || len(reported) != 1 || divs[0].JIT.Err == nil || divs[0].Interp.Err != nil || divs[0].Index != 0 || divs[0].Signature != tx.ID() {
			t.Fatalf("divergences %+v", divs)
		}
		if !q.Quarantined(prog) || !containsKey(divs[0].Quarantined, prog) {
			t.Fatal("the program was not quarantined")
		}
	}
	if !jit.MiscompileInjected && q.Quarantined(prog) {
		t.Fatal("a correct compiler got the program quarantined")
	}
}

// TestVerifySampling: the choice is a function of the seed and the
// signature, and the fraction is about the one asked for.
func TestVerifySampling(t *testing.T) {
	c := VerifyConfig{Threshold: SampleThreshold(0.25), Seed: 7}
	var n int
	for i := range 4000 {
		var sig txn.Signature
		sig[0], sig[1] = byte(i), byte(i>>8)
		if c.Sampled(sig) != c.Sampled(sig) {
			t.Fatal("not deterministic")
		}
		if c.Sampled(sig) {
			n++
		}
	}
	if n < 850 || n > 1150 {
		t.Fatalf("%d of 4000 sampled at 0.25", n)
	}
	if (&VerifyConfig{Threshold: SampleThreshold(1)}).Sampled(txn.Signature{}) != true || (&VerifyConfig{}).Sampled(txn.Signature{}) {
		t.Fatal("0 and 1")
	}
}

func containsKey(keys []pubkey.Pubkey, k pubkey.Pubkey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// BenchmarkProcessBlockVerified: a block of 16 transactions of a 20k-CU
// loop on the interpreter (the baseline), on the JIT, and on the verified
// tier with every block sampled (the JIT's run plus the interpreter's
// reference run before the commit). Signing is not timed.
func BenchmarkProcessBlockVerified(b *testing.B) {
	p, err := asm.Assemble("mov64 r2, 10000\nloop:\nsub64 r2, 1\njne r2, 0, loop\nmov64 r0, 0\nexit\n", sbpf.V0, nil)
	if err != nil {
		b.Fatal(err)
	}
	obj, err := elf.ObjectFromProgram(vm.NewRawProgram(p.Version, p.Text, p.Functions, p.Entry), func(uint32) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	elfBytes, err := elf.Write(obj)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"interp", "jit", "verified"} {
		b.Run(mode, func(b *testing.B) {
			c := newChain(b)
			prog := pk(key(40))
			c.now++
			auth := pk(c.payer)
			if _, err := c.bank.Deploy(prog, elfBytes, &auth, c.now); err != nil {
				b.Fatal(err)
			}
			q := &jit.Quarantine{}
			cfg := VerifyConfig{Engine: q, Threshold: SampleThreshold(1)}
			if mode == "interp" {
				c.bank.Executor().Engine = vm.Interpreter{}
			} else {
				c.bank.Executor().Engine = q
			}
			n := 0
			for b.Loop() {
				b.StopTimer()
				txs := make([]*txn.Transaction, 16)
				for i := range txs {
					n++
					txs[i] = c.tx([]txn.Instruction{{ProgramID: prog, Data: []byte{byte(n), byte(n >> 8), byte(n >> 16)}}}, c.payer)
				}
				c.now++
				b.StartTimer()
				if mode == "verified" {
					_, _, err = c.bank.ProcessBlockVerified(b.Context(), txs, c.now, cfg)
				} else {
					_, err = c.bank.ProcessBlock(txs, c.now)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
