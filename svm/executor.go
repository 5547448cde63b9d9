package svm

import (
	"fmt"
	"sync"
	"time"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sigverify"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/syscalls/solcrypto"
	"github.com/agora-vm/agora/vm"
)

// DefaultFeePerSignature is Solana's fee: 5,000 lamports per signature.
const DefaultFeePerSignature = 5000

// AccountReader gives the state of accounts as of the start of a
// transaction. A missing account reads as the zero Account. It must not be
// changed while transactions read it.
type AccountReader interface {
	Account(key pubkey.Pubkey) (account.Account, error)
}

// ProgramSource prepares the BPF program held by a program account for the
// VM. Implementations cache; they are called concurrently.
type ProgramSource interface {
	// Executable returns the program at key, whose account (as the
	// transaction loaded it) is acct, prepared with a heap of heapBytes.
	Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int) (vm.Runnable, error)
}

// Env is what a block gives its transactions: the slot, the sysvars and
// the programs.
type Env struct {
	Slot     uint64
	Sysvars  sysvar.Set
	Programs ProgramSource
	// Features are the Agave feature gates in force (the zero Set has
	// none active; banks and tools pass feature.Mainnet() by default).
	Features feature.Set
	// Blockhash is the chain's last blockhash: nonce instructions store
	// its durable nonce, and durable transactions advance to it.
	Blockhash txn.Hash
	// NoRecentBlockhashes says the RecentBlockhashes sysvar is empty (a
	// chain's never is), which the nonce instructions refuse.
	NoRecentBlockhashes bool
	// IsRecent reports whether a blockhash is in the chain's blockhash
	// queue. A transaction whose blockhash is not must be a durable one
	// (its nonce is checked and advanced) or fails BlockhashNotFound. Nil
	// means the caller checked the blockhash itself.
	IsRecent func(txn.Hash) bool
	// RecordInner makes Execute record each transaction's inner
	// instructions (Result.Inner), for RPC history and simulation. Off,
	// the instruction path pays one branch per instruction.
	RecordInner bool
	// Reference runs every program on the interpreter whatever the
	// executor's engine (vm.RunOptions.Reference): the verified tier
	// executes a transaction again this way to check its machine code.
	Reference bool
}

// Executor executes transactions. It is safe for concurrent use: each
// Execute works on its own copies of the accounts.
type Executor struct {
	// FeePerSignature is the lamports charged per signature.
	FeePerSignature uint64
	// MeasureVM makes Execute report the time spent inside the VM
	// (Result.VMTime), for benchmarks. It reads a monotonic clock and
	// changes no result.
	MeasureVM bool
	// Engine prepares the programs the executor runs; nil means the
	// interpreter. Set it before the first Execute.
	Engine vm.Engine

	costs    syscalls.Costs
	registry *vm.Registry // syscalls of programs being run
	deploy   *vm.Registry // syscalls a program may be deployed with
	natives  map[pubkey.Pubkey]Native
	order    []pubkey.Pubkey // natives in registration order
	// beforeInvoke are the plug-ins' checks before an invocation.
	beforeInvoke []func(*vm.Machine) error
	// endBlock are the plug-ins' hooks at the end of a block.
	endBlock []func(uint64, []account.Keyed, AccountReader) ([]account.Keyed, error)
	machines sync.Pool
	inputs   sync.Pool // *[]byte: serialized-input buffers, reused
	keys     *sigverify.Keys
}

// signerKeys is how many decoded signer keys an executor keeps by
// default (about 6 MiB in all): a block's fee payers and more.
const signerKeys = 4096

// SetSignerKeys makes the executor keep up to n decoded signer keys
// (about sigverify.KeyBytes each) instead of the default 4,096, for a
// caller whose signers repeat over a larger set, such as a simulation
// with many agents. Signature results do not change, only the time.
// Call it before the executor checks transactions: it is not safe to
// call concurrently with them. n < 1 means 1.
func (ex *Executor) SetSignerKeys(n int) {
	ex.keys = sigverify.NewKeys(max(n, 1))
}

// NewExecutor returns an executor with Agave's costs, the standard,
// crypto and runtime syscalls, Solana's native programs (System, Compute
// Budget, the BPF loaders, Address Lookup Table and the signature
// precompiles), and whatever the plug-ins add, in order.
// With no plug-ins it is a plain Solana runtime.
func NewExecutor(plugins ...Plugin) (*Executor, error) {
	ex := &Executor{FeePerSignature: DefaultFeePerSignature, costs: syscalls.DefaultCosts(), natives: map[pubkey.Pubkey]Native{},
		keys: sigverify.NewKeys(signerKeys)}
	add := func(n Native) error {
		if _, dup := ex.natives[n.ID]; dup {
			return fmt.Errorf("svm: native program %s (%s) registered twice", n.ID, n.Name)
		}
		ex.natives[n.ID] = n
		ex.order = append(ex.order, n.ID)
		return nil
	}
	for _, n := range append(solanaNatives(), precompileNatives()...) {
		if err := add(n); err != nil {
			return nil, err
		}
	}
	for _, p := range plugins {
		for _, n := range p.Natives {
			if err := add(n); err != nil {
				return nil, fmt.Errorf("svm: plug-in %s: %w", p.Name, err)
			}
		}
		if p.BeforeInvoke != nil {
			ex.beforeInvoke = append(ex.beforeInvoke, p.BeforeInvoke)
		}
		if p.EndBlock != nil {
			ex.endBlock = append(ex.endBlock, p.EndBlock)
		}
	}
	build := func(withAlloc bool) (*vm.Registry, error) {
		r := vm.NewRegistry()
		if err := syscalls.RegisterWithCosts(r, ex.costs); err != nil {
			return nil, err
		}
		if err := solcrypto.Register(r); err != nil {
			return nil, err
		}
		for _, p := range plugins {
			if p.Register == nil {
				continue
			}
			if err := p.Register(r); err != nil {
				return nil, fmt.Errorf("plug-in %s: %w", p.Name, err)
			}
		}
		if err := ex.registerSyscalls(r); err != nil {
			return nil, err
		}
		if withAlloc {
			return r, nil
		}
		// Agave deploys programs against the registry without
		// sol_alloc_free_, so programs calling it cannot be deployed.
		out := vm.NewRegistry()
		for _, s := range r.Syscalls() {
			if s.Name != syscalls.NameAllocFree {
				if err := out.Register(s.Name, s.Fn); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	var err error
	if ex.registry, err = build(true); err != nil {
		return nil, fmt.Errorf("svm: %w", err)
	}
	if ex.deploy, err = build(false); err != nil {
		return nil, fmt.Errorf("svm: %w", err)
	}
	return ex, nil
}

// EndBlock runs the plug-ins' end-of-block hooks in order (see
// Plugin.EndBlock), each over the state with the previous hooks' writes,
// and returns all their writes. Banks call it after a block's
// transactions and commit its writes with the block.
func (ex *Executor) EndBlock(slot uint64, written []account.Keyed, r AccountReader) ([]account.Keyed, error) {
	var out []account.Keyed
	for _, h := range ex.endBlock {
		ws, err := h(slot, written, overlay{r, out})
		if err != nil {
			return nil, fmt.Errorf("svm: end of block %d: %w", slot, err)
		}
		out = append(out, ws...)
	}
	return out, nil
}

// overlay reads writes over a state, the last write of a key winning.
type overlay struct {
	r  AccountReader
	ws []account.Keyed
}

func (o overlay) Account(k pubkey.Pubkey) (account.Account, error) {
	for i := len(o.ws) - 1; i >= 0; i-- {
		if o.ws[i].Key == k {
			return o.ws[i].Account.Clone(), nil
		}
	}
	return o.r.Account(k)
}

// Registry returns the syscalls programs run with.
func (ex *Executor) Registry() *vm.Registry { return ex.registry }

func (ex *Executor) getMachine() *vm.Machine {
	if m, ok := ex.machines.Get().(*vm.Machine); ok {
		return m
	}
	return vm.NewMachine()
}

func (ex *Executor) putMachine(m *vm.Machine) { ex.machines.Put(m) }

// maxPooledInput bounds the input buffers kept for reuse: most inputs are
// tens of KiB (10 KiB of realloc space per account); a rare huge one is
// left to the garbage collector rather than held.
const maxPooledInput = 1 << 20

// getInput returns a buffer for abi.SerializeTo; putInput takes it back
// with the input serialized into it, once nothing reads that input.
func (ex *Executor) getInput() *[]byte {
	if b, ok := ex.inputs.Get().(*[]byte); ok {
		return b
	}
	return new([]byte)
}

func (ex *Executor) putInput(b *[]byte, input []byte) {
	if input == nil { // serialization failed: the buffer is as it was
		input = *b
	}
	if cap(input) <= maxPooledInput {
		*b = input[:0]
		ex.inputs.Put(b)
	}
}

// IsBuiltin reports whether key is one of the executor's native programs.
func (ex *Executor) IsBuiltin(key pubkey.Pubkey) bool {
	_, ok := ex.natives[key]
	return ok
}

// NativePrograms lists the native programs' addresses: Solana's, then
// the plug-ins', in registration order.
func (ex *Executor) NativePrograms() []pubkey.Pubkey {
	return append([]pubkey.Pubkey(nil), ex.order...)
}

// countsAsBuiltin reports whether an instruction of program key gets a
// builtin's default compute allowance (3,000 CU) rather than a program's
// (200,000); natives that price their work like programs get the latter.
func (ex *Executor) countsAsBuiltin(key pubkey.Pubkey) bool {
	n, ok := ex.natives[key]
	return ok && !n.ProgramBudget
}

// builtinIn is countsAsBuiltin over the state in r: a native program
// whose account there is a BPF program (a builtin migrated to Core BPF,
// as Agave migrates them by feature) is a program, not a builtin.
func (ex *Executor) builtinIn(r AccountReader) computebudget.IsBuiltin {
	return func(key pubkey.Pubkey) bool {
		if !ex.countsAsBuiltin(key) {
			return false
		}
		if key != pubkey.AddressLookupTableProgram() {
			return true
		}
		a, err := r.Account(key)
		return err != nil || !a.Exists() || a.Owner == pubkey.NativeLoader()
	}
}

// checkInvoke runs the plug-ins' checks before an invocation.
func (ex *Executor) checkInvoke(m *vm.Machine) error {
	for _, check := range ex.beforeInvoke {
		if err := check(m); err != nil {
			return err
		}
	}
	return nil
}

// Result is the outcome of one transaction.
type Result struct {
	// Err is nil when every instruction succeeded.
	Err *TransactionError
	// Charged reports whether the transaction is committed: its fee paid
	// (and, if Err is nil, its writes applied). Transactions rejected
	// before their fee could be charged are not committed at all.
	Charged bool
	Fee     uint64
	// CU is the compute units consumed.
	CU uint64
	// ComputeUnitLimit is the transaction's budget.
	ComputeUnitLimit uint64
	// ComputeUnitPrice is the price its SetComputeUnitPrice set, in
	// micro-lamports per compute unit (0 without one): what
	// getRecentPrioritizationFees reports.
	ComputeUnitPrice uint64
	Logs             []string
	// ReturnProgram and ReturnData are the transaction's return data.
	ReturnProgram pubkey.Pubkey
	ReturnData    []byte
	// VMTime is the time spent running BPF programs (with MeasureVM).
	VMTime time.Duration
	// Writes are the accounts to commit: every writable account when the
	// transaction succeeded, only the fee payer (less the fee) when it
	// failed after being charged, nothing when it was not charged.
	Writes []account.Keyed
	// Loaded are the addresses a v0 transaction's lookups loaded (none
	// for a legacy one): with the static keys, the accounts it named.
	Loaded txn.LoadedAddresses
	// Inner are the inner instructions (with Env.RecordInner): one list
	// per top-level instruction that started, in order, each holding
	// the instructions it invoked, in invocation order. A failed
	// transaction holds those made before the failure. Nil when the
	// transaction never reached its instructions or nothing recorded.
	Inner [][]InnerInstruction
}

// InnerInstruction is an instruction a top-level instruction invoked
// (a CPI, or a native program's invocation): Agave's InnerInstruction.
// Indexes are into the transaction's full key list (static keys, then
// the loaded ones).
type InnerInstruction struct {
	ProgramIDIndex uint8
	Accounts       []uint8
	Data           []byte
	// StackHeight is the invocation's depth: 2 for an instruction a
	// top-level one invoked directly.
	StackHeight uint8
}

// Check is the stateless part of admitting a transaction: Solana's
// sanitization, the duplicate-key rule, the account-lock limit and the
// signatures.
func Check(tx *txn.Transaction) *TransactionError { return check(tx, nil) }

// Check is the package's Check with the executor's cache of decoded
// signer keys: the same result, less time for a key seen before. A nil
// executor checks without the cache.
func (ex *Executor) Check(tx *txn.Transaction) *TransactionError {
	if ex == nil {
		return check(tx, nil)
	}
	return check(tx, ex.keys)
}

func check(tx *txn.Transaction, keys *sigverify.Keys) *TransactionError {
	if err := CheckUnsigned(tx); err != nil {
		return err
	}
	if err := tx.VerifyWith(keys); err != nil {
		return txErr(SignatureFailure, err.Error())
	}
	return nil
}

// CheckUnsigned is Check without verifying the signatures, for runs that
// choose to trust them (a simulation with signature checks off, as
// LiteSVM allows); no chain admits transactions so.
func CheckUnsigned(tx *txn.Transaction) *TransactionError {
	// Agave never sees a transaction over a packet: the network layer
	// cannot carry it and deserialization refuses it. A transaction
	// handed in as a value is held to the same limit here.
	if n := tx.EncodedSize(); n > txn.PacketDataSize {
		return txErr(SanitizeFailure, fmt.Sprintf("transaction of %d bytes exceeds the packet limit of %d", n, txn.PacketDataSize))
	}
	if err := tx.Sanitize(); err != nil {
		if se, ok := err.(*txn.SanitizeError); ok && se.Duplicate {
			return txErr(AccountLoadedTwice, se.Reason)
		}
		return txErr(SanitizeFailure, err.Error())
	}
	if len(tx.Message.AccountKeys) > txn.MaxAccountLocks {
		return txErr(TooManyAccountLocks, fmt.Sprintf("%d accounts", len(tx.Message.AccountKeys)))
	}
	return nil
}

// loaderOwners are the owners of BPF program accounts.
func isLoader(k pubkey.Pubkey) bool {
	return k == pubkey.BPFLoaderUpgradeable() || k == pubkey.BPFLoader() || k == pubkey.BPFLoaderDeprecated() || k == pubkey.LoaderV4()
}

// Resolve loads a transaction's lookups from r (ResolveAddresses) and,
// for a v0 transaction, applies the account-lock rules to every key,
// static and loaded: none twice (AccountLoadedTwice), at most
// MaxAccountLocks (Check applied them to a legacy one, which cannot
// fail here).
func Resolve(tx *txn.Transaction, r AccountReader, env *Env) (*txn.Resolved, *TransactionError) {
	m := &tx.Message
	if m.Version == txn.Legacy {
		return m.Resolve(txn.LoadedAddresses{}), nil
	}
	loaded, err := ResolveAddresses(m, r, env)
	if err != nil {
		return nil, err
	}
	rs := m.Resolve(loaded)
	if err := txn.CheckDuplicates(rs.Keys); err != nil {
		return nil, txErr(AccountLoadedTwice, err.(*txn.SanitizeError).Reason)
	}
	if len(rs.Keys) > txn.MaxAccountLocks {
		return nil, txErr(TooManyAccountLocks, fmt.Sprintf("%d accounts", len(rs.Keys)))
	}
	return rs, nil
}

// Execute runs a transaction that passed Check (and the caller's blockhash
// and duplicate checks) against the accounts in r, resolving a v0
// transaction's lookups in r first. It never modifies r.
func (ex *Executor) Execute(tx *txn.Transaction, r AccountReader, env *Env) *Result {
	rs, err := Resolve(tx, r, env)
	if err != nil {
		return &Result{Err: err}
	}
	return ex.ExecuteResolved(tx, rs, r, env)
}

// ExecuteResolved is Execute for a transaction whose lookups are already
// resolved (Resolve): a scheduler resolves them once, before it takes the
// accounts' locks.
func (ex *Executor) ExecuteResolved(tx *txn.Transaction, rs *txn.Resolved, r AccountReader, env *Env) *Result {
	res := &Result{Loaded: rs.Loaded}
	m := &tx.Message
	keys := rs.Keys
	// The transaction's age: a blockhash the chain no longer knows needs
	// a durable nonce, advanced whatever the transaction's outcome.
	var nonce *account.Keyed
	if env.IsRecent != nil && !env.IsRecent(m.RecentBlockhash) {
		n, ok := ex.checkDurableNonce(m, r, env)
		if !ok {
			res.Err = txErr(BlockhashNotFound, "")
			return res
		}
		nonce = &n
	}
	limits, err := computebudget.Process(m, ex.builtinIn(r))
	if err != nil {
		e := err.(*computebudget.Error)
		switch e.Kind {
		case computebudget.DuplicateInstruction:
			res.Err = &TransactionError{Kind: DuplicateInstruction, Index: uint8(e.Index)}
		case computebudget.InvalidInstructionData:
			res.Err = NewInstructionFailure(uint8(e.Index), ierr(InvalidInstructionData))
		default:
			res.Err = txErr(InvalidLoadedAccountsDataSizeLimit, "")
		}
		return res
	}
	res.ComputeUnitLimit = limits.ComputeUnitLimit
	res.ComputeUnitPrice = limits.ComputeUnitPrice
	fee := ex.Fee(m, limits.PrioritizationFee())

	// The fee payer.
	payerKey := keys[0]
	payer, rerr := r.Account(payerKey)
	if rerr != nil {
		res.Err = txErr(AccountNotFound, rerr.Error())
		return res
	}
	if !payer.Exists() {
		res.Err = txErr(AccountNotFound, "fee payer "+payerKey.String())
		return res
	}
	// Agave's validate_fee_payer: a plain System account, or a nonce
	// account that keeps its rent-exempt minimum.
	var minBalance uint64
	switch {
	case payer.Owner == pubkey.SystemProgram() && len(payer.Data) == 0:
	case isNonceAccount(&payer):
		minBalance = env.Sysvars.Rent.MinimumBalance(uint64(len(payer.Data)))
	default:
		res.Err = txErr(InvalidAccountForFee, "fee payer "+payerKey.String()+" is not a system account")
		return res
	}
	if payer.Lamports < minBalance || payer.Lamports-minBalance < fee {
		res.Err = txErr(InsufficientFundsForFee, fmt.Sprintf("balance %d, fee %d", payer.Lamports, fee))
		return res
	}
	paid := payer.Clone()
	paid.Lamports -= fee
	if !rentTransitionAllowed(&env.Sysvars.Rent, &payer, &paid) {
		res.Err = &TransactionError{Kind: InsufficientFundsForRent, Index: 0}
		return res
	}
	res.Charged, res.Fee = true, fee
	// rollback is what a failed transaction commits: the fee payer less
	// the fee and, for a durable transaction, the advanced nonce.
	rollback := func() []account.Keyed {
		if nonce == nil {
			return []account.Keyed{{Key: payerKey, Account: paid}}
		}
		if nonce.Key == payerKey {
			p := paid.Clone()
			p.Data = nonce.Account.Data
			return []account.Keyed{{Key: payerKey, Account: p}}
		}
		return []account.Keyed{{Key: payerKey, Account: paid}, *nonce}
	}
	feeOnly := func(e *TransactionError) *Result {
		res.Err = e
		res.Writes = rollback()
		return res
	}

	// Load every account the transaction names.
	tc := &txContext{
		ex:        ex,
		env:       env,
		keys:      keys,
		accounts:  make([]account.Account, len(keys)),
		signer:    make([]bool, len(keys)),
		writable:  make([]bool, len(keys)),
		remaining: limits.ComputeUnitLimit,
		heapBytes: int(limits.HeapBytes),
		ixDatas:   make([][]byte, len(m.Instructions)),
	}
	for i, ci := range m.Instructions {
		tc.ixDatas[i] = ci.Data
	}
	defer tc.release()
	if env.RecordInner {
		tc.inner = make([][]InnerInstruction, 0, len(m.Instructions))
	}
	tc.accounts[0] = paid
	ixSysvar := -1 // the Instructions sysvar's index, if listed
	for i, k := range keys {
		tc.signer[i] = rs.IsSigner(i)
		tc.writable[i] = rs.IsWritable(i)
		if i == 0 {
			continue
		}
		if k == pubkey.SysvarInstructions() {
			// Not a stored account: built from the message.
			ixSysvar = i
			tc.accounts[i] = instructionsAccount(rs)
			continue
		}
		a, err := r.Account(k)
		if err != nil {
			return feeOnly(txErr(AccountNotFound, err.Error()))
		}
		if !a.Exists() {
			// Agave loads a missing account with the rent-exempt rent
			// epoch, which an account created here keeps.
			a = account.Account{RentEpoch: account.RentExemptEpoch}
		}
		tc.accounts[i] = a // the reader hands out copies
	}
	for _, ci := range m.Instructions {
		p := &tc.accounts[ci.ProgramIDIndex]
		key := keys[ci.ProgramIDIndex]
		if !p.Exists() {
			return feeOnly(txErr(ProgramAccountNotFound, key.String()))
		}
		if p.Owner != pubkey.NativeLoader() && !isLoader(p.Owner) {
			return feeOnly(txErr(InvalidProgramForExecution, key.String()+" is owned by "+p.Owner.String()))
		}
	}
	pre := make([]account.Account, len(tc.accounts))
	for i := range tc.accounts {
		if tc.writable[i] {
			pre[i] = tc.accounts[i].Clone()
		}
	}
	tc.lamportsHi, tc.lamportsLo = tc.total()

	// Run the instructions.
	for i, ci := range m.Instructions {
		if ixSysvar >= 0 {
			// Programs read which instruction is running from here.
			_ = sysvar.StoreCurrentIndex(tc.accounts[ixSysvar].Data, uint16(i))
		}
		if v := precompileFor(keys[ci.ProgramIDIndex]); v != nil {
			if ierr := tc.processPrecompile(v, ci.Data); ierr != nil {
				res.Err = NewInstructionFailure(uint8(i), ierr)
				break
			}
			continue
		}
		f := &frame{programIndex: int(ci.ProgramIDIndex), programID: keys[ci.ProgramIDIndex], data: ci.Data}
		f.accounts = make([]instructionAccount, len(ci.Accounts))
		for j, a := range ci.Accounts {
			f.accounts[j] = instructionAccount{tx: int(a), signer: tc.signer[a], writable: tc.writable[a]}
		}
		if ierr := tc.process(f); ierr != nil {
			res.Err = NewInstructionFailure(uint8(i), ierr)
			break
		}
	}
	res.CU = limits.ComputeUnitLimit - tc.remaining
	res.VMTime = tc.vmTime
	res.Logs = tc.logs.Messages() // tc is the transaction's alone
	res.ReturnProgram, res.ReturnData = tc.returnProgram, tc.returnData
	res.Inner = tc.inner
	if res.Err == nil && !tc.balanced() {
		res.Err = txErr(UnbalancedTransaction, "")
	}
	if res.Err == nil {
		for i := range tc.accounts {
			if tc.writable[i] && keys[i] != pubkey.Incinerator() && !rentTransitionAllowed(&env.Sysvars.Rent, &pre[i], &tc.accounts[i]) {
				res.Err = &TransactionError{Kind: InsufficientFundsForRent, Index: uint8(i)}
				break
			}
		}
	}
	if res.Err != nil {
		res.Writes = rollback()
		return res
	}
	n := 0
	for i := range tc.accounts {
		if tc.writable[i] {
			n++
		}
	}
	res.Writes = make([]account.Keyed, 0, n)
	for i := range tc.accounts {
		if tc.writable[i] {
			res.Writes = append(res.Writes, account.Keyed{Key: keys[i], Account: tc.accounts[i]})
		}
	}
	return res
}

// instructionsAccount is the Instructions sysvar's account for a
// transaction (Agave's construct_instructions_account): its top-level
// instructions with each account's signer and writable flags as the
// transaction has them, owned by the sysvar program, without lamports.
func instructionsAccount(rs *txn.Resolved) account.Account {
	ixs := make([]txn.Instruction, len(rs.Message.Instructions))
	for i, ci := range rs.Message.Instructions {
		ix := txn.Instruction{ProgramID: rs.Keys[ci.ProgramIDIndex], Data: ci.Data, Accounts: make([]txn.AccountMeta, len(ci.Accounts))}
		for j, a := range ci.Accounts {
			ix.Accounts[j] = txn.AccountMeta{Pubkey: rs.Keys[a], IsSigner: rs.IsSigner(int(a)), IsWritable: rs.IsWritable(int(a))}
		}
		ixs[i] = ix
	}
	return account.Account{Owner: pubkey.SysvarOwner(), Data: sysvar.EncodeInstructions(ixs)}
}

// rentTransitionAllowed is Agave's check_rent_state_with_account: an
// account may end uninitialized (no lamports) or rent exempt; it may stay
// rent paying only if it already was, with the same data size and no more
// lamports. The incinerator is exempt from the rule.
func rentTransitionAllowed(rent *sysvar.Rent, pre, post *account.Account) bool {
	if post.Lamports == 0 || rent.IsExempt(post.Lamports, uint64(len(post.Data))) {
		return true
	}
	if pre.Lamports == 0 || rent.IsExempt(pre.Lamports, uint64(len(pre.Data))) {
		return false
	}
	return len(pre.Data) == len(post.Data) && post.Lamports <= pre.Lamports
}
