package bench

import (
	"encoding/binary"
	"fmt"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// SPL Token's account layouts (spl-token 3.x, state.rs): a token account
// is mint[32] owner[32] amount u64, delegate COption<Pubkey>, state u8,
// is_native COption<u64>, delegated_amount u64, close_authority
// COption<Pubkey>; a mint is mint_authority COption<Pubkey>, supply u64,
// decimals u8, is_initialized u8, freeze_authority COption<Pubkey>.
const (
	SPLTokenAccountSize = token.AccountSize
	SPLMintSize         = token.MintSize
	splAmountOffset     = 64
	splStateOffset      = 108
)

// SPLTokenProgramID is SPL Token's address.
var SPLTokenProgramID = [32]byte(token.Program)

// TokenRun is one instruction of a token program, ready to run in raw
// mode: the loaded program, the syscalls it was resolved against, and
// its serialized input (accounts, instruction data, program id).
type TokenRun struct {
	Program  *vm.Program
	Registry *vm.Registry
	Input    []byte
	Layout   *abi.Layout
}

// SPLTokenTransferAmount is what SPLTokenTransfer moves.
const SPLTokenTransferAmount = 250

// SPLTokenAccount returns an initialized SPL Token account's data.
func SPLTokenAccount(mint, owner [32]byte, amount uint64) []byte {
	d := make([]byte, SPLTokenAccountSize)
	copy(d, mint[:])
	copy(d[32:], owner[:])
	binary.LittleEndian.PutUint64(d[splAmountOffset:], amount)
	d[splStateOffset] = 1 // AccountState::Initialized
	return d
}

// SPLTokenAmount reads a token account's balance.
func SPLTokenAmount(data []byte) uint64 {
	if len(data) < splAmountOffset+8 {
		return 0
	}
	return binary.LittleEndian.Uint64(data[splAmountOffset:])
}

// SPLTokenTransfer loads elfBytes (the SPL Token program's ELF) and lays
// out a Transfer of SPLTokenTransferAmount between two token accounts of
// one mint, signed by the source's owner, as the runtime would serialize
// it. It runs the instruction once and checks that the balances moved.
func SPLTokenTransfer(elfBytes []byte) (*TokenRun, error) {
	reg := syscalls.NewRegistry()
	opts := elf.RuntimeOptions()
	prog, err := elf.Load(elfBytes, reg, &opts)
	if err != nil {
		return nil, fmt.Errorf("spl-token: %w", err)
	}
	key := func(b byte) (k [32]byte) {
		for i := range k {
			k[i] = b + byte(i)
		}
		return k
	}
	mint, owner := key(10), key(50)
	accounts := []abi.Account{
		{Key: key(90), Owner: SPLTokenProgramID, Lamports: 2_039_280, Data: SPLTokenAccount(mint, owner, 1000)},
		{Key: key(130), Owner: SPLTokenProgramID, Lamports: 2_039_280, Data: SPLTokenAccount(mint, owner, 0)},
		{Key: owner, Lamports: 5_000_000},
	}
	ix := &abi.Instruction{
		ProgramID: SPLTokenProgramID,
		Accounts:  []abi.AccountMeta{{Index: 0, Writable: true}, {Index: 1, Writable: true}, {Index: 2, Signer: true}},
		Data:      binary.LittleEndian.AppendUint64([]byte{3}, SPLTokenTransferAmount), // Transfer { amount }
	}
	input, layout, err := abi.Serialize(accounts, ix)
	if err != nil {
		return nil, fmt.Errorf("spl-token: %w", err)
	}
	run := &TokenRun{Program: prog, Registry: reg, Input: input, Layout: layout}
	exe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		return nil, fmt.Errorf("spl-token: %w", err)
	}
	in := append([]byte(nil), input...)
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: in, Budget: 200_000, Context: syscalls.NewContext(SPLTokenProgramID)})
	if res.Err != nil || res.R0 != 0 {
		return nil, fmt.Errorf("spl-token: Transfer returned r0=%#x err=%v", res.R0, res.Err)
	}
	after, err := abi.Deserialize(in, layout)
	if err != nil {
		return nil, fmt.Errorf("spl-token: %w", err)
	}
	if a, b := SPLTokenAmount(after[0].Data), SPLTokenAmount(after[1].Data); a != 1000-SPLTokenTransferAmount || b != SPLTokenTransferAmount {
		return nil, fmt.Errorf("spl-token: Transfer left balances %d and %d", a, b)
	}
	return run, nil
}
