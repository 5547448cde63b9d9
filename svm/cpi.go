package svm

import (
	"encoding/binary"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// The two languages of the CPI structs.
type cpiLang uint8

const (
	langC cpiLang = iota
	langRust
)

// Sizes of the structs CPI reads from the caller's memory.
const (
	solInstructionSize  = 40 // C: program_id*, accounts*, accounts_len, data*, data_len
	solAccountMetaSize  = 16 // C: pubkey*, is_writable, is_signer
	solAccountInfoSize  = 56 // C: key*, lamports*, data_len, data*, owner*, rent_epoch, flags
	rustInstructionSize = 80 // StableInstruction: accounts (ptr,cap,len), data (ptr,cap,len), program_id
	rustAccountMetaSize = 34 // pubkey, is_signer, is_writable
	rustAccountInfoSize = 48 // key*, lamports Rc*, data Rc*, owner*, rent_epoch, flags
	rcRefCellValue      = 24 // RcBox{strong, weak, RefCell{borrow, value}}: offset of value
)

func (ex *Executor) invokeSignedC(m *vm.Machine, ix, infos, ninfos, seeds, nseeds uint64) (uint64, error) {
	return ex.invoke(m, langC, ix, infos, ninfos, seeds, nseeds)
}

func (ex *Executor) invokeSignedRust(m *vm.Machine, ix, infos, ninfos, seeds, nseeds uint64) (uint64, error) {
	return ex.invoke(m, langRust, ix, infos, ninfos, seeds, nseeds)
}

type cpiMeta struct {
	key              pubkey.Pubkey
	signer, writable bool
}

// callerAccount is an account info of the caller, translated: Agave's
// CallerAccount.
type callerAccount struct {
	tx           int    // the account's index in the transaction
	lamports     []byte // 8 bytes in the caller's memory
	owner        []byte // 32 bytes
	data         []byte // the serialized data, as long as the info says
	dataAddr     uint64
	lenRef       []byte // the info's length field, 8 bytes
	originalLen  uint64 // the data length when the caller's input was serialized
	updateCaller bool   // the callee may write it
}

func u64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// SIMD-0339 (increase_cpi_account_info_limit): a cheaper invocation, more
// account infos, and a price for the metas and infos translated.
const (
	// InvokeUnitsSIMD0339 is the base price of an invocation under SIMD-0339
	// (1,000 before).
	InvokeUnitsSIMD0339 = 946
	// MaxCPIAccountInfosSIMD0339 is the most account infos a CPI passes
	// under SIMD-0339.
	MaxCPIAccountInfosSIMD0339 = 255
	// cpiAccountMetaBytes and cpiAccountInfoBytes are the sizes SIMD-0339
	// bills per account meta (a key and two flags) and per account info
	// (key, owner, lamports, data length).
	cpiAccountMetaBytes = 34
	cpiAccountInfoBytes = 80
)

// invoke is Agave's cpi_common.
func (ex *Executor) invoke(m *vm.Machine, lang cpiLang, ixAddr, infosAddr, ninfos, seedsAddr, nseeds uint64) (uint64, error) {
	c, err := contextOf(m)
	if err != nil {
		return 0, err
	}
	tc, f := c.tc, c.f
	aligned := f.aligned
	simd0339 := tc.env.Features.Active(feature.IncreaseCPIAccountInfoLimit)
	invokeCost := ex.costs.Invoke
	if simd0339 {
		invokeCost = InvokeUnitsSIMD0339
	}
	if err := m.Consume(invokeCost); err != nil {
		return 0, err
	}
	program, metas, data, err := ex.translateInstruction(m, lang, ixAddr, aligned, simd0339)
	if err != nil {
		return 0, err
	}
	signers, err := translateSigners(m, f.programID, seedsAddr, nseeds, aligned)
	if err != nil {
		return 0, err
	}
	if err := checkAuthorizedProgram(program, data); err != nil {
		return 0, err
	}
	callee, ierr := tc.prepareCPI(f, program, metas, data, signers)
	if ierr != nil {
		return 0, ierr
	}
	callers, err := ex.translateAccounts(m, lang, tc, f, callee, infosAddr, ninfos, aligned)
	if err != nil {
		return 0, err
	}
	// The caller may have changed its accounts before calling: make the
	// callee see that.
	for i := range callers {
		if ierr := tc.updateCallee(f, &callers[i]); ierr != nil {
			return 0, ierr
		}
	}
	tc.remaining = m.Remaining()
	before := tc.remaining
	cerr := tc.process(callee)
	if err := m.Consume(before - tc.remaining); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, cerr
	}
	// And make the caller see what the callee did.
	for i := range callers {
		if callers[i].updateCaller {
			if err := tc.updateCaller(m, &callers[i], aligned); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

// translateInstruction reads the instruction to invoke.
func (ex *Executor) translateInstruction(m *vm.Machine, lang cpiLang, addr uint64, aligned, simd0339 bool) (pubkey.Pubkey, []cpiMeta, []byte, error) {
	var program pubkey.Pubkey
	var metaAddr, nmetas, dataAddr, ndata uint64
	if lang == langC {
		ix, err := syscalls.TranslateType(m, vm.Load, addr, solInstructionSize, 8, aligned)
		if err != nil {
			return program, nil, nil, err
		}
		pb, err := syscalls.TranslateType(m, vm.Load, u64(ix), 32, 1, aligned)
		if err != nil {
			return program, nil, nil, err
		}
		copy(program[:], pb)
		metaAddr, nmetas, dataAddr, ndata = u64(ix[8:]), u64(ix[16:]), u64(ix[24:]), u64(ix[32:])
	} else {
		ix, err := syscalls.TranslateType(m, vm.Load, addr, rustInstructionSize, 8, aligned)
		if err != nil {
			return program, nil, nil, err
		}
		metaAddr, nmetas = u64(ix[0:]), u64(ix[16:])
		dataAddr, ndata = u64(ix[24:]), u64(ix[40:])
		copy(program[:], ix[48:80])
	}
	metaSize, metaAlign := uint64(solAccountMetaSize), uint64(8)
	if lang == langRust {
		metaSize, metaAlign = rustAccountMetaSize, 1
	}
	raw, err := syscalls.TranslateSlice(m, vm.Load, metaAddr, nmetas, metaSize, metaAlign, aligned)
	if err != nil {
		return program, nil, nil, err
	}
	d, err := syscalls.TranslateSlice(m, vm.Load, dataAddr, ndata, 1, 1, aligned)
	if err != nil {
		return program, nil, nil, err
	}
	data := append([]byte{}, d...)
	if nmetas > MaxCPIInstructionAccounts {
		return program, nil, nil, sysErr(KindMaxInstructionAccountsExceeded, "Invoked an instruction with too many accounts (%d > %d)", nmetas, MaxCPIInstructionAccounts)
	}
	if ndata > MaxCPIInstructionDataLen {
		return program, nil, nil, sysErr(KindMaxInstructionDataLenExceeded, "Invoked an instruction with data that is too large (%d > %d)", ndata, MaxCPIInstructionDataLen)
	}
	cost := ndata / ex.costs.CPIBytesPerUnit
	if simd0339 {
		// SIMD-0339 bills the account metas too.
		cost += nmetas * cpiAccountMetaBytes / ex.costs.CPIBytesPerUnit
	}
	if err := m.Consume(cost); err != nil {
		return program, nil, nil, err
	}
	metas := make([]cpiMeta, nmetas)
	for i := range metas {
		e := raw[uint64(i)*metaSize:]
		var sig, wr byte
		if lang == langC {
			wr, sig = e[8], e[9]
		} else {
			sig, wr = e[32], e[33]
		}
		if sig > 1 || wr > 1 {
			return program, nil, nil, ierr(InvalidArgument)
		}
		metas[i].signer, metas[i].writable = sig == 1, wr == 1
		if lang == langC {
			kb, err := syscalls.TranslateType(m, vm.Load, u64(e), 32, 1, aligned)
			if err != nil {
				return program, nil, nil, err
			}
			copy(metas[i].key[:], kb)
		} else {
			copy(metas[i].key[:], e[:32])
		}
	}
	return program, metas, data, nil
}

// translateSigners derives the PDAs the caller signs for. The C and Rust
// layouts are the same: arrays of (pointer, length) pairs.
func translateSigners(m *vm.Machine, program pubkey.Pubkey, addr, n uint64, aligned bool) ([]pubkey.Pubkey, error) {
	if n == 0 {
		return nil, nil
	}
	raw, err := syscalls.TranslateSlice(m, vm.Load, addr, n, 16, 8, aligned)
	if err != nil {
		return nil, err
	}
	if n > MaxSigners {
		return nil, sysErr(KindTooManySigners, "Too many signers")
	}
	out := make([]pubkey.Pubkey, 0, n)
	for i := uint64(0); i < n; i++ {
		sp, sn := u64(raw[i*16:]), u64(raw[i*16+8:])
		seedsRaw, err := syscalls.TranslateSlice(m, vm.Load, sp, sn, 16, 8, aligned)
		if err != nil {
			return nil, err
		}
		if sn > pubkey.MaxSeeds {
			return nil, ierr(MaxSeedLengthExceeded)
		}
		seeds := make([][]byte, sn)
		for j := range seeds {
			b, err := syscalls.TranslateSlice(m, vm.Load, u64(seedsRaw[j*16:]), u64(seedsRaw[j*16+8:]), 1, 1, aligned)
			if err != nil {
				return nil, err
			}
			seeds[j] = b
		}
		pda, perr := pubkey.CreateProgramAddress(seeds, program)
		if perr != nil {
			return nil, badSeeds(perr.(pubkey.Error))
		}
		out = append(out, pda)
	}
	return out, nil
}

// checkAuthorizedProgram refuses invocations of the loaders (except the
// upgradeable loader's upgrade, set-authority and close instructions),
// of the native loader and of the precompiles.
func checkAuthorizedProgram(program pubkey.Pubkey, data []byte) error {
	bad := program == pubkey.NativeLoader() || program == pubkey.BPFLoader() || program == pubkey.BPFLoaderDeprecated()
	if program == pubkey.BPFLoaderUpgradeable() {
		tag := uint32(1 << 31)
		if len(data) >= 4 {
			tag = binary.LittleEndian.Uint32(data)
		}
		// Upgrade (3), SetAuthority (4), Close (5), SetAuthorityChecked (7).
		bad = !(tag == 3 || tag == 4 || tag == 5 || tag == 7)
	}
	if IsPrecompile(program) {
		bad = true
	}
	if bad {
		return sysErr(KindProgramNotSupported, "Program %s not supported by inner instructions", program)
	}
	return nil
}

// prepareCPI is Agave's prepare_next_instruction: it deduplicates the
// callee's accounts, checks that no privilege is escalated, and finds the
// callee program among the caller's accounts.
func (tc *txContext) prepareCPI(f *frame, program pubkey.Pubkey, metas []cpiMeta, data []byte, signers []pubkey.Pubkey) (*frame, *InstructionError) {
	callee := &frame{programID: program, data: data, accounts: make([]instructionAccount, 0, len(metas))}
	first := map[int]int{} // tx index -> first position in callee
	for _, meta := range metas {
		txi := tc.indexOf(meta.key)
		if txi < 0 {
			tc.log("Instruction references an unknown account %s", meta.key)
			return nil, ierr(MissingAccount)
		}
		if p, ok := first[txi]; ok {
			callee.accounts[p].signer = callee.accounts[p].signer || meta.signer
			callee.accounts[p].writable = callee.accounts[p].writable || meta.writable
			callee.accounts = append(callee.accounts, instructionAccount{tx: txi})
			continue
		}
		first[txi] = len(callee.accounts)
		callee.accounts = append(callee.accounts, instructionAccount{tx: txi, signer: meta.signer, writable: meta.writable})
	}
	for i := range callee.accounts {
		a := &callee.accounts[i]
		if p := first[a.tx]; p != i {
			a.signer, a.writable = callee.accounts[p].signer, callee.accounts[p].writable
			continue
		}
		if !f.has(a.tx) {
			tc.log("Instruction references an unknown account %s", tc.keys[a.tx])
			return nil, ierr(MissingAccount)
		}
		if a.writable && !f.instrWritable(a.tx) {
			tc.log("%s's writable privilege escalated", tc.keys[a.tx])
			return nil, ierr(PrivilegeEscalation)
		}
		if a.signer && !f.instrSigner(a.tx) && !contains(signers, tc.keys[a.tx]) {
			tc.log("%s's signer privilege escalated", tc.keys[a.tx])
			return nil, ierr(PrivilegeEscalation)
		}
	}
	pi := -1
	for _, a := range f.accounts {
		if tc.keys[a.tx] == program {
			pi = a.tx
			break
		}
	}
	if pi < 0 {
		tc.log("Unknown program %s", program)
		return nil, ierr(MissingAccount)
	}
	callee.programIndex = pi
	return callee, nil
}

func contains(ks []pubkey.Pubkey, k pubkey.Pubkey) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func (tc *txContext) indexOf(k pubkey.Pubkey) int {
	for i, x := range tc.keys {
		if x == k {
			return i
		}
	}
	return -1
}

func (f *frame) has(tx int) bool {
	for _, a := range f.accounts {
		if a.tx == tx {
			return true
		}
	}
	return false
}

// position returns the first position of tx in f's account list.
func (f *frame) position(tx int) int {
	for i, a := range f.accounts {
		if a.tx == tx {
			return i
		}
	}
	return -1
}

// translateAccounts reads the caller's account infos and pairs each of
// the callee's accounts with one: Agave's translate_accounts_common.
func (ex *Executor) translateAccounts(m *vm.Machine, lang cpiLang, tc *txContext, f, callee *frame, addr, n uint64, aligned bool) ([]callerAccount, error) {
	size := uint64(solAccountInfoSize)
	if lang == langRust {
		size = rustAccountInfoSize
	}
	raw, err := syscalls.TranslateSlice(m, vm.Load, addr, n, size, 8, aligned)
	if err != nil {
		return nil, err
	}
	limit := uint64(MaxCPIAccountInfos)
	simd0339 := tc.env.Features.Active(feature.IncreaseCPIAccountInfoLimit)
	if simd0339 {
		limit = MaxCPIAccountInfosSIMD0339
	}
	if n > limit {
		return nil, sysErr(KindMaxInstructionAccountInfosExceeded, "Invoked an instruction with too many account info's (%d > %d)", n, limit)
	}
	if simd0339 {
		// SIMD-0339 bills every account info at a fixed 80 bytes.
		if err := m.Consume(n * cpiAccountInfoBytes / ex.costs.CPIBytesPerUnit); err != nil {
			return nil, err
		}
	}
	keys := make([]pubkey.Pubkey, n)
	for i := range keys {
		kb, err := syscalls.TranslateType(m, vm.Load, u64(raw[uint64(i)*size:]), 32, 1, aligned)
		if err != nil {
			return nil, err
		}
		copy(keys[i][:], kb)
	}
	var out []callerAccount
	seen := map[int]bool{}
	for _, ca := range callee.accounts {
		if seen[ca.tx] {
			continue
		}
		seen[ca.tx] = true
		acct := &tc.accounts[ca.tx]
		if acct.Executable {
			if err := m.Consume(uint64(len(acct.Data)) / ex.costs.CPIBytesPerUnit); err != nil {
				return nil, err
			}
			continue
		}
		k := -1
		for i, key := range keys {
			if key == tc.keys[ca.tx] {
				k = i
				break
			}
		}
		if k < 0 {
			tc.log("Instruction references an unknown account %s", tc.keys[ca.tx])
			return nil, ierr(MissingAccount)
		}
		infoAddr := addr + uint64(k)*size
		info := raw[uint64(k)*size:]
		cacc := callerAccount{tx: ca.tx, updateCaller: ca.writable}
		// The length serialized for the caller (abi's entry for this account).
		if pos := f.position(ca.tx); pos >= 0 && f.layout != nil {
			cacc.originalLen = uint64(f.layout.Entry(pos).DataLen)
		}
		var dataLen uint64
		if lang == langC {
			if cacc.lamports, err = syscalls.TranslateType(m, vm.Store, u64(info[8:]), 8, 8, aligned); err != nil {
				return nil, err
			}
			if cacc.owner, err = syscalls.TranslateType(m, vm.Store, u64(info[32:]), 32, 1, aligned); err != nil {
				return nil, err
			}
			dataLen, cacc.dataAddr = u64(info[16:]), u64(info[24:])
			if err := m.Consume(dataLen / ex.costs.CPIBytesPerUnit); err != nil {
				return nil, err
			}
			if cacc.data, err = syscalls.TranslateSlice(m, vm.Store, cacc.dataAddr, dataLen, 1, 1, aligned); err != nil {
				return nil, err
			}
			if cacc.lenRef, err = syscalls.TranslateType(m, vm.Store, infoAddr+16, 8, 1, false); err != nil {
				return nil, err
			}
		} else {
			lref, err := syscalls.TranslateType(m, vm.Load, u64(info[8:])+rcRefCellValue, 8, 8, aligned)
			if err != nil {
				return nil, err
			}
			if cacc.lamports, err = syscalls.TranslateType(m, vm.Store, u64(lref), 8, 8, aligned); err != nil {
				return nil, err
			}
			if cacc.owner, err = syscalls.TranslateType(m, vm.Store, u64(info[24:]), 32, 1, aligned); err != nil {
				return nil, err
			}
			dref := u64(info[16:]) + rcRefCellValue
			fat, err := syscalls.TranslateType(m, vm.Load, dref, 16, 8, aligned)
			if err != nil {
				return nil, err
			}
			cacc.dataAddr, dataLen = u64(fat), u64(fat[8:])
			if err := m.Consume(dataLen / ex.costs.CPIBytesPerUnit); err != nil {
				return nil, err
			}
			if cacc.lenRef, err = syscalls.TranslateType(m, vm.Store, dref+8, 8, 1, false); err != nil {
				return nil, err
			}
			if cacc.data, err = syscalls.TranslateSlice(m, vm.Store, cacc.dataAddr, dataLen, 1, 1, aligned); err != nil {
				return nil, err
			}
		}
		out = append(out, cacc)
	}
	return out, nil
}

// updateCallee copies the caller's view of an account into the
// transaction before the call, with the caller's permissions.
func (tc *txContext) updateCallee(f *frame, c *callerAccount) *InstructionError {
	a := &tc.accounts[c.tx]
	if l := u64(c.lamports); l != a.Lamports {
		if err := tc.setLamports(f, c.tx, l); err != nil {
			return err
		}
	}
	if err := tc.canResize(f, c.tx, len(c.data)); err == nil && tc.canChange(f, c.tx) == nil {
		if string(a.Data) != string(c.data) {
			a.Data = append([]byte(nil), c.data...)
		}
	} else if string(a.Data) != string(c.data) {
		if err == nil {
			err = tc.canChange(f, c.tx)
		}
		return err
	}
	if owner := pubkey.Pubkey(c.owner); owner != a.Owner {
		if err := tc.setOwner(f, c.tx, owner); err != nil {
			return err
		}
	}
	return nil
}

// updateCaller copies the callee's changes to an account back into the
// caller's memory: lamports, owner, data and its length (in the account
// info and in the serialized input).
func (tc *txContext) updateCaller(m *vm.Machine, c *callerAccount, aligned bool) error {
	a := &tc.accounts[c.tx]
	binary.LittleEndian.PutUint64(c.lamports, a.Lamports)
	copy(c.owner, a.Owner[:])
	prev := u64(c.lenRef)
	post := uint64(len(a.Data))
	if prev != post {
		if post > c.originalLen+abi.MaxPermittedDataIncrease {
			tc.log("Account data size realloc limited to %d in inner instructions", abi.MaxPermittedDataIncrease)
			return ierr(InvalidRealloc)
		}
		if post < prev {
			if uint64(len(c.data)) < prev {
				return ierr(AccountDataTooSmall)
			}
			clear(c.data[post:prev])
		}
		data, err := syscalls.TranslateSlice(m, vm.Store, c.dataAddr, post, 1, 1, aligned)
		if err != nil {
			return err
		}
		c.data = data
		binary.LittleEndian.PutUint64(c.lenRef, post)
		sl, err := syscalls.TranslateType(m, vm.Store, c.dataAddr-8, 8, 8, aligned)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(sl, post)
	}
	if uint64(len(c.data)) != post {
		return ierr(AccountDataTooSmall)
	}
	copy(c.data, a.Data)
	return nil
}
