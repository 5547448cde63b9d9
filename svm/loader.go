package svm

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// UpgradeableLoaderInstruction variants (bincode u32 tags).
const (
	loaderInitializeBuffer = iota
	loaderWrite
	loaderDeployWithMaxDataLen
	loaderUpgrade
	loaderSetAuthority
	loaderClose
	loaderExtendProgram
	loaderSetAuthorityChecked
	loaderMigrate
	loaderExtendProgramChecked
)

// UpgradeableLoaderState variants and sizes.
const (
	loaderStateUninitialized = 0
	loaderStateBuffer        = 1
	// loaderStateProgram and loaderStateProgramData are in programs.go.

	// BufferHeaderSize is the metadata before the bytes in a Buffer
	// account: the tag and the optional authority.
	BufferHeaderSize = 37
	// loaderUninitializedSize is the data a closed account keeps.
	loaderUninitializedSize = 4
	// minExtendBytes is the least ExtendProgram adds, short of the
	// largest account.
	minExtendBytes = 10 * 1024
)

// loaderState is a decoded UpgradeableLoaderState.
type loaderState struct {
	tag         uint32
	authority   *pubkey.Pubkey // Buffer, ProgramData
	programData pubkey.Pubkey  // Program
	slot        uint64         // ProgramData
}

// decodeLoaderState reads account data as bincode does (trailing bytes
// allowed); ok is false where Agave's get_state fails.
func decodeLoaderState(b []byte) (loaderState, bool) {
	if len(b) < 4 {
		return loaderState{}, false
	}
	s := loaderState{tag: binary.LittleEndian.Uint32(b)}
	b = b[4:]
	optKey := func() (*pubkey.Pubkey, bool) {
		if len(b) < 1 || b[0] > 1 {
			return nil, false
		}
		if b[0] == 0 {
			b = b[1:]
			return nil, true
		}
		if len(b) < 33 {
			return nil, false
		}
		var k pubkey.Pubkey
		copy(k[:], b[1:33])
		b = b[33:]
		return &k, true
	}
	var ok bool
	switch s.tag {
	case loaderStateUninitialized:
		return s, true
	case loaderStateBuffer:
		s.authority, ok = optKey()
		return s, ok
	case loaderStateProgram:
		if len(b) < 32 {
			return loaderState{}, false
		}
		copy(s.programData[:], b)
		return s, true
	case loaderStateProgramData:
		if len(b) < 8 {
			return loaderState{}, false
		}
		s.slot = binary.LittleEndian.Uint64(b)
		b = b[8:]
		s.authority, ok = optKey()
		return s, ok
	}
	return loaderState{}, false
}

// encode is the state's bincode encoding (an absent authority is one
// zero byte, so the encoding may be shorter than the metadata).
func (s *loaderState) encode() []byte {
	b := binary.LittleEndian.AppendUint32(nil, s.tag)
	optKey := func(k *pubkey.Pubkey) {
		if k == nil {
			b = append(b, 0)
		} else {
			b = append(append(b, 1), k[:]...)
		}
	}
	switch s.tag {
	case loaderStateBuffer:
		optKey(s.authority)
	case loaderStateProgram:
		b = append(b, s.programData[:]...)
	case loaderStateProgramData:
		b = binary.LittleEndian.AppendUint64(b, s.slot)
		optKey(s.authority)
	}
	return b
}

func sameKey(a, b *pubkey.Pubkey) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func optString(k *pubkey.Pubkey) string {
	if k == nil {
		return "None"
	}
	return "Some(" + k.String() + ")"
}

// loaderInstruction is a decoded UpgradeableLoaderInstruction.
type loaderInstruction struct {
	tag        uint32
	offset     uint32 // Write
	bytes      []byte // Write
	maxDataLen uint64 // DeployWithMaxDataLen
	additional uint32 // ExtendProgram
}

// decodeLoaderInstruction is limited_deserialize with Solana's packet
// size as the limit.
func decodeLoaderInstruction(d []byte) (loaderInstruction, bool) {
	if len(d) < 4 {
		return loaderInstruction{}, false
	}
	ix := loaderInstruction{tag: binary.LittleEndian.Uint32(d)}
	d = d[4:]
	switch ix.tag {
	case loaderInitializeBuffer, loaderUpgrade, loaderSetAuthority, loaderClose, loaderSetAuthorityChecked, loaderMigrate:
	case loaderWrite:
		if len(d) < 12 {
			return loaderInstruction{}, false
		}
		ix.offset = binary.LittleEndian.Uint32(d)
		n := binary.LittleEndian.Uint64(d[4:])
		if n > uint64(len(d)-12) || 16+n > txn.PacketDataSize {
			return loaderInstruction{}, false
		}
		ix.bytes = d[12 : 12+n]
	case loaderDeployWithMaxDataLen:
		if len(d) < 8 {
			return loaderInstruction{}, false
		}
		ix.maxDataLen = binary.LittleEndian.Uint64(d)
	case loaderExtendProgram, loaderExtendProgramChecked:
		if len(d) < 4 {
			return loaderInstruction{}, false
		}
		ix.additional = binary.LittleEndian.Uint32(d)
	default:
		return loaderInstruction{}, false
	}
	return ix, true
}

// getState is BorrowedAccount::get_state for the loader's state.
func (iv *Invocation) loaderState(i int) (loaderState, *InstructionError) {
	s, ok := decodeLoaderState(iv.Account(i).Data)
	if !ok {
		return loaderState{}, ierr(InvalidAccountData)
	}
	return s, nil
}

// SetExecutable is BorrowedAccount::set_executable: the account must be
// rent exempt, owned by the running program and writable.
func (iv *Invocation) SetExecutable(i int, on bool) *InstructionError {
	a := iv.Account(i)
	if !iv.tc.env.Sysvars.Rent.IsExempt(a.Lamports, uint64(len(a.Data))) {
		return ierr(ExecutableAccountNotRentExempt)
	}
	tx := iv.f.accounts[i].tx
	if !iv.tc.owned(iv.f, tx) || !iv.f.instrWritable(tx) {
		return ierr(ExecutableModified)
	}
	iv.tc.accounts[tx].Executable = on
	return nil
}

// instrIndex returns the transaction index of instruction account i.
func (iv *Invocation) instrIndex(i int) int { return iv.f.accounts[i].tx }

// processUpgradeableLoader is the upgradeable BPF loader's management
// instructions, as Agave's process_loader_upgradeable_instruction runs
// them: buffers written in pieces, deployment into a ProgramData account
// derived from the program id, upgrades, authorities, closing and
// extending. Deployed or upgraded programs are loaded and verified at
// once and run from the next slot.
func processUpgradeableLoader(iv *Invocation) *InstructionError {
	if err := iv.Consume(upgradeableLoaderCU); err != nil {
		return err
	}
	ix, ok := decodeLoaderInstruction(iv.Data())
	if !ok {
		return ierr(InvalidInstructionData)
	}
	switch ix.tag {
	case loaderInitializeBuffer:
		if err := iv.CheckAccounts(2); err != nil {
			return err
		}
		s, err := iv.loaderState(0)
		if err != nil {
			return err
		}
		if s.tag != loaderStateUninitialized {
			iv.Log("Buffer account already initialized")
			return ierr(AccountAlreadyInitialized)
		}
		auth := iv.Key(1)
		st := loaderState{tag: loaderStateBuffer, authority: &auth}
		return iv.SetState(0, st.encode())
	case loaderWrite:
		return loaderWriteBuffer(iv, ix.offset, ix.bytes)
	case loaderDeployWithMaxDataLen:
		return loaderDeploy(iv, ix.maxDataLen)
	case loaderUpgrade:
		return loaderUpgradeProgram(iv)
	case loaderSetAuthority:
		return loaderSetAuth(iv, false)
	case loaderSetAuthorityChecked:
		return loaderSetAuth(iv, true)
	case loaderClose:
		return loaderCloseAccount(iv)
	case loaderExtendProgram:
		return loaderExtend(iv, ix.additional)
	}
	// Migrate needs loader v4 and ExtendProgramChecked its own feature;
	// neither is active on mainnet.
	return ierr(InvalidInstructionData)
}

func loaderWriteBuffer(iv *Invocation, offset uint32, bytes []byte) *InstructionError {
	if err := iv.CheckAccounts(2); err != nil {
		return err
	}
	s, err := iv.loaderState(0)
	if err != nil {
		return err
	}
	if s.tag != loaderStateBuffer {
		iv.Log("Invalid Buffer account")
		return ierr(InvalidAccountData)
	}
	if s.authority == nil {
		iv.Log("Buffer is immutable")
		return ierr(Immutable)
	}
	if *s.authority != iv.Key(1) {
		iv.Log("Incorrect buffer authority provided")
		return ierr(IncorrectAuthority)
	}
	if !iv.IsSigner(1) {
		iv.Log("Buffer authority did not sign")
		return ierr(MissingRequiredSignature)
	}
	tx := iv.instrIndex(0)
	if err := iv.tc.canChange(iv.f, tx); err != nil {
		return err
	}
	data := iv.tc.accounts[tx].Data
	start := uint64(BufferHeaderSize) + uint64(offset)
	end := start + uint64(len(bytes))
	if uint64(len(data)) < end {
		iv.Log("Write overflow: %d < %d", len(data), end)
		return ierr(AccountDataTooSmall)
	}
	out := append([]byte(nil), data...)
	copy(out[start:end], bytes)
	iv.tc.accounts[tx].Data = out
	return nil
}

// checkSysvar is get_sysvar_with_account_check for the loader.
func checkSysvar(iv *Invocation, i int, id pubkey.Pubkey) *InstructionError {
	return checkSysvarAccount(iv, i, id)
}

// checkBuffer verifies a Buffer account for deploying and upgrading with
// the authority at instruction account authIdx, and returns the length of
// the program bytes it holds.
func checkBuffer(iv *Invocation, i int, authority pubkey.Pubkey, authIdx int) (int, *InstructionError) {
	s, err := iv.loaderState(i)
	if err != nil {
		return 0, err
	}
	if s.tag != loaderStateBuffer {
		iv.Log("Invalid Buffer account")
		return 0, ierr(InvalidArgument)
	}
	if s.authority == nil || *s.authority != authority {
		iv.Log("Buffer and upgrade authority don't match")
		return 0, ierr(IncorrectAuthority)
	}
	if !iv.IsSigner(authIdx) {
		iv.Log("Upgrade authority did not sign")
		return 0, ierr(MissingRequiredSignature)
	}
	n := len(iv.Account(i).Data)
	if n < BufferHeaderSize || n == BufferHeaderSize {
		iv.Log("Buffer account too small")
		return 0, ierr(InvalidAccountData)
	}
	return n - BufferHeaderSize, nil
}

// verifyProgram is deploy_program!: the ELF must load with the
// deployment syscalls and pass the verifier.
func verifyProgram(iv *Invocation, elfBytes []byte) *InstructionError {
	if err := iv.tc.ex.VerifyDeployment(elfBytes); err != nil {
		iv.Log("%v", err)
		return ierr(InvalidAccountData)
	}
	return nil
}

func loaderDeploy(iv *Invocation, maxDataLen uint64) *InstructionError {
	if err := iv.CheckAccounts(4); err != nil {
		return err
	}
	programDataKey := iv.Key(1)
	if err := checkSysvar(iv, 4, pubkey.SysvarRent()); err != nil {
		return err
	}
	if err := checkSysvar(iv, 5, pubkey.SysvarClock()); err != nil {
		return err
	}
	if err := iv.CheckAccounts(8); err != nil {
		return err
	}
	authority := iv.Key(7)
	rent := &iv.tc.env.Sysvars.Rent
	slot := iv.Slot()

	// The Program account.
	ps, err := iv.loaderState(2)
	if err != nil {
		return err
	}
	if ps.tag != loaderStateUninitialized {
		iv.Log("Program account already initialized")
		return ierr(AccountAlreadyInitialized)
	}
	prog := iv.Account(2)
	if len(prog.Data) < ProgramAccountSize {
		iv.Log("Program account too small")
		return ierr(AccountDataTooSmall)
	}
	if prog.Lamports < rent.MinimumBalance(uint64(len(prog.Data))) {
		iv.Log("Program account not rent-exempt")
		return ierr(ExecutableAccountNotRentExempt)
	}
	programID := iv.Key(2)

	// The Buffer account.
	n, err := checkBuffer(iv, 3, authority, 7)
	if err != nil {
		return err
	}
	if maxDataLen < uint64(n) {
		iv.Log("Max data length is too small to hold Buffer data")
		return ierr(AccountDataTooSmall)
	}
	pdLen := ProgramDataHeaderSize + maxDataLen
	if pdLen < maxDataLen || pdLen > maxPermittedDataLength {
		iv.Log("Max data length is too large")
		return ierr(InvalidArgument)
	}
	derived, bump, found := pubkey.FindProgramAddress([][]byte{programID[:]}, iv.ProgramID())
	if !found || derived != programDataKey {
		iv.Log("ProgramData address is not derived")
		return ierr(InvalidArgument)
	}

	// Drain the buffer to the payer, who pays for the ProgramData.
	if err := iv.AddLamports(0, iv.Account(3).Lamports); err != nil {
		return err
	}
	if err := iv.SetLamports(3, 0); err != nil {
		return err
	}
	create := system.Instruction{Tag: system.TagCreateAccount, Lamports: max(1, rent.MinimumBalance(pdLen)), Space: pdLen, Owner: iv.ProgramID()}
	if err := iv.NativeInvoke(pubkey.SystemProgram(), []int{0, 1, 3}, create.Encode(), [][][]byte{{programID[:], {bump}}}); err != nil {
		return err
	}

	// Load and verify the program, then record it.
	elfBytes := iv.Account(3).Data[BufferHeaderSize:]
	if err := verifyProgram(iv, elfBytes); err != nil {
		return err
	}
	st := loaderState{tag: loaderStateProgramData, slot: slot, authority: &authority}
	if err := iv.SetState(1, st.encode()); err != nil {
		return err
	}
	if err := copyProgramBytes(iv, 1, 3, n, false); err != nil {
		return err
	}
	if err := iv.SetDataLength(3, BufferHeaderSize); err != nil {
		return err
	}
	st = loaderState{tag: loaderStateProgram, programData: programDataKey}
	if err := iv.SetState(2, st.encode()); err != nil {
		return err
	}
	if err := iv.SetExecutable(2, true); err != nil {
		return err
	}
	iv.markRedeployed(programID)
	iv.Log("Deployed program %s", programID)
	return nil
}

// copyProgramBytes copies the n program bytes of buffer account src into
// ProgramData account dst after its metadata, zeroing the rest when
// zeroRest is set.
func copyProgramBytes(iv *Invocation, dst, src, n int, zeroRest bool) *InstructionError {
	tx := iv.instrIndex(dst)
	if err := iv.tc.canChange(iv.f, tx); err != nil {
		return err
	}
	data := append([]byte(nil), iv.tc.accounts[tx].Data...)
	if len(data) < ProgramDataHeaderSize+n {
		return ierr(AccountDataTooSmall)
	}
	copy(data[ProgramDataHeaderSize:], iv.Account(src).Data[BufferHeaderSize:BufferHeaderSize+n])
	if zeroRest {
		clear(data[ProgramDataHeaderSize+n:])
	}
	iv.tc.accounts[tx].Data = data
	return nil
}

func loaderUpgradeProgram(iv *Invocation) *InstructionError {
	if err := iv.CheckAccounts(3); err != nil {
		return err
	}
	programDataKey := iv.Key(0)
	if err := checkSysvar(iv, 4, pubkey.SysvarRent()); err != nil {
		return err
	}
	if err := checkSysvar(iv, 5, pubkey.SysvarClock()); err != nil {
		return err
	}
	if err := iv.CheckAccounts(7); err != nil {
		return err
	}
	authority := iv.Key(6)
	rent := &iv.tc.env.Sysvars.Rent
	slot := iv.Slot()

	// The Program account.
	if !iv.IsWritable(1) {
		iv.Log("Program account not writeable")
		return ierr(InvalidArgument)
	}
	if iv.Account(1).Owner != iv.ProgramID() {
		iv.Log("Program account not owned by loader")
		return ierr(IncorrectProgramID)
	}
	ps, err := iv.loaderState(1)
	if err != nil {
		return err
	}
	if ps.tag != loaderStateProgram {
		iv.Log("Invalid Program account")
		return ierr(InvalidAccountData)
	}
	if ps.programData != programDataKey {
		iv.Log("Program and ProgramData account mismatch")
		return ierr(InvalidArgument)
	}
	programID := iv.Key(1)

	// The Buffer account.
	n, err := checkBuffer(iv, 2, authority, 6)
	if err != nil {
		return err
	}
	bufferLamports := iv.Account(2).Lamports

	// The ProgramData account.
	pd := iv.Account(0)
	required := max(1, rent.MinimumBalance(uint64(len(pd.Data))))
	if len(pd.Data) < ProgramDataHeaderSize+n {
		iv.Log("ProgramData account not large enough")
		return ierr(AccountDataTooSmall)
	}
	if satAdd(pd.Lamports, bufferLamports) < required {
		iv.Log("Buffer account balance too low to fund upgrade")
		return ierr(InsufficientFunds)
	}
	pds, err := iv.loaderState(0)
	if err != nil {
		return err
	}
	if pds.tag != loaderStateProgramData {
		iv.Log("Invalid ProgramData account")
		return ierr(InvalidAccountData)
	}
	if pds.slot == slot {
		iv.Log("Program was deployed in this block already")
		return ierr(InvalidArgument)
	}
	if pds.authority == nil {
		iv.Log("Program not upgradeable")
		return ierr(Immutable)
	}
	if *pds.authority != authority {
		iv.Log("Incorrect upgrade authority provided")
		return ierr(IncorrectAuthority)
	}
	if !iv.IsSigner(6) {
		iv.Log("Upgrade authority did not sign")
		return ierr(MissingRequiredSignature)
	}

	if err := verifyProgram(iv, iv.Account(2).Data[BufferHeaderSize:]); err != nil {
		return err
	}
	st := loaderState{tag: loaderStateProgramData, slot: slot, authority: &authority}
	if err := iv.SetState(0, st.encode()); err != nil {
		return err
	}
	if err := copyProgramBytes(iv, 0, 2, n, true); err != nil {
		return err
	}
	// Fund the ProgramData to rent exemption and spill the rest.
	spill := satAdd(iv.Account(0).Lamports, bufferLamports)
	if spill >= required {
		spill -= required
	} else {
		spill = 0
	}
	if err := iv.AddLamports(3, spill); err != nil {
		return err
	}
	if err := iv.SetLamports(2, 0); err != nil {
		return err
	}
	if err := iv.SetLamports(0, required); err != nil {
		return err
	}
	if err := iv.SetDataLength(2, BufferHeaderSize); err != nil {
		return err
	}
	iv.markRedeployed(programID)
	iv.Log("Upgraded program %s", programID)
	return nil
}

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

func loaderSetAuth(iv *Invocation, checked bool) *InstructionError {
	need := 2
	if checked {
		need = 3
	}
	if err := iv.CheckAccounts(need); err != nil {
		return err
	}
	present := iv.Key(1)
	var next *pubkey.Pubkey
	if iv.NumAccounts() > 2 {
		k := iv.Key(2)
		next = &k
	}
	s, err := iv.loaderState(0)
	if err != nil {
		return err
	}
	switch s.tag {
	case loaderStateBuffer:
		if next == nil {
			iv.Log("Buffer authority is not optional")
			return ierr(IncorrectAuthority)
		}
		if s.authority == nil {
			iv.Log("Buffer is immutable")
			return ierr(Immutable)
		}
		if *s.authority != present {
			iv.Log("Incorrect buffer authority provided")
			return ierr(IncorrectAuthority)
		}
		if !iv.IsSigner(1) {
			iv.Log("Buffer authority did not sign")
			return ierr(MissingRequiredSignature)
		}
	case loaderStateProgramData:
		if s.authority == nil {
			iv.Log("Program not upgradeable")
			return ierr(Immutable)
		}
		if *s.authority != present {
			iv.Log("Incorrect upgrade authority provided")
			return ierr(IncorrectAuthority)
		}
		if !iv.IsSigner(1) {
			iv.Log("Upgrade authority did not sign")
			return ierr(MissingRequiredSignature)
		}
	default:
		iv.Log("Account does not support authorities")
		return ierr(InvalidArgument)
	}
	if checked && !iv.IsSigner(2) {
		iv.Log("New authority did not sign")
		return ierr(MissingRequiredSignature)
	}
	s.authority = next
	if err := iv.SetState(0, s.encode()); err != nil {
		return err
	}
	if checked {
		iv.Log("New authority %s", next)
	} else {
		iv.Log("New authority %s", optString(next))
	}
	return nil
}

func loaderCloseAccount(iv *Invocation) *InstructionError {
	if err := iv.CheckAccounts(2); err != nil {
		return err
	}
	if iv.instrIndex(0) == iv.instrIndex(1) {
		iv.Log("Recipient is the same as the account being closed")
		return ierr(InvalidArgument)
	}
	closeKey := iv.Key(0)
	s, err := iv.loaderState(0)
	if err != nil {
		return err
	}
	if err := iv.SetDataLength(0, loaderUninitializedSize); err != nil {
		return err
	}
	switch s.tag {
	case loaderStateUninitialized:
		if err := iv.AddLamports(1, iv.Account(0).Lamports); err != nil {
			return err
		}
		if err := iv.SetLamports(0, 0); err != nil {
			return err
		}
		iv.Log("Closed Uninitialized %s", closeKey)
	case loaderStateBuffer:
		if err := iv.CheckAccounts(3); err != nil {
			return err
		}
		if err := commonClose(iv, s.authority); err != nil {
			return err
		}
		iv.Log("Closed Buffer %s", closeKey)
	case loaderStateProgramData:
		if err := iv.CheckAccounts(4); err != nil {
			return err
		}
		if !iv.IsWritable(3) {
			iv.Log("Program account is not writable")
			return ierr(InvalidArgument)
		}
		if iv.Account(3).Owner != iv.ProgramID() {
			iv.Log("Program account not owned by loader")
			return ierr(IncorrectProgramID)
		}
		if iv.Slot() == s.slot {
			iv.Log("Program was deployed in this block already")
			return ierr(InvalidArgument)
		}
		ps, err := iv.loaderState(3)
		if err != nil {
			return err
		}
		if ps.tag != loaderStateProgram {
			iv.Log("Invalid Program account")
			return ierr(InvalidArgument)
		}
		if ps.programData != closeKey {
			iv.Log("ProgramData account does not match ProgramData account")
			return ierr(InvalidArgument)
		}
		if err := commonClose(iv, s.authority); err != nil {
			return err
		}
		iv.markRedeployed(iv.Key(3))
		iv.Log("Closed Program %s", iv.Key(3))
	default:
		iv.Log("Account does not support closing")
		return ierr(InvalidArgument)
	}
	return nil
}

// commonClose is common_close_account: the authority at instruction
// account 2 signs, the lamports go to account 1, and account 0 is left
// Uninitialized.
func commonClose(iv *Invocation, authority *pubkey.Pubkey) *InstructionError {
	if authority == nil {
		iv.Log("Account is immutable")
		return ierr(Immutable)
	}
	if *authority != iv.Key(2) {
		iv.Log("Incorrect authority provided")
		return ierr(IncorrectAuthority)
	}
	if !iv.IsSigner(2) {
		iv.Log("Authority did not sign")
		return ierr(MissingRequiredSignature)
	}
	if err := iv.AddLamports(1, iv.Account(0).Lamports); err != nil {
		return err
	}
	if err := iv.SetLamports(0, 0); err != nil {
		return err
	}
	st := loaderState{tag: loaderStateUninitialized}
	return iv.SetState(0, st.encode())
}

func loaderExtend(iv *Invocation, additional uint32) *InstructionError {
	if additional == 0 {
		iv.Log("Additional bytes must be greater than 0")
		return ierr(InvalidInstructionData)
	}
	if err := iv.CheckAccounts(1); err != nil {
		return err
	}
	pd := iv.Account(0)
	programDataKey := iv.Key(0)
	if pd.Owner != iv.ProgramID() {
		iv.Log("ProgramData owner is invalid")
		return ierr(InvalidAccountOwner)
	}
	if !iv.IsWritable(0) {
		iv.Log("ProgramData is not writable")
		return ierr(InvalidArgument)
	}
	if err := iv.CheckAccounts(2); err != nil {
		return err
	}
	if !iv.IsWritable(1) {
		iv.Log("Program account is not writable")
		return ierr(InvalidArgument)
	}
	if iv.Account(1).Owner != iv.ProgramID() {
		iv.Log("Program account not owned by loader")
		return ierr(InvalidAccountOwner)
	}
	ps, err := iv.loaderState(1)
	if err != nil {
		return err
	}
	if ps.tag != loaderStateProgram {
		iv.Log("Invalid Program account")
		return ierr(InvalidAccountData)
	}
	if ps.programData != programDataKey {
		iv.Log("Program account does not match ProgramData account")
		return ierr(InvalidArgument)
	}
	newLen := uint64(len(pd.Data)) + uint64(additional)
	if newLen > maxPermittedDataLength {
		iv.Log("Extended ProgramData length of %d bytes exceeds max account data length of %d bytes", newLen, uint64(maxPermittedDataLength))
		return ierr(InvalidRealloc)
	}
	// Agave 4 refuses small extensions, which only fragment the account.
	if additional < minExtendBytes && newLen != maxPermittedDataLength {
		iv.Log("ExtendProgram requires a minimum of %d additional bytes or to extend to maximum size, but only %d were requested", minExtendBytes, additional)
		return ierr(InvalidArgument)
	}
	slot := iv.Slot()
	pds, err := iv.loaderState(0)
	if err != nil {
		return err
	}
	if pds.tag != loaderStateProgramData {
		iv.Log("ProgramData state is invalid")
		return ierr(InvalidAccountData)
	}
	if pds.slot == slot {
		iv.Log("Program was extended in this block already")
		return ierr(InvalidArgument)
	}
	if pds.authority == nil {
		iv.Log("Cannot extend ProgramData accounts that are not upgradeable")
		return ierr(Immutable)
	}
	minBalance := max(iv.RentMinimum(newLen), 1)
	if minBalance > pd.Lamports {
		if err := iv.CheckAccounts(4); err != nil {
			return err
		}
		t := system.Instruction{Tag: system.TagTransfer, Lamports: minBalance - pd.Lamports}
		if err := iv.NativeInvoke(pubkey.SystemProgram(), []int{3, 0}, t.Encode(), nil); err != nil {
			return err
		}
	}
	if err := iv.SetDataLength(0, int(newLen)); err != nil {
		return err
	}
	if err := verifyProgram(iv, iv.Account(0).Data[ProgramDataHeaderSize:]); err != nil {
		return err
	}
	pds.slot = slot
	if err := iv.SetState(0, pds.encode()); err != nil {
		return err
	}
	iv.markRedeployed(iv.Key(1))
	iv.Log("Extended ProgramData account by %d bytes", additional)
	return nil
}

// programDeployed reports whether the upgradeable program at index key
// may run: not if this transaction deployed, upgraded, extended or
// closed it (Agave's DelayVisibility and Closed entries; a deployment is
// visible from the next slot).
func (tc *txContext) programDeployed(key pubkey.Pubkey) bool {
	for _, k := range tc.redeployed {
		if k == key {
			return false
		}
	}
	return true
}

// markRedeployed records that the program at key changed in this
// transaction.
func (iv *Invocation) markRedeployed(key pubkey.Pubkey) {
	iv.tc.redeployed = append(iv.tc.redeployed, key)
}
