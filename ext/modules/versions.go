package modules

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/vm"
)

// The versions program keeps, per upgradeable program, every version of
// its code with its hash, stages an upgrade after verifying it, and lets
// the runtime activate it at the end of the slot (Activate), so that
// every transaction of the slot sees the old code and every later one
// the new. Rollback stages the previous version again. docs/modules.md
// describes the accounts and instructions.

// VersionsProgramID is the versions program's address.
func VersionsProgramID() pubkey.Pubkey {
	return pubkey.MustParse("AgoraVersions1111111111111111111111111111111")
}

// VersionsAddress is the versions account of program: the program
// address of the versions program with seeds "versions" and program.
func VersionsAddress(program pubkey.Pubkey) (pubkey.Pubkey, uint8) {
	k, bump, _ := pubkey.FindProgramAddress([][]byte{[]byte("versions"), program[:]}, VersionsProgramID())
	return k, bump
}

// Version is one recorded version of a program's code.
type Version struct {
	// Slot is the slot it was deployed or staged in; it names the version
	// (the ProgramData's deployment slot while it is active, the version
	// module callers pin).
	Slot uint64
	Hash [32]byte // sha256 of the ELF
	ELF  []byte
}

// Versions is the state of a versions account.
type Versions struct {
	Program pubkey.Pubkey
	Active  int // index into List of the code the program runs
	Prev    int // the index active before the last activation, or -1
	Staged  int // the index to activate at the end of the slot, or -1
	// Reserve is the lamports the account holds for the ProgramData's
	// rent at the staged size, moved there on activation.
	Reserve uint64
	List    []Version
	Upload  []byte // the ELF being written, before Stage
}

const (
	versionsMagic   = 0x52564741 // "AGVR"
	versionsHeader  = 4 + 32 + 4*3 + 8 + 4 + 4
	versionEntry    = 8 + 32 + 4
	MaxVersions     = 64        // versions kept per program
	MaxModuleELF    = 1 << 20   // bytes of one version's ELF
	maxVersionsData = 8<<20 + 1 // the encoded account, at most
)

func idx(v int) uint32 {
	if v < 0 {
		return ^uint32(0)
	}
	return uint32(v)
}

func unidx(u uint32) int {
	if u == ^uint32(0) {
		return -1
	}
	return int(u)
}

// Encode returns the account data of v.
func (v *Versions) Encode() []byte {
	n := versionsHeader + len(v.Upload)
	for _, x := range v.List {
		n += versionEntry + len(x.ELF)
	}
	b := make([]byte, 0, n)
	le := binary.LittleEndian
	b = le.AppendUint32(b, versionsMagic)
	b = append(b, v.Program[:]...)
	b = le.AppendUint32(b, idx(v.Active))
	b = le.AppendUint32(b, idx(v.Prev))
	b = le.AppendUint32(b, idx(v.Staged))
	b = le.AppendUint64(b, v.Reserve)
	b = le.AppendUint32(b, uint32(len(v.List)))
	b = le.AppendUint32(b, uint32(len(v.Upload)))
	for _, x := range v.List {
		b = le.AppendUint64(b, x.Slot)
		b = append(b, x.Hash[:]...)
		b = le.AppendUint32(b, uint32(len(x.ELF)))
		b = append(b, x.ELF...)
	}
	return append(b, v.Upload...)
}

// DecodeVersions reads a versions account's data. It checks every
// length and index against the data and never panics.
func DecodeVersions(b []byte) (*Versions, error) {
	bad := func(off int, format string, args ...any) error {
		return errorf(KindBadVersions, "at offset %d: %s", off, fmt.Sprintf(format, args...))
	}
	if len(b) < versionsHeader {
		return nil, bad(0, "%d bytes, the header alone is %d", len(b), versionsHeader)
	}
	le := binary.LittleEndian
	if m := le.Uint32(b); m != versionsMagic {
		return nil, bad(0, "magic %#x, want %#x", m, versionsMagic)
	}
	v := &Versions{}
	copy(v.Program[:], b[4:36])
	v.Active, v.Prev, v.Staged = unidx(le.Uint32(b[36:])), unidx(le.Uint32(b[40:])), unidx(le.Uint32(b[44:]))
	v.Reserve = le.Uint64(b[48:])
	count, upload := int(le.Uint32(b[56:])), uint64(le.Uint32(b[60:]))
	if count > MaxVersions {
		return nil, bad(56, "%d versions, at most %d", count, MaxVersions)
	}
	off := versionsHeader
	for i := range count {
		if len(b)-off < versionEntry {
			return nil, bad(off, "version %d's entry is cut short", i)
		}
		x := Version{Slot: le.Uint64(b[off:])}
		copy(x.Hash[:], b[off+8:off+40])
		n := uint64(le.Uint32(b[off+40:]))
		off += versionEntry
		if n > MaxModuleELF || uint64(len(b)-off) < n {
			return nil, bad(off-4, "version %d's ELF of %d bytes does not fit", i, n)
		}
		x.ELF = b[off : off+int(n)]
		off += int(n)
		v.List = append(v.List, x)
	}
	if upload > MaxModuleELF || uint64(len(b)-off) != upload {
		return nil, bad(60, "upload of %d bytes, %d remain", upload, len(b)-off)
	}
	v.Upload = b[off:]
	for _, c := range []struct {
		name string
		i    int
		off  int
		nil  bool
	}{{"active", v.Active, 36, false}, {"previous", v.Prev, 40, true}, {"staged", v.Staged, 44, true}} {
		if (c.i == -1 && !c.nil) || c.i >= count || c.i < -1 {
			return nil, bad(c.off, "%s index %d of %d versions", c.name, c.i, count)
		}
	}
	return v, nil
}

// Instructions of the versions program (the first byte of the data).
const (
	// IxInit creates the versions account of a program, recording its
	// deployed code as the first version. Accounts: payer (signer,
	// writable), versions (writable), program, programdata, system.
	IxInit = 0
	// IxWrite writes bytes at offset u32 (after the tag) of the upload,
	// at most its length (0 starts a new upload). Accounts: payer,
	// versions, program, programdata, authority (signer), system.
	IxWrite = 1
	// IxStage verifies the upload and stages it as a new version.
	// Accounts as IxWrite.
	IxStage = 2
	// IxRollback stages the previously active version again. Accounts as
	// IxWrite.
	IxRollback = 3
)

// Prices of the versions program's instructions.
const (
	CostVersionsBase  = 1_000
	StageBytesPerCU   = 32 // verifying and hashing the staged ELF
	WriteBytesPerCU   = 250
	VersionsMaxUpload = 1200 // bytes one Write may carry
)

// VersionsHost is the instruction's view the versions program works
// through (the runtime's Invocation, adapted by package ext).
type VersionsHost interface {
	Data() []byte
	NumAccounts() int
	Key(i int) pubkey.Pubkey
	IsSigner(i int) bool
	IsWritable(i int) bool
	Owner(i int) pubkey.Pubkey
	Lamports(i int) uint64
	AccountData(i int) []byte
	Slot() uint64
	RentMinimum(n uint64) uint64
	Log(msg string)
	Consume(cu uint64) error
	// CreateAccount creates account to, owned by the versions program,
	// signed for with the program-address seeds.
	CreateAccount(payer, to int, lamports, space uint64, seeds [][]byte) error
	SystemTransfer(from, to int, lamports uint64) error
	SetData(i int, data []byte) error
	// Registry is the syscalls a staged version is verified against.
	Registry() *vm.Registry
}

// Accounts of the versions program's instructions, by position.
const (
	accPayer = iota
	accVersions
	accProgram
	accProgramData
	accAuthority
	accSystem
)

// ProgramDataInfo is what the versions program reads of a ProgramData
// account: its deployment slot, upgrade authority and ELF. The runtime
// supplies the decoder (its account layout belongs to the runtime).
type ProgramDataInfo struct {
	Slot      uint64
	Authority *pubkey.Pubkey
	ELF       []byte
}

// ProcessVersions executes one instruction of the versions program.
// decodePD reads a ProgramData account of the program account's data
// (pd is the account at accProgramData). Every failure returns before
// any account is changed.
func ProcessVersions(h VersionsHost, decodePD func(program, pd []byte) (ProgramDataInfo, pubkey.Pubkey, error)) error {
	d := h.Data()
	if len(d) < 1 {
		return errorf(KindBadVersionsInstruction, "empty instruction data")
	}
	if err := h.Consume(CostVersionsBase); err != nil {
		return err
	}
	need := 6
	if d[0] == IxInit {
		need = 5
	}
	if h.NumAccounts() < need {
		return errorf(KindBadVersionsInstruction, "instruction %d takes %d accounts, got %d", d[0], need, h.NumAccounts())
	}
	if !h.IsSigner(accPayer) || !h.IsWritable(accPayer) || !h.IsWritable(accVersions) {
		return errorf(KindBadVersionsInstruction, "the payer must sign and be writable, the versions account writable")
	}
	program := h.Key(accProgram)
	if want, _ := VersionsAddress(program); h.Key(accVersions) != want {
		return errorf(KindBadVersionsInstruction, "account 1 is %s, the versions account of %s is %s", h.Key(accVersions), program, want)
	}
	pd, pdKey, err := decodePD(h.AccountData(accProgram), h.AccountData(accProgramData))
	if err != nil {
		return errorf(KindBadVersionsInstruction, "program %s: %v", program, err)
	}
	if h.Key(accProgramData) != pdKey {
		return errorf(KindBadVersionsInstruction, "account 3 is %s, the program's ProgramData is %s", h.Key(accProgramData), pdKey)
	}
	if d[0] == IxInit {
		return initVersions(h, program, pd)
	}
	if pd.Authority == nil {
		return errorf(KindWrongAuthority, "program %s is immutable (no upgrade authority)", program)
	}
	if h.Key(accAuthority) != *pd.Authority || !h.IsSigner(accAuthority) {
		return errorf(KindWrongAuthority, "program %s's upgrade authority is %s; %s signed", program, *pd.Authority, signerName(h))
	}
	if h.Owner(accVersions) != VersionsProgramID() {
		return errorf(KindBadVersions, "program %s has no versions account yet (instruction Init creates it)", program)
	}
	v, err := DecodeVersions(h.AccountData(accVersions))
	if err != nil {
		return err
	}
	switch d[0] {
	case IxWrite:
		if len(d) < 5 {
			return errorf(KindBadVersionsInstruction, "Write needs an offset (u32) after the tag")
		}
		off, chunk := uint64(binary.LittleEndian.Uint32(d[1:])), d[5:]
		if len(chunk) > VersionsMaxUpload || off+uint64(len(chunk)) > MaxModuleELF || off > uint64(len(v.Upload)) {
			return errorf(KindBadVersionsInstruction, "Write of %d bytes at %d: the upload is %d bytes, chunks at most %d, ELFs at most %d", len(chunk), off, len(v.Upload), VersionsMaxUpload, MaxModuleELF)
		}
		if err := h.Consume(ceilDiv(uint64(len(chunk)), WriteBytesPerCU)); err != nil {
			return err
		}
		if off == 0 {
			v.Upload = nil // a write at offset 0 starts a new upload
		}
		up := append([]byte(nil), v.Upload[:off]...)
		up = append(up, chunk...)
		if int(off)+len(chunk) < len(v.Upload) {
			up = append(up, v.Upload[int(off)+len(chunk):]...)
		}
		v.Upload = up
		return store(h, v, 0)
	case IxStage:
		if v.Staged >= 0 {
			return errorf(KindStagePending, "version %d of %s is staged already; it activates at the end of this slot", v.List[v.Staged].Slot, program)
		}
		if len(v.List) >= MaxVersions {
			return errorf(KindBadVersionsInstruction, "%s keeps %d versions already", program, MaxVersions)
		}
		if err := h.Consume(ceilDiv(uint64(len(v.Upload)), StageBytesPerCU)); err != nil {
			return err
		}
		if _, err := Load(program, h.Slot(), v.Upload, h.Registry(), maxCallDepth); err != nil {
			return err
		}
		for _, x := range v.List {
			if x.Slot == h.Slot() {
				return errorf(KindStagePending, "%s has a version from slot %d already; one upgrade per slot", program, x.Slot)
			}
		}
		v.List = append(v.List, Version{Slot: h.Slot(), Hash: sha256.Sum256(v.Upload), ELF: v.Upload})
		v.Upload = nil
		v.Staged = len(v.List) - 1
		h.Log(fmt.Sprintf("staged version %d of %s (sha256 %x), active from slot %d", h.Slot(), program, v.List[v.Staged].Hash, h.Slot()+1))
	case IxRollback:
		if v.Staged >= 0 {
			return errorf(KindStagePending, "version %d of %s is staged; it activates at the end of this slot", v.List[v.Staged].Slot, program)
		}
		if v.Prev < 0 {
			return errorf(KindNoPrevious, "%s has no previous version to roll back to", program)
		}
		v.Staged = v.Prev
		h.Log(fmt.Sprintf("rolling %s back to version %d, active from slot %d", program, v.List[v.Staged].Slot, h.Slot()+1))
	default:
		return errorf(KindBadVersionsInstruction, "unknown instruction %d", d[0])
	}
	// The ProgramData's rent at the staged size, held until activation.
	size := uint64(ProgramDataHeaderSize + len(v.List[v.Staged].ELF))
	v.Reserve = h.RentMinimum(size) - min(h.RentMinimum(size), h.Lamports(accProgramData))
	return store(h, v, v.Reserve)
}

// ProgramDataHeaderSize is the upgradeable loader's metadata before the
// ELF in a ProgramData account.
const ProgramDataHeaderSize = 45

func signerName(h VersionsHost) string {
	if !h.IsSigner(accAuthority) {
		return "no authority"
	}
	return h.Key(accAuthority).String()
}

func initVersions(h VersionsHost, program pubkey.Pubkey, pd ProgramDataInfo) error {
	if h.Owner(accVersions) == VersionsProgramID() {
		return errorf(KindBadVersionsInstruction, "the versions account of %s exists already", program)
	}
	v := &Versions{Program: program, Active: 0, Prev: -1, Staged: -1,
		List: []Version{{Slot: pd.Slot, Hash: sha256.Sum256(pd.ELF), ELF: pd.ELF}}}
	data := v.Encode()
	_, bump := VersionsAddress(program)
	if err := h.CreateAccount(accPayer, accVersions, h.RentMinimum(uint64(len(data))), uint64(len(data)), [][]byte{[]byte("versions"), program[:], {bump}}); err != nil {
		return err
	}
	return h.SetData(accVersions, data)
}

// store writes v into the versions account, first topping its lamports
// up from the payer to the rent of its new size plus reserve.
func store(h VersionsHost, v *Versions, reserve uint64) error {
	data := v.Encode()
	if len(data) > maxVersionsData {
		return errorf(KindBadVersionsInstruction, "the versions account would be %d bytes, at most %d", len(data), maxVersionsData)
	}
	if want := h.RentMinimum(uint64(len(data))) + reserve; h.Lamports(accVersions) < want {
		if err := h.SystemTransfer(accPayer, accVersions, want-h.Lamports(accVersions)); err != nil {
			return err
		}
	}
	return h.SetData(accVersions, data)
}

// Activation is what the runtime writes at the end of a slot for one
// staged version: the versions account's new data and lamports, and the
// ProgramData's.
type Activation struct {
	Versions        []byte
	VersionsLamport uint64
	ProgramData     []byte
	PDLamports      uint64
}

// Activate returns the activation of the staged version in the versions
// account (data, lamports) whose program's ProgramData account is
// (pdData, pdLamports), or ok false when nothing is staged. encodePD
// writes a ProgramData account (the runtime's layout) for a slot, an
// authority and an ELF. The staged version's slot becomes the
// ProgramData's deployment slot, so a version keeps its name when it is
// activated again by a rollback.
func Activate(data []byte, lamports uint64, pd ProgramDataInfo, pdLamports uint64, encodePD func(slot uint64, authority *pubkey.Pubkey, elf []byte) []byte) (Activation, bool, error) {
	v, err := DecodeVersions(data)
	if err != nil || v.Staged < 0 {
		return Activation{}, false, err
	}
	if v.Reserve > lamports {
		return Activation{}, false, errorf(KindBadVersions, "reserve %d above the account's %d lamports", v.Reserve, lamports)
	}
	x := v.List[v.Staged]
	reserve := v.Reserve
	v.Prev, v.Active, v.Staged, v.Reserve = v.Active, v.Staged, -1, 0
	return Activation{
		Versions: v.Encode(), VersionsLamport: lamports - reserve,
		ProgramData: encodePD(x.Slot, pd.Authority, x.ELF), PDLamports: pdLamports + reserve,
	}, true, nil
}
