package svm

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// SetState is BorrowedAccount::set_state: it writes enc (a bincode
// value) over the start of account i's data, which must be changeable
// and at least as long; the rest of the data is kept.
func (iv *Invocation) SetState(i int, enc []byte) *InstructionError {
	tx := iv.f.accounts[i].tx
	if err := iv.tc.canChange(iv.f, tx); err != nil {
		return err
	}
	a := &iv.tc.accounts[tx]
	if len(enc) > len(a.Data) {
		return ierr(AccountDataTooSmall)
	}
	data := append([]byte(nil), a.Data...)
	copy(data, enc)
	a.Data = data
	return nil
}

// nonceLamportsPerSignature is what nonce accounts record: the fee per
// signature of the blockhash their nonce was taken from.
func (iv *Invocation) nonceLamportsPerSignature() uint64 { return iv.tc.ex.FeePerSignature }

// durableNonce is the durable nonce of the block being executed.
func (iv *Invocation) durableNonce() txn.Hash { return system.DurableNonce(iv.tc.env.Blockhash) }

// checkSysvarAccount is Agave's check_sysvar_account: instruction
// account i must be the sysvar id.
func checkSysvarAccount(iv *Invocation, i int, id pubkey.Pubkey) *InstructionError {
	if err := iv.CheckAccounts(i + 1); err != nil {
		return err
	}
	if iv.Key(i) != id {
		return ierr(InvalidArgument)
	}
	return nil
}

// recentBlockhashes checks the RecentBlockhashes sysvar at instruction
// account i and that the sysvar is not empty (what the Initialize and
// Advance instructions require).
func recentBlockhashes(iv *Invocation, i int, what string) *InstructionError {
	if err := checkSysvarAccount(iv, i, pubkey.SysvarRecentBlockhashes()); err != nil {
		return err
	}
	if iv.tc.env.NoRecentBlockhashes {
		iv.Log("%s nonce account: recent blockhash list is empty", what)
		return customErr(system.ErrNonceNoRecentBlockhashes)
	}
	return nil
}

// processNonce runs the System program's nonce instructions (Agave's
// system_instruction module).
func processNonce(iv *Invocation, ix system.Instruction, signers map[pubkey.Pubkey]bool) *InstructionError {
	switch ix.Tag {
	case system.TagAdvanceNonceAccount:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		if err := recentBlockhashes(iv, 1, "Advance"); err != nil {
			return err
		}
		return advanceNonce(iv, signers)
	case system.TagWithdrawNonceAccount:
		if err := iv.CheckAccounts(2); err != nil {
			return err
		}
		if err := checkSysvarAccount(iv, 2, pubkey.SysvarRecentBlockhashes()); err != nil {
			return err
		}
		if err := checkSysvarAccount(iv, 3, pubkey.SysvarRent()); err != nil {
			return err
		}
		return withdrawNonce(iv, ix.Lamports, signers)
	case system.TagInitializeNonceAccount:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		if err := recentBlockhashes(iv, 1, "Initialize"); err != nil {
			return err
		}
		if err := checkSysvarAccount(iv, 2, pubkey.SysvarRent()); err != nil {
			return err
		}
		return initializeNonce(iv, ix.Owner)
	case system.TagAuthorizeNonceAccount:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		return authorizeNonce(iv, ix.Owner, signers)
	case system.TagUpgradeNonceAccount:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		if iv.Account(0).Owner != pubkey.SystemProgram() {
			return ierr(InvalidAccountOwner)
		}
		if !iv.IsWritable(0) {
			return ierr(InvalidArgument)
		}
		st, err := system.DecodeNonce(iv.Account(0).Data)
		if err != nil {
			return ierr(InvalidAccountData)
		}
		if st.Version != system.NonceVersionLegacy || !st.Initialized {
			return ierr(InvalidArgument)
		}
		st.Version, st.Nonce = system.NonceVersionCurrent, system.DurableNonce(st.Nonce)
		return iv.SetState(0, st.Encode())
	}
	return ierr(InvalidInstructionData)
}

func advanceNonce(iv *Invocation, signers map[pubkey.Pubkey]bool) *InstructionError {
	if !iv.IsWritable(0) {
		iv.Log("Advance nonce account: Account %s must be writeable", iv.Key(0))
		return ierr(InvalidArgument)
	}
	st, err := system.DecodeNonce(iv.Account(0).Data)
	if err != nil {
		return ierr(InvalidAccountData)
	}
	if !st.Initialized {
		iv.Log("Advance nonce account: Account %s state is invalid", iv.Key(0))
		return ierr(InvalidAccountData)
	}
	if !signers[st.Authority] {
		iv.Log("Advance nonce account: Account %s must be a signer", st.Authority)
		return ierr(MissingRequiredSignature)
	}
	next := iv.durableNonce()
	if st.Nonce == next {
		iv.Log("Advance nonce account: nonce can only advance once per slot")
		return customErr(system.ErrNonceBlockhashNotExpired)
	}
	ns := system.NonceState{Version: system.NonceVersionCurrent, Initialized: true, Authority: st.Authority, Nonce: next, LamportsPerSignature: iv.nonceLamportsPerSignature()}
	return iv.SetState(0, ns.Encode())
}

func withdrawNonce(iv *Invocation, lamports uint64, signers map[pubkey.Pubkey]bool) *InstructionError {
	if !iv.IsWritable(0) {
		iv.Log("Withdraw nonce account: Account %s must be writeable", iv.Key(0))
		return ierr(InvalidArgument)
	}
	from := iv.Account(0)
	st, err := system.DecodeNonce(from.Data)
	if err != nil {
		return ierr(InvalidAccountData)
	}
	var signer pubkey.Pubkey
	if !st.Initialized {
		if lamports > from.Lamports {
			iv.Log("Withdraw nonce account: insufficient lamports %d, need %d", from.Lamports, lamports)
			return ierr(InsufficientFunds)
		}
		signer = iv.Key(0)
	} else {
		if lamports == from.Lamports {
			if st.Nonce == iv.durableNonce() {
				iv.Log("Withdraw nonce account: nonce can only advance once per slot")
				return customErr(system.ErrNonceBlockhashNotExpired)
			}
			un := system.NonceState{Version: system.NonceVersionCurrent}
			if err := iv.SetState(0, un.Encode()); err != nil {
				return err
			}
		} else {
			minBalance := iv.RentMinimum(uint64(len(from.Data)))
			amount := lamports + minBalance
			if amount < lamports {
				return ierr(InsufficientFunds)
			}
			if amount > from.Lamports {
				iv.Log("Withdraw nonce account: insufficient lamports %d, need %d", from.Lamports, amount)
				return ierr(InsufficientFunds)
			}
		}
		signer = st.Authority
	}
	if !signers[signer] {
		iv.Log("Withdraw nonce account: Account %s must sign", signer)
		return ierr(MissingRequiredSignature)
	}
	if err := iv.SubLamports(0, lamports); err != nil {
		return err
	}
	return iv.AddLamports(1, lamports)
}

func initializeNonce(iv *Invocation, authority pubkey.Pubkey) *InstructionError {
	if !iv.IsWritable(0) {
		iv.Log("Initialize nonce account: Account %s must be writeable", iv.Key(0))
		return ierr(InvalidArgument)
	}
	acc := iv.Account(0)
	st, err := system.DecodeNonce(acc.Data)
	if err != nil {
		return ierr(InvalidAccountData)
	}
	if st.Initialized {
		iv.Log("Initialize nonce account: Account %s state is invalid", iv.Key(0))
		return ierr(InvalidAccountData)
	}
	minBalance := iv.RentMinimum(uint64(len(acc.Data)))
	if acc.Lamports < minBalance {
		iv.Log("Initialize nonce account: insufficient lamports %d, need %d", acc.Lamports, minBalance)
		return ierr(InsufficientFunds)
	}
	ns := system.NonceState{Version: system.NonceVersionCurrent, Initialized: true, Authority: authority, Nonce: iv.durableNonce(), LamportsPerSignature: iv.nonceLamportsPerSignature()}
	return iv.SetState(0, ns.Encode())
}

func authorizeNonce(iv *Invocation, authority pubkey.Pubkey, signers map[pubkey.Pubkey]bool) *InstructionError {
	if !iv.IsWritable(0) {
		iv.Log("Authorize nonce account: Account %s must be writeable", iv.Key(0))
		return ierr(InvalidArgument)
	}
	st, err := system.DecodeNonce(iv.Account(0).Data)
	if err != nil {
		return ierr(InvalidAccountData)
	}
	if !st.Initialized {
		iv.Log("Authorize nonce account: Account %s state is invalid", iv.Key(0))
		return ierr(InvalidAccountData)
	}
	if !signers[st.Authority] {
		iv.Log("Authorize nonce account: Account %s must sign", st.Authority)
		return ierr(MissingRequiredSignature)
	}
	st.Authority = authority // the version is kept
	return iv.SetState(0, st.Encode())
}

// DurableNonceAccount returns the nonce account a durable transaction
// names (Agave's get_durable_nonce): its first instruction must be the
// System program's AdvanceNonceAccount, whose first account is a
// writable account of the message.
func DurableNonceAccount(m *txn.Message) (pubkey.Pubkey, bool) {
	if len(m.Instructions) == 0 {
		return pubkey.Pubkey{}, false
	}
	ci := m.Instructions[0]
	if int(ci.ProgramIDIndex) >= len(m.AccountKeys) || m.AccountKeys[ci.ProgramIDIndex] != pubkey.SystemProgram() {
		return pubkey.Pubkey{}, false
	}
	if len(ci.Data) < 4 || binary.LittleEndian.Uint32(ci.Data) != uint32(system.TagAdvanceNonceAccount) || len(ci.Accounts) == 0 {
		return pubkey.Pubkey{}, false
	}
	idx := int(ci.Accounts[0])
	if idx >= len(m.AccountKeys) || !m.IsWritable(idx) {
		return pubkey.Pubkey{}, false
	}
	return m.AccountKeys[idx], true
}

// checkDurableNonce is Agave's check_load_and_advance_message_nonce_account
// for a transaction whose blockhash is not recent: the nonce account it
// names must be a Current, initialized System nonce account holding the
// transaction's blockhash as its nonce, whose authority signs the first
// instruction. It returns the nonce account advanced to the block's
// durable nonce, which is committed even if the transaction fails.
func (ex *Executor) checkDurableNonce(m *txn.Message, r AccountReader, env *Env) (account.Keyed, bool) {
	next := system.DurableNonce(env.Blockhash)
	if m.RecentBlockhash == next {
		return account.Keyed{}, false
	}
	key, ok := DurableNonceAccount(m)
	if !ok {
		return account.Keyed{}, false
	}
	a, err := r.Account(key)
	if err != nil || a.Owner != pubkey.SystemProgram() {
		return account.Keyed{}, false
	}
	st, err := system.DecodeNonce(a.Data)
	if err != nil || st.Version != system.NonceVersionCurrent || !st.Initialized || st.Nonce != m.RecentBlockhash {
		return account.Keyed{}, false
	}
	authorized := false
	for _, i := range m.Instructions[0].Accounts {
		if int(i) < len(m.AccountKeys) && m.IsSigner(int(i)) && m.AccountKeys[i] == st.Authority {
			authorized = true
			break
		}
	}
	if !authorized {
		return account.Keyed{}, false
	}
	ns := system.NonceState{Version: system.NonceVersionCurrent, Initialized: true, Authority: st.Authority, Nonce: next, LamportsPerSignature: ex.FeePerSignature}
	a = a.Clone()
	copy(a.Data, ns.Encode())
	return account.Keyed{Key: key, Account: a}, true
}

// isNonceAccount reports whether a is a System account holding an
// initialized nonce (Agave's SystemAccountKind::Nonce), which may pay
// fees down to its rent-exempt minimum.
func isNonceAccount(a *account.Account) bool {
	if a.Owner != pubkey.SystemProgram() || len(a.Data) != system.NonceAccountSize {
		return false
	}
	st, err := system.DecodeNonce(a.Data)
	return err == nil && st.Initialized
}
