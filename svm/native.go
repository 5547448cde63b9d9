package svm

import (
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// solanaNatives are Solana's own native programs, in a fixed order.
func solanaNatives() []Native {
	return []Native{
		{ID: pubkey.SystemProgram(), Name: "system", Process: processSystem},
		{ID: pubkey.ComputeBudgetProgram(), Name: "compute_budget", Process: processComputeBudget},
		{ID: pubkey.BPFLoaderUpgradeable(), Name: "bpf_loader_upgradeable", Process: processUpgradeableLoader},
		{ID: pubkey.BPFLoader(), Name: "bpf_loader", Process: processLoaderRetired(570, "BPF loader management instructions are no longer supported")},
		{ID: pubkey.BPFLoaderDeprecated(), Name: "bpf_loader_deprecated", Process: processLoaderRetired(1140, "Deprecated loader is no longer supported")},
		{ID: pubkey.AddressLookupTableProgram(), Name: "address_lookup_table", Process: processALT},
	}
}

// Invocation is a native program's view of the instruction it executes:
// Agave's InstructionContext with BorrowedAccount's rules. Account
// indexes are positions in the instruction's account list.
type Invocation struct {
	tc *txContext
	f  *frame
}

// ProgramID returns the id of the program being run.
func (iv *Invocation) ProgramID() pubkey.Pubkey { return iv.f.programID }

// Data returns the instruction data.
func (iv *Invocation) Data() []byte { return iv.f.data }

// NumAccounts returns the length of the instruction's account list.
func (iv *Invocation) NumAccounts() int { return len(iv.f.accounts) }

// CheckAccounts fails with NotEnoughAccountKeys when the instruction has
// fewer than n accounts.
func (iv *Invocation) CheckAccounts(n int) *InstructionError {
	if len(iv.f.accounts) < n {
		return ierr(NotEnoughAccountKeys)
	}
	return nil
}

// Key returns the address of instruction account i.
func (iv *Invocation) Key(i int) pubkey.Pubkey { return iv.tc.keys[iv.f.accounts[i].tx] }

// IsSigner reports whether instruction account i signs.
func (iv *Invocation) IsSigner(i int) bool { return iv.f.accounts[i].signer }

// IsWritable reports whether instruction account i is writable.
func (iv *Invocation) IsWritable(i int) bool { return iv.f.accounts[i].writable }

// Account returns instruction account i. It must not be modified.
func (iv *Invocation) Account(i int) *account.Account { return &iv.tc.accounts[iv.f.accounts[i].tx] }

// Signers returns the addresses of the instruction's signing accounts.
func (iv *Invocation) Signers() map[pubkey.Pubkey]bool {
	s := map[pubkey.Pubkey]bool{}
	for _, a := range iv.f.accounts {
		if a.signer {
			s[iv.tc.keys[a.tx]] = true
		}
	}
	return s
}

// Log records a line as Agave's ic_msg does (no prefix).
func (iv *Invocation) Log(format string, args ...any) { iv.tc.log(format, args...) }

// Consume charges compute units.
func (iv *Invocation) Consume(cu uint64) *InstructionError { return iv.tc.consume(cu) }

// SetLamports sets the balance of account i.
func (iv *Invocation) SetLamports(i int, v uint64) *InstructionError {
	return iv.tc.setLamports(iv.f, iv.f.accounts[i].tx, v)
}

// AddLamports credits account i.
func (iv *Invocation) AddLamports(i int, v uint64) *InstructionError {
	return iv.tc.addLamports(iv.f, iv.f.accounts[i].tx, v)
}

// SubLamports debits account i.
func (iv *Invocation) SubLamports(i int, v uint64) *InstructionError {
	return iv.tc.subLamports(iv.f, iv.f.accounts[i].tx, v)
}

// SetDataLength resizes account i's data, zero-filling growth.
func (iv *Invocation) SetDataLength(i int, n int) *InstructionError {
	return iv.tc.setDataLength(iv.f, iv.f.accounts[i].tx, n)
}

// SetData replaces account i's data.
func (iv *Invocation) SetData(i int, data []byte) *InstructionError {
	return iv.tc.setData(iv.f, iv.f.accounts[i].tx, data)
}

// SetOwner assigns account i to owner.
func (iv *Invocation) SetOwner(i int, owner pubkey.Pubkey) *InstructionError {
	return iv.tc.setOwner(iv.f, iv.f.accounts[i].tx, owner)
}

// Compute units the builtins charge (their DEFAULT_COMPUTE_UNITS).
const (
	systemProgramCU        = 150
	computeBudgetCU        = 150
	upgradeableLoaderCU    = 2370
	maxPermittedDataLength = account.MaxDataLen
)

func processComputeBudget(iv *Invocation) *InstructionError {
	// The instructions were read when the transaction was admitted.
	return iv.Consume(computeBudgetCU)
}

func processLoaderRetired(cu uint64, msg string) func(*Invocation) *InstructionError {
	return func(iv *Invocation) *InstructionError {
		if err := iv.Consume(cu); err != nil {
			return err
		}
		iv.Log("%s", msg)
		return ierr(UnsupportedProgramID)
	}
}
