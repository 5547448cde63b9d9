package bank

import (
	"runtime"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// asmELF assembles a V0 program with no syscalls into an ELF.
func asmELF(t testing.TB, src string) []byte {
	t.Helper()
	b, err := elf.Assemble(src, sbpf.V0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addProgram returns r0 = 0 through an add64 imm, the instruction the
// jitmiscompile build tag miscompiles (to r0 = 1, a failing program).
func addProgram(t testing.TB) []byte { return asmELF(t, "mov64 r0, 0\nadd64 r0, 0\nexit\n") }

// TestProcessBlockVerified: with every transaction sampled each one is
// executed a second time on the interpreter and the block committed once;
// the results are the interpreter's. Built with -tags jitmiscompile (and
// on amd64), the JIT's result differs, the program is quarantined, the
// divergence is reported with both results, and the interpreter's block
// is the one committed.
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

// TestVerifiedBlockMatchesInterpreter: a block of transfers, calls of a
// loop program and one call of the program the jitmiscompile tag
// miscompiles, on two lanes with every transaction checked, commits the
// same header as the same block on the interpreter. With the tag, the one
// call diverges, is reported at its index, and quarantines its program
// and not the loop program.
func TestVerifiedBlockMatchesInterpreter(t *testing.T) {
	loopELF := asmELF(t, "mov64 r2, 300\nloop:\nsub64 r2, 1\njne r2, 0, loop\nmov64 r0, 0\nexit\n")
	addID, loopID := pk(key(40)), pk(key(41))
	setup := func(engine vm.Engine) *chain {
		c := newChain(t)
		auth := pk(c.payer)
		for _, d := range []struct {
			id  pubkey.Pubkey
			elf []byte
		}{{addID, addProgram(t)}, {loopID, loopELF}} {
			c.now++
			if _, err := c.bank.Deploy(d.id, d.elf, &auth, c.now); err != nil {
				t.Fatal(err)
			}
		}
		c.bank.Executor().Engine = engine
		c.bank.SetScheduler(sched.Config{Lanes: 2})
		return c
	}
	block := func(c *chain) []*txn.Transaction {
		var txs []*txn.Transaction
		for i := range 7 {
			var ix txn.Instruction
			switch {
			case i == 4:
				ix = txn.Instruction{ProgramID: addID, Data: []byte{byte(i)}}
			case i%2 == 0:
				ix = system.Transfer(pk(c.payer), pk(key(byte(50+i))), uint64(1_000_000+i))
			default:
				ix = txn.Instruction{ProgramID: loopID, Data: []byte{byte(i)}}
			}
			txs = append(txs, c.tx([]txn.Instruction{ix}, c.payer))
		}
		c.now++
		return txs
	}
	ref := setup(vm.Interpreter{})
	want, err := ref.bank.ProcessBlock(block(ref), ref.now)
	if err != nil {
		t.Fatal(err)
	}
	q := &jit.Quarantine{}
	c := setup(q)
	got, divs, err := c.bank.ProcessBlockVerified(t.Context(), block(c), c.now, VerifyConfig{Engine: q, Threshold: SampleThreshold(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != want.Header {
		t.Fatalf("header %+v, the interpreter's %+v", got.Header, want.Header)
	}
	for i := range got.Txs {
		if !sameTxResult(got.Txs[i].Result, want.Txs[i].Result) {
			t.Fatalf("transaction %d: %+v, the interpreter's %+v", i, got.Txs[i].Result, want.Txs[i].Result)
		}
	}
	if !jit.MiscompileInjected || runtime.GOARCH != "amd64" {
		if len(divs) != 0 || q.Quarantined(addID) {
			t.Fatalf("divergences %+v", divs)
		}
		return
	}
	if len(divs) != 1 || divs[0].Index != 4 || !q.Quarantined(addID) || q.Quarantined(loopID) {
		t.Fatalf("divergences %+v (add quarantined %v, loop %v)", divs, q.Quarantined(addID), q.Quarantined(loopID))
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
// tier sampling 1% of transactions (the default) and every transaction
// (each one executed a second time on the interpreter, beside the
// block). Signing is not timed.
func BenchmarkProcessBlockVerified(b *testing.B) {
	elfBytes := asmELF(b, "mov64 r2, 10000\nloop:\nsub64 r2, 1\njne r2, 0, loop\nmov64 r0, 0\nexit\n")
	for _, mode := range []string{"interp", "jit", "verified-1%", "verified-all"} {
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
			if mode == "verified-1%" {
				cfg.Threshold = SampleThreshold(0.01)
			}
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
				var err error
				if strings.HasPrefix(mode, "verified") {
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
