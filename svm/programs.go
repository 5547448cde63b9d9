package svm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// The upgradeable loader's account states (UpgradeableLoaderState, bincode).
const (
	loaderStateProgram     = 2
	loaderStateProgramData = 3

	// ProgramAccountSize is the data of a Program account: the state tag
	// and the ProgramData address.
	ProgramAccountSize = 36
	// ProgramDataHeaderSize is the metadata before the ELF in a
	// ProgramData account: tag, deployment slot, optional authority.
	ProgramDataHeaderSize = 45
)

// ProgramData is the metadata of a ProgramData account.
type ProgramData struct {
	// Slot is when the program was last deployed.
	Slot uint64
	// Authority may upgrade the program; nil makes it immutable.
	Authority *pubkey.Pubkey
}

// ErrNotProgram is returned for accounts that do not hold the loader
// state expected.
var ErrNotProgram = errors.New("svm: not an upgradeable program account")

// ProgramDataAddress returns the ProgramData address of an upgradeable
// Program account's data.
func ProgramDataAddress(programData []byte) (pubkey.Pubkey, error) {
	if len(programData) < ProgramAccountSize || binary.LittleEndian.Uint32(programData) != loaderStateProgram {
		return pubkey.Pubkey{}, ErrNotProgram
	}
	var p pubkey.Pubkey
	copy(p[:], programData[4:36])
	return p, nil
}

func decodeProgramData(b []byte) (ProgramData, error) {
	if len(b) < ProgramDataHeaderSize || binary.LittleEndian.Uint32(b) != loaderStateProgramData || b[12] > 1 {
		return ProgramData{}, ErrNotProgram
	}
	pd := ProgramData{Slot: binary.LittleEndian.Uint64(b[4:])}
	if b[12] == 1 {
		var a pubkey.Pubkey
		copy(a[:], b[13:45])
		pd.Authority = &a
	}
	return pd, nil
}

// DecodeProgramData reads a ProgramData account's metadata and returns
// the ELF after it.
func DecodeProgramData(b []byte) (ProgramData, []byte, error) {
	pd, err := decodeProgramData(b)
	if err != nil {
		return ProgramData{}, nil, err
	}
	return pd, b[ProgramDataHeaderSize:], nil
}

func encodeProgramDataHeader(b []byte, slot uint64, authority *pubkey.Pubkey) {
	binary.LittleEndian.PutUint32(b, loaderStateProgramData)
	binary.LittleEndian.PutUint64(b[4:], slot)
	clear(b[12:45])
	if authority != nil {
		b[12] = 1
		copy(b[13:45], authority[:])
	}
}

// UpgradeableProgramAccounts returns the two accounts that hold a
// program deployed with the upgradeable loader, as Agave's loader lays
// them out: the executable Program account at programID, pointing at
// the ProgramData account (derived from programID) that holds the
// deployment slot, the upgrade authority and the ELF. Both are funded to
// be rent exempt under rentMin.
func UpgradeableProgramAccounts(programID pubkey.Pubkey, elfBytes []byte, slot uint64, authority *pubkey.Pubkey, rentMin func(uint64) uint64) (program, programData account.Keyed) {
	pdKey, _, _ := pubkey.FindProgramAddress([][]byte{programID[:]}, pubkey.BPFLoaderUpgradeable())
	pdata := make([]byte, ProgramDataHeaderSize+len(elfBytes))
	encodeProgramDataHeader(pdata, slot, authority)
	copy(pdata[ProgramDataHeaderSize:], elfBytes)
	pbytes := make([]byte, ProgramAccountSize)
	binary.LittleEndian.PutUint32(pbytes, loaderStateProgram)
	copy(pbytes[4:], pdKey[:])
	program = account.Keyed{Key: programID, Account: account.Account{
		Lamports: max(rentMin(ProgramAccountSize), 1), Data: pbytes, Owner: pubkey.BPFLoaderUpgradeable(),
		Executable: true, RentEpoch: account.RentExemptEpoch,
	}}
	programData = account.Keyed{Key: pdKey, Account: account.Account{
		Lamports: max(rentMin(uint64(len(pdata))), 1), Data: pdata, Owner: pubkey.BPFLoaderUpgradeable(),
		RentEpoch: account.RentExemptEpoch,
	}}
	return program, programData
}

// VerifyDeployment checks an ELF as Agave does before deploying it: the
// loader with reject_broken_elfs against the deployment syscalls (which
// lack sol_alloc_free_), then the structural verifier.
func (ex *Executor) VerifyDeployment(elfBytes []byte) error {
	opts := elf.RuntimeOptions()
	opts.RejectBrokenELFs = true
	p, err := elf.Load(elfBytes, ex.deploy, &opts)
	if err != nil {
		return fmt.Errorf("svm: loading the program: %w", err)
	}
	if err := verify.Structural(p.Text, p.Version, ex.deploy); err != nil {
		return fmt.Errorf("svm: verifying the program: %w", err)
	}
	return nil
}

// Prepare loads an ELF for execution (broken ELFs tolerated, as Agave
// loads deployed programs) with a heap of heapBytes.
func (ex *Executor) Prepare(elfBytes []byte, heapBytes int) (vm.Runnable, error) {
	opts := elf.RuntimeOptions()
	p, err := elf.Load(elfBytes, ex.registry, &opts)
	if err != nil {
		return nil, err
	}
	cfg := vm.DefaultConfig()
	cfg.HeapSize = heapBytes
	return ex.engine().Prepare(p, ex.registry, cfg)
}

// engine returns the engine programs are prepared by.
func (ex *Executor) engine() vm.Engine {
	if ex.Engine == nil {
		return vm.Interpreter{}
	}
	return ex.Engine
}

// ProgramCache prepares programs once and shares them. Entries are keyed
// by the program's address, the heap size, and the deployment slot (or,
// for the non-upgradeable loaders, the ELF's length and checksum), so a
// redeployed program is prepared again.
type ProgramCache struct {
	ex      *Executor
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

type cacheKey struct {
	program pubkey.Pubkey
	heap    int
	version uint64
}

type cacheEntry struct {
	once sync.Once
	exe  vm.Runnable
	err  error
}

// NewProgramCache returns an empty cache for ex.
func NewProgramCache(ex *Executor) *ProgramCache {
	return &ProgramCache{ex: ex, entries: map[cacheKey]*cacheEntry{}}
}

// Executable returns the program held by the program account acct at
// key; for the upgradeable loader, the ELF is read from its ProgramData
// account through r.
func (c *ProgramCache) Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int, r AccountReader) (vm.Runnable, error) {
	return c.executable(key, acct, heapBytes, r, nil)
}

// programData is a ProgramData account as one block's state has it.
type programData struct {
	elf  []byte
	slot uint64
	err  error
}

func (c *ProgramCache) executable(key pubkey.Pubkey, acct *account.Account, heapBytes int, r AccountReader, s *cacheSource) (vm.Runnable, error) {
	var elfBytes []byte
	var version uint64
	switch acct.Owner {
	case pubkey.BPFLoaderUpgradeable():
		pdKey, err := ProgramDataAddress(acct.Data)
		if err != nil {
			return nil, err
		}
		pd := s.programData(pdKey, r)
		if pd.err != nil {
			return nil, pd.err
		}
		elfBytes, version = pd.elf, pd.slot
	case pubkey.BPFLoader(), pubkey.BPFLoaderDeprecated():
		elfBytes = acct.Data
		version = uint64(len(elfBytes))<<32 | uint64(checksum(elfBytes))
	default:
		return nil, ErrNotProgram
	}
	k := cacheKey{key, heapBytes, version}
	c.mu.Lock()
	e, ok := c.entries[k]
	if !ok {
		e = &cacheEntry{}
		c.entries[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.exe, e.err = c.ex.Prepare(elfBytes, heapBytes) })
	return e.exe, e.err
}

// programData reads a ProgramData account through r, once per source:
// a source reads one fixed state (a block's snapshot), so the account
// cannot change under it, and reading and decoding the ELF for every
// transaction dominated the cost of calling an upgradeable program. A nil
// source reads every time.
func (s *cacheSource) programData(key pubkey.Pubkey, r AccountReader) programData {
	if s != nil {
		s.mu.Lock()
		pd, ok := s.pd[key]
		s.mu.Unlock()
		if ok {
			return pd
		}
	}
	var pd programData
	if a, err := r.Account(key); err != nil {
		pd.err = err
	} else {
		var meta ProgramData
		meta, pd.elf, pd.err = DecodeProgramData(a.Data)
		pd.slot = meta.Slot
	}
	if s != nil {
		s.mu.Lock()
		s.pd[key] = pd
		s.mu.Unlock()
	}
	return pd
}

// checksum is FNV-1a, enough to tell redeployed immutable programs apart.
func checksum(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// Source returns the cache as the ProgramSource of a block whose state r
// reads; r must not change while the source is used.
func (c *ProgramCache) Source(r AccountReader) ProgramSource {
	return &cacheSource{c: c, r: r, pd: map[pubkey.Pubkey]programData{}}
}

type cacheSource struct {
	c  *ProgramCache
	r  AccountReader
	mu sync.Mutex
	pd map[pubkey.Pubkey]programData
}

func (s *cacheSource) Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int) (vm.Runnable, error) {
	return s.c.executable(key, acct, heapBytes, s.r, s)
}

// ELFSource is a ProgramSource that also gives a program's ELF and its
// version (for the upgradeable loader, the slot its code was deployed
// at) as the block sees it; calls into another program's exported
// functions need the ELF itself. The program cache's sources implement
// it.
type ELFSource interface {
	ProgramELF(key pubkey.Pubkey, acct *account.Account) (elf []byte, version uint64, err error)
}

func (s *cacheSource) ProgramELF(key pubkey.Pubkey, acct *account.Account) ([]byte, uint64, error) {
	switch acct.Owner {
	case pubkey.BPFLoaderUpgradeable():
		pdKey, err := ProgramDataAddress(acct.Data)
		if err != nil {
			return nil, 0, err
		}
		pd := s.programData(pdKey, s.r)
		return pd.elf, pd.slot, pd.err
	case pubkey.BPFLoader():
		return acct.Data, uint64(len(acct.Data))<<32 | uint64(checksum(acct.Data)), nil
	}
	return nil, 0, ErrNotProgram
}
