package bank

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
)

type chain struct {
	t     testing.TB
	st    *store.Store
	bank  *Bank
	payer ed25519.PrivateKey
	now   int64
}

func key(seed byte) ed25519.PrivateKey { return NewKeypair(bytes.Repeat([]byte{seed}, 32)) }

var pk = txn.PubkeyOf

func newChain(t testing.TB) *chain { return newChainOn(t, store.NewMem()) }

// newChainOn starts a chain with a funded payer on st.
func newChainOn(t testing.TB, st *store.Store) *chain {
	c := &chain{t: t, st: st, payer: key(1), now: 1_700_000_000}
	if _, err := Genesis(c.st, nil, c.now, []GenesisAccount{{Key: pk(c.payer), Account: account.Account{Lamports: 500_000_000_000}}}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(c.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.bank = b
	return c
}

func (c *chain) tx(ixs []txn.Instruction, signers ...ed25519.PrivateKey) *txn.Transaction {
	m, err := txn.Compile(pk(signers[0]), ixs, c.bank.LatestBlockhash())
	if err != nil {
		c.t.Fatal(err)
	}
	tx, err := txn.Sign(m, signers...)
	if err != nil {
		c.t.Fatal(err)
	}
	return tx
}

func (c *chain) total() uint64 {
	var sum uint64
	sn, _ := c.st.Snapshot()
	defer sn.Close()
	return sum
}

// send runs one transaction in a new block and returns its result.
func (c *chain) send(tx *txn.Transaction) TxResult {
	c.now++
	r, err := c.bank.ProcessBlock([]*txn.Transaction{tx}, c.now)
	if err != nil {
		c.t.Fatal(err)
	}
	return r.Txs[0]
}

func (c *chain) call(ixs []txn.Instruction, signers ...ed25519.PrivateKey) TxResult {
	return c.send(c.tx(ixs, signers...))
}

// fundSenders makes n keys from tag and funds each from the payer, 16
// transfers a transaction, one transaction a block.
func (c *chain) fundSenders(n int, tag byte) []ed25519.PrivateKey {
	senders := make([]ed25519.PrivateKey, n)
	var fund []txn.Instruction
	for i := range senders {
		senders[i] = NewKeypair(bytes.Repeat([]byte{byte(i), tag}, 16))
		fund = append(fund, system.Transfer(pk(c.payer), pk(senders[i]), 1_000_000_000))
	}
	for len(fund) > 0 {
		k := min(len(fund), 16)
		if r := c.call(fund[:k], c.payer); r.Err != nil {
			c.t.Fatal(r.Err)
		}
		fund = fund[k:]
	}
	return senders
}

func (c *chain) acct(k pubkey.Pubkey) account.Account {
	a, err := c.bank.Account(k)
	if err != nil {
		c.t.Fatal(err)
	}
	return a
}

func (c *chain) deploy(id pubkey.Pubkey, path string) {
	elfBytes, err := os.ReadFile(path)
	if err != nil {
		// Mainnet binaries are local checks only, never committed; the
		// committed examples must be there.
		if strings.HasPrefix(path, "/tmp/mainnet/") {
			c.t.Skipf("local check: %v", err)
		}
		c.t.Fatal(err)
	}
	c.now++
	auth := pk(c.payer)
	if _, err := c.bank.Deploy(id, elfBytes, &auth, c.now); err != nil {
		c.t.Fatal(err)
	}
}

func ok(t testing.TB, r TxResult) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%v\n%s", r.Err, strings.Join(r.Logs, "\n"))
	}
}

func meta(k pubkey.Pubkey, signer, writable bool) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: signer, IsWritable: writable}
}

func TestBlockhashAndDuplicates(t *testing.T) {
	c := newChain(t)
	tx := c.tx([]txn.Instruction{system.Transfer(pk(c.payer), pk(key(2)), 1_000_000)}, c.payer)
	ok(t, c.send(tx))
	if r := c.send(tx); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.AlreadyProcessed}) || r.Charged {
		t.Fatalf("replay: %v", r.Err)
	}
	stale := *tx
	stale.Message.RecentBlockhash = txn.Hash{9}
	if r := c.send(&stale); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.SignatureFailure}) {
		t.Fatalf("tampered blockhash: %v", r.Err)
	}
	m, _ := txn.Compile(pk(c.payer), []txn.Instruction{system.Transfer(pk(c.payer), pk(key(2)), 1)}, txn.Hash{9})
	old, _ := txn.Sign(m, c.payer)
	if r := c.send(old); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.BlockhashNotFound}) {
		t.Fatalf("unknown blockhash: %v", r.Err)
	}
	// Expiry: a blockhash older than 150 blocks is refused.
	first := c.bank.LatestBlockhash()
	for i := 0; i < MaxRecentBlockhashes; i++ {
		c.now++
		if _, err := c.bank.ProcessBlock(nil, c.now); err != nil {
			t.Fatal(err)
		}
	}
	m, _ = txn.Compile(pk(c.payer), []txn.Instruction{system.Transfer(pk(c.payer), pk(key(2)), 2)}, first)
	expired, _ := txn.Sign(m, c.payer)
	if r := c.send(expired); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.BlockhashNotFound}) {
		t.Fatalf("expired blockhash: %v", r.Err)
	}
	// The block holding tx has left the window, and its signature with it.
	if len(c.bank.seenSigs) != 0 {
		t.Fatalf("%d signatures remembered past the window", len(c.bank.seenSigs))
	}
	// The chain survives a reopen with the same recent blockhashes.
	ok(t, c.send(c.tx([]txn.Instruction{system.Transfer(pk(c.payer), pk(key(2)), 3)}, c.payer)))
	b2, err := Open(c.st, nil)
	if err != nil || b2.LatestBlockhash() != c.bank.LatestBlockhash() || len(b2.recent) != len(c.bank.recent) || !maps.Equal(b2.seenSigs, c.bank.seenSigs) || len(b2.seenSigs) != 1 {
		t.Fatalf("reopen: %v", err)
	}
	if err := c.st.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestMinitokenFlow is the SPL Token flow against the C program
// examples/c/minitoken.c: CPI to System with PDA signer seeds, sysvars,
// return data across CPI.
func TestMinitokenFlow(t *testing.T) {
	c := newChain(t)
	prog := pubkey.MustParse("MiniToken1111111111111111111111111111111111")
	c.deploy(prog, "../../testdata/c/minitoken.so")
	mint, owner := key(10), key(11)
	payer := c.payer
	rent := c.bank.Rent()
	ok(t, c.call([]txn.Instruction{
		system.CreateAccount(pk(payer), pk(mint), rent.MinimumBalance(48), 48, prog),
		{ProgramID: prog, Data: []byte{0, 6}, Accounts: []txn.AccountMeta{meta(pk(mint), false, true), meta(pk(payer), true, false), meta(pubkey.SysvarRent(), false, false)}},
	}, payer, mint))

	pda := func(o ed25519.PrivateKey) (pubkey.Pubkey, uint8) {
		a, bump, _ := pubkey.FindProgramAddress([][]byte{[]byte("token"), pk(o).Bytes(), pk(mint).Bytes()}, prog)
		return a, bump
	}
	other := key(12)
	accA, bumpA := pda(owner)
	accB, bumpB := pda(other)
	create := func(o ed25519.PrivateKey, acc pubkey.Pubkey, bump uint8) TxResult {
		return c.call([]txn.Instruction{{ProgramID: prog, Data: []byte{1, bump}, Accounts: []txn.AccountMeta{
			meta(pk(payer), true, true), meta(acc, false, true), meta(pk(o), false, false), meta(pk(mint), false, false), meta(pubkey.SystemProgram(), false, false)}}}, payer)
	}
	r := create(owner, accA, bumpA)
	ok(t, r)
	if !strings.Contains(strings.Join(r.Logs, "\n"), "Program 11111111111111111111111111111111 invoke [2]") {
		t.Fatalf("no CPI in logs:\n%s", strings.Join(r.Logs, "\n"))
	}
	ok(t, create(other, accB, bumpB))
	if a := c.acct(accA); a.Owner != prog || len(a.Data) != 80 || a.Lamports != rent.MinimumBalance(80) {
		t.Fatalf("token account %+v", a)
	}
	// A wrong bump is refused by the program.
	if r := create(owner, accA, bumpA-1); r.Err == nil {
		t.Fatal("wrong bump accepted")
	}
	amount := func(k pubkey.Pubkey) uint64 { return binary.LittleEndian.Uint64(c.acct(k).Data[64:]) }
	u64 := func(tag byte, v uint64) []byte { return binary.LittleEndian.AppendUint64([]byte{tag}, v) }
	ok(t, c.call([]txn.Instruction{{ProgramID: prog, Data: u64(2, 1000), Accounts: []txn.AccountMeta{meta(pk(mint), false, true), meta(accA, false, true), meta(pk(payer), true, false)}}}, payer))
	r = c.call([]txn.Instruction{{ProgramID: prog, Data: u64(3, 250), Accounts: []txn.AccountMeta{meta(accA, false, true), meta(accB, false, true), meta(pk(owner), true, false)}}}, payer, owner)
	ok(t, r)
	if amount(accA) != 750 || amount(accB) != 250 {
		t.Fatalf("balances %d %d", amount(accA), amount(accB))
	}
	if r.ReturnProgram != prog || binary.LittleEndian.Uint64(r.ReturnData) != 750 {
		t.Fatalf("return data %s %x", r.ReturnProgram, r.ReturnData)
	}
	// Overdraft: Custom(3), nothing changes but the fee.
	before := c.acct(pk(payer)).Lamports
	r = c.call([]txn.Instruction{{ProgramID: prog, Data: u64(3, 10_000), Accounts: []txn.AccountMeta{meta(accA, false, true), meta(accB, false, true), meta(pk(owner), true, false)}}}, payer, owner)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.Custom, Code: 3})) {
		t.Fatalf("overdraft: %v", r.Err)
	}
	if amount(accA) != 750 || c.acct(pk(payer)).Lamports != before-10_000 {
		t.Fatal("failed transaction changed state")
	}
	// Return data across CPI, and the stack height seen by the callee.
	r = c.call([]txn.Instruction{{ProgramID: prog, Data: []byte{5}, Accounts: []txn.AccountMeta{meta(accB, false, false), meta(prog, false, false)}}}, payer)
	ok(t, r)
	if binary.LittleEndian.Uint64(r.ReturnData) != 250 {
		t.Fatalf("balance via CPI %x", r.ReturnData)
	}
	logs := strings.Join(r.Logs, "\n")
	if !strings.Contains(logs, "Program MiniToken1111111111111111111111111111111111 invoke [2]") || !strings.Contains(logs, "Program return: MiniToken1111111111111111111111111111111111 +gAAAAAAAAA=") {
		t.Fatalf("logs:\n%s", logs)
	}
	if err := c.st.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestInvokeDepth: a program invoking itself reaches stack height 5 (the
// top level and four CPIs); one more is CallDepth.
func TestInvokeDepth(t *testing.T) {
	c := newChain(t)
	prog := pubkey.MustParse("MiniToken1111111111111111111111111111111111")
	c.deploy(prog, "../../testdata/c/minitoken.so")
	recurse := func(n byte) TxResult {
		return c.call([]txn.Instruction{{ProgramID: prog, Data: []byte{6, n}, Accounts: []txn.AccountMeta{meta(prog, false, false)}}}, c.payer)
	}
	r := recurse(4)
	ok(t, r)
	logs := strings.Join(r.Logs, "\n")
	if !strings.Contains(logs, "Program MiniToken1111111111111111111111111111111111 invoke [5]") || !strings.Contains(logs, "Program log: 0x0, 0x5, 0x0, 0x0, 0x0") {
		t.Fatalf("logs:\n%s", logs)
	}
	r = recurse(5)
	if !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.CallDepth})) {
		t.Fatalf("depth 6: %v", r.Err)
	}
}

// TestATALocal runs the mainnet Associated Token Account program, which
// invokes System and Token through sol_invoke_signed_rust with PDA seeds
// and reads return data across CPI.
func TestATALocal(t *testing.T) {
	c := newChain(t)
	c.deploy(pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"), "/tmp/mainnet/spl_token-3.5.0.so")
	ataID := pubkey.MustParse("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
	c.deploy(ataID, "/tmp/mainnet/spl_associated_token_account-1.1.1.so")
	token := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	mint, wallet := key(50), key(51)
	rent := c.bank.Rent()
	ok(t, c.call([]txn.Instruction{
		system.CreateAccount(pk(c.payer), pk(mint), rent.MinimumBalance(82), 82, token),
		{ProgramID: token, Data: append(append([]byte{0, 6}, pk(c.payer).Bytes()...), 0), Accounts: []txn.AccountMeta{meta(pk(mint), false, true), meta(pubkey.SysvarRent(), false, false)}},
	}, c.payer, mint))
	ata, _, _ := pubkey.FindProgramAddress([][]byte{pk(wallet).Bytes(), token.Bytes(), pk(mint).Bytes()}, ataID)
	r := c.call([]txn.Instruction{{ProgramID: ataID, Accounts: []txn.AccountMeta{
		meta(pk(c.payer), true, true), meta(ata, false, true), meta(pk(wallet), false, false), meta(pk(mint), false, false),
		meta(pubkey.SystemProgram(), false, false), meta(token, false, false)}}}, c.payer)
	ok(t, r)
	a := c.acct(ata)
	if a.Owner != token || len(a.Data) != 165 || string(a.Data[32:64]) != string(pk(wallet).Bytes()) {
		t.Fatalf("associated account %+v", a)
	}
	if !strings.Contains(strings.Join(r.Logs, "\n"), "Program return: TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA pQAAAAAAAAA=") {
		t.Fatalf("logs:\n%s", strings.Join(r.Logs, "\n"))
	}
}

// TestParallelEqualsSerial executes a block's non-conflicting
// transactions on several goroutines against the block's starting state,
// applies the results in block order, and gets the state the serial
// bank commits: the execution model a parallel scheduler relies on.
func TestParallelEqualsSerial(t *testing.T) {
	serial, par := newChain(t), newChain(t)
	var txs []*txn.Transaction
	for i := 0; i < 16; i++ {
		from := key(byte(100 + i))
		ok(t, serial.call([]txn.Instruction{system.Transfer(pk(serial.payer), pk(from), 10_000_000)}, serial.payer))
		ok(t, par.call([]txn.Instruction{system.Transfer(pk(par.payer), pk(from), 10_000_000)}, par.payer))
	}
	for i := 0; i < 16; i++ {
		from, to := key(byte(100+i)), key(byte(150+i))
		txs = append(txs, serial.tx([]txn.Instruction{system.Transfer(pk(from), pk(to), uint64(1_000_000+i))}, from))
	}
	serial.now++
	if _, err := serial.bank.ProcessBlock(txs, serial.now); err != nil {
		t.Fatal(err)
	}
	// The same block, executed concurrently.
	b := par.bank
	bs, env, err := b.newBlock(serial.now)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.snap.Close()
	results := make([]*svm.Result, len(txs))
	done := make(chan int)
	for i, tx := range txs {
		// Rebuild each transaction on this chain's blockhash.
		m := tx.Message
		m.RecentBlockhash = b.LatestBlockhash()
		signer := key(byte(100 + i))
		stx, _ := txn.Sign(&m, signer)
		go func(i int, stx *txn.Transaction) {
			results[i] = b.ex.Execute(stx, bs, env)
			done <- i
		}(i, stx)
	}
	for range txs {
		<-done
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		bs.apply(r.Writes)
	}
	for i := 0; i < 16; i++ {
		for _, k := range []pubkey.Pubkey{pk(key(byte(100 + i))), pk(key(byte(150 + i)))} {
			want := serial.acct(k)
			got, _ := bs.Account(k)
			if !got.Equal(&want) {
				t.Fatalf("account %s differs", k)
			}
		}
	}
}

// BenchmarkProcessBlock executes and commits runs of 8 blocks of 256
// independent transfers, with their history records, in memory: on one
// lane (the serial baseline), on two, and on two with each block's
// signatures checked ahead (Precheck) while the block before it runs.
// Signing is not timed.
func BenchmarkProcessBlock(b *testing.B) {
	for _, mode := range []struct {
		name     string
		lanes    int
		precheck bool
		// store is "memory", or Pebble written "in-place" or "behind".
		store string
	}{
		{"lanes=1", 1, false, "memory"},
		{"lanes=2", 2, false, "memory"},
		{"lanes=2,precheck", 2, true, "memory"},
		{"lanes=2,precheck,pebble-in-place", 2, true, "in-place"},
		{"lanes=2,precheck,pebble-behind", 2, true, "behind"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			st := store.NewMem()
			if mode.store != "memory" {
				var err error
				if st, err = store.OpenWith(b.TempDir(), store.Options{WriteBehind: mode.store == "behind"}); err != nil {
					b.Fatal(err)
				}
				defer st.Close()
			}
			c := newChainOn(b, st)
			c.bank.SetScheduler(sched.Config{Lanes: mode.lanes})
			senders := c.fundSenders(256, 0xb1)
			blk := 0
			for b.Loop() {
				// One op is 8 blocks, signed first; nothing of one op runs
				// while the timer is stopped.
				b.StopTimer()
				blocks := make([][]*txn.Transaction, 8)
				for j := range blocks {
					blk++
					for i, s := range senders {
						blocks[j] = append(blocks[j], c.tx([]txn.Instruction{system.Transfer(pk(s), pk(key(byte(i))), uint64(1_000+blk))}, s))
					}
				}
				b.StartTimer()
				for j, txs := range blocks {
					if mode.precheck && j+1 < len(blocks) {
						c.bank.Precheck(blocks[j+1])
					}
					c.now++
					res, err := c.bank.ProcessBlock(txs, c.now)
					if err != nil || res.Header.NumTxs != uint32(len(txs)) {
						b.Fatalf("%v, %d included", err, res.Header.NumTxs)
					}
				}
				// The op's last block written behind is part of it.
				if err := st.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(8*256*b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// A chain on Pebble written behind commits the same blocks as one
// written in place, reads its own last block's accounts while the block
// is being written, and reopens at its head.
func TestWriteBehindSameChain(t *testing.T) {
	dir := t.TempDir()
	behind, err := store.OpenWith(dir, store.Options{WriteBehind: true})
	if err != nil {
		t.Fatal(err)
	}
	chains := []*chain{newChainOn(t, store.NewMem()), newChainOn(t, behind)}
	senders := make([][]ed25519.PrivateKey, len(chains))
	for i, c := range chains {
		c.bank.SetScheduler(sched.Config{Lanes: 2})
		senders[i] = c.fundSenders(40, 0xd7)
	}
	var last store.Header
	for blk := range 6 {
		var heads [2]store.Header
		for i, c := range chains {
			var txs []*txn.Transaction
			for j, s := range senders[i] {
				// Each sender pays the next: every block chains reads of
				// the accounts the block before wrote.
				to := pk(senders[i][(j+1)%len(senders[i])])
				txs = append(txs, c.tx([]txn.Instruction{system.Transfer(pk(s), to, uint64(1_000*(blk+1)+j))}, s))
			}
			c.now++
			res, err := c.bank.ProcessBlock(txs, c.now)
			if err != nil || res.Header.NumTxs != uint32(len(txs)) {
				t.Fatalf("chain %d, block %d: %v, %d included", i, blk, err, res.Header.NumTxs)
			}
			heads[i] = res.Header
			for _, s := range senders[i] {
				got, err := c.st.Account(pk(s))
				if err != nil {
					t.Fatal(err)
				}
				if want := c.acct(pk(s)); !got.Equal(&want) {
					t.Fatalf("chain %d, block %d: the store reads %d lamports, the bank %d", i, blk, got.Lamports, want.Lamports)
				}
			}
		}
		if heads[0] != heads[1] {
			t.Fatalf("block %d: in memory %+v, written behind %+v", blk, heads[0], heads[1])
		}
		last = heads[1]
	}
	if err := behind.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if h, _ := st.Head(); h != last {
		t.Fatalf("reopened at %d, want %d", h.Height, last.Height)
	}
	if err := st.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestLargeBlockCaches commits blocks large enough that the commit fills
// the account cache (and the store its hash cache) beside the store's
// write, at two lanes, and holds every account the cache returns to the
// store's value, block after block.
func TestLargeBlockCaches(t *testing.T) {
	c := newChain(t)
	c.bank.SetScheduler(sched.Config{Lanes: 2})
	senders := c.fundSenders(200, 0xc3)
	for blk := range 3 {
		var txs []*txn.Transaction
		var keys []pubkey.Pubkey
		for i, s := range senders {
			to := pk(key(byte(i)))
			txs = append(txs, c.tx([]txn.Instruction{system.Transfer(pk(s), to, uint64(1_000_000+blk))}, s))
			keys = append(keys, pk(s), to)
		}
		c.now++
		res, err := c.bank.ProcessBlock(txs, c.now)
		if err != nil || res.Header.NumTxs != uint32(len(txs)) {
			t.Fatalf("block %d: %v, %d included", blk, err, res.Header.NumTxs)
		}
		for _, k := range keys {
			got, err := c.bank.Account(k)
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.bank.st.Account(k)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(&want) {
				t.Fatalf("block %d: %s: the cache has %d lamports, the store %d", blk, k, got.Lamports, want.Lamports)
			}
		}
	}
	if err := c.bank.st.Verify(); err != nil {
		t.Fatal(err)
	}
}
