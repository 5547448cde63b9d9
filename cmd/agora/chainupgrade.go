package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext/modules"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/vm"
)

// upgradeChunk is the bytes of ELF one Write transaction carries, so that
// each transaction stays under the packet size.
const upgradeChunk = 800

func newChainUpgradeCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	var authority, feePayer string
	var deepCheck bool
	var deepTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "upgrade --dir DIR PROGRAM NEW.so",
		Short: "Stage a new version of a program; it activates at the next slot",
		Long: `Stage NEW.so as the next version of the upgradeable PROGRAM through the
versions program (docs/modules.md): the ELF must pass the deployment loader
and the structural verifier here and again on chain, and the deep
verifier here, which must report no finding (it runs here only, since its
time bounds are not deterministic; --deep=false skips it). The first upgrade of a program
creates its versions account, recording the deployed code as its first
version. The ELF is uploaded in chunks (one block), then staged by a
transaction signed by the upgrade authority (a second block): every
transaction of that block still runs the old version, and every later
one the new. A version is named by the slot it was staged in; callers
pinned to another version fail cleanly. 'agora chain rollback' restores
the previous version; 'agora chain account PROGRAM' lists them all.

--json prints {"program","version","sha256","active_from_slot","versions"}.
Exit codes: 0 staged, 1 a transaction failed (nothing staged), 2 usage or
verification errors.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			elfBytes, err := readELFFile(args[1])
			if err != nil {
				return err
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			program, _, err := resolveKey(f.dir, args[0])
			if err != nil {
				return err
			}
			if err := b.Executor().VerifyDeployment(elfBytes); err != nil {
				return usageErr("%s: %v", args[1], err)
			}
			if deepCheck {
				if err := deepGate(b, elfBytes, deepTimeout); err != nil {
					return usageErr("%s: %v", args[1], err)
				}
			}
			payer, payerPriv, auth, authPriv, err := upgradeKeys(f.dir, feePayer, authority)
			if err != nil {
				return err
			}
			vk, _ := modules.VersionsAddress(program)
			if va, err := b.Account(vk); err != nil {
				return err
			} else if va.Owner != modules.VersionsProgramID() {
				if err := runBlock(b, payer, payerPriv, nil, []txn.Instruction{modules.InitInstruction(payer, program)}); err != nil {
					return err
				}
			}
			if err := runBlock(b, payer, payerPriv, authPriv, modules.WriteInstructions(payer, program, auth, elfBytes, upgradeChunk)); err != nil {
				return err
			}
			if err := runBlock(b, payer, payerPriv, authPriv, []txn.Instruction{modules.StageInstruction(payer, program, auth)}); err != nil {
				return err
			}
			v, err := readVersions(b, program)
			if err != nil {
				return err
			}
			x := v.List[v.Active]
			rep := map[string]any{"program": program.String(), "version": x.Slot, "sha256": hex.EncodeToString(x.Hash[:]),
				"active_from_slot": b.Head().Height + 1, "versions": len(v.List)}
			if f.json {
				return writeJSON(s, rep)
			}
			fmt.Fprintf(s.out, "program %s: version %d (sha256 %x) staged, active from slot %d; %d versions kept\n", program, x.Slot, x.Hash, b.Head().Height+1, len(v.List))
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&authority, "upgrade-authority", "payer", "the program's upgrade authority (key name)")
	cmd.Flags().StringVar(&feePayer, "fee-payer", "payer", "fee payer (key name)")
	cmd.Flags().BoolVar(&deepCheck, "deep", true, "require the deep verifier to report no finding before staging (--deep=false skips it)")
	cmd.Flags().DurationVar(&deepTimeout, "deep-timeout", 30*time.Second, "time bound of the deep verifier")
	return cmd
}

func newChainRollbackCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	var authority, feePayer string
	cmd := &cobra.Command{
		Use:   "rollback --dir DIR PROGRAM",
		Short: "Restore a program's previous version at the next slot",
		Long: `Stage the version PROGRAM ran before its last activation (by upgrade or
rollback) again, signed by its upgrade authority; it activates at the next
slot under its old version number, so callers pinned to it work again.

--json prints {"program","version","sha256","active_from_slot"}.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			program, _, err := resolveKey(f.dir, args[0])
			if err != nil {
				return err
			}
			payer, payerPriv, auth, authPriv, err := upgradeKeys(f.dir, feePayer, authority)
			if err != nil {
				return err
			}
			if err := runBlock(b, payer, payerPriv, authPriv, []txn.Instruction{modules.RollbackInstruction(payer, program, auth)}); err != nil {
				return err
			}
			v, err := readVersions(b, program)
			if err != nil {
				return err
			}
			x := v.List[v.Active]
			if f.json {
				return writeJSON(s, map[string]any{"program": program.String(), "version": x.Slot, "sha256": hex.EncodeToString(x.Hash[:]), "active_from_slot": b.Head().Height + 1})
			}
			fmt.Fprintf(s.out, "program %s: rolled back to version %d (sha256 %x), active from slot %d\n", program, x.Slot, x.Hash, b.Head().Height+1)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&authority, "upgrade-authority", "payer", "the program's upgrade authority (key name)")
	cmd.Flags().StringVar(&feePayer, "fee-payer", "payer", "fee payer (key name)")
	return cmd
}

func upgradeKeys(dir, feePayer, authority string) (payer pubkey.Pubkey, payerPriv ed25519.PrivateKey, auth pubkey.Pubkey, authPriv ed25519.PrivateKey, err error) {
	if payer, payerPriv, err = resolveKey(dir, feePayer); err != nil {
		return
	}
	if payerPriv == nil {
		err = usageErr("fee payer %q has no keypair in the chain's keystore", feePayer)
		return
	}
	if auth, authPriv, err = resolveKey(dir, authority); err != nil {
		return
	}
	if authPriv == nil {
		err = usageErr("upgrade authority %q has no keypair in the chain's keystore", authority)
	}
	return
}

// runBlock runs one block of transactions, one instruction each, signed
// by the payer and extra (when not nil); the first failure is an exit
// 1 error with its logs.
func runBlock(b *bank.Bank, payer pubkey.Pubkey, payerPriv, extra ed25519.PrivateKey, ixs []txn.Instruction) error {
	var txs []*txn.Transaction
	for _, ix := range ixs {
		m, err := txn.Compile(payer, []txn.Instruction{ix}, b.LatestBlockhash())
		if err != nil {
			return usageErr("%v", err)
		}
		keys := []ed25519.PrivateKey{payerPriv}
		if extra != nil {
			keys = dedupe(append(keys, extra))
		}
		tx, err := txn.Sign(m, keys...)
		if err != nil {
			return usageErr("%v", err)
		}
		txs = append(txs, tx)
	}
	res, err := b.ProcessBlock(txs, blockTime(b))
	if err != nil {
		return &exitError{code: exitBadCall, err: err}
	}
	for _, r := range res.Txs {
		if r.Err != nil {
			return &exitError{code: exitFault, err: fmt.Errorf("%s\n%s", r.Err.Error(), strings.Join(r.Logs, "\n"))}
		}
	}
	return nil
}

func readVersions(b *bank.Bank, program pubkey.Pubkey) (*modules.Versions, error) {
	k, _ := modules.VersionsAddress(program)
	a, err := b.Account(k)
	if err != nil {
		return nil, err
	}
	if a.Owner != modules.VersionsProgramID() {
		return nil, errors.New("no versions account")
	}
	return modules.DecodeVersions(a.Data)
}

// deepGate runs the deep verifier over elfBytes and fails on any finding.
func deepGate(b *bank.Bank, elfBytes []byte, timeout time.Duration) error {
	opts := elf.RuntimeOptions()
	p, err := elf.Load(elfBytes, b.Executor().Registry(), &opts)
	if err != nil {
		return err
	}
	rep, err := deep.Analyze(&deep.Options{Version: p.Version, Text: p.Text, Entry: p.Entry, Functions: p.Functions,
		ROData: p.ROData, RODataVAddr: p.RODataVAddr, HeapSize: vm.DefaultConfig().HeapSize,
		Syscalls: b.Executor().Registry().Name, Timeout: timeout})
	if err != nil {
		return fmt.Errorf("deep verifier: %w", err)
	}
	if len(rep.Findings) > 0 {
		f := rep.Findings[0]
		return fmt.Errorf("deep verifier: %d finding(s); the first, %s at pc %d: %s", len(rep.Findings), f.Kind, f.PC, f.Message)
	}
	return nil
}

// versionJSON is one version in `agora chain account PROGRAM --json`.
type versionJSON struct {
	Version uint64 `json:"version"`
	SHA256  string `json:"sha256"`
	Bytes   int    `json:"bytes"`
	Active  bool   `json:"active"`
	Staged  bool   `json:"staged,omitempty"`
}

// programVersions returns the recorded versions of program, or nil when
// it has no versions account.
func programVersions(b *bank.Bank, program pubkey.Pubkey) []versionJSON {
	v, err := readVersions(b, program)
	if err != nil {
		return nil
	}
	out := make([]versionJSON, len(v.List))
	for i, x := range v.List {
		out[i] = versionJSON{Version: x.Slot, SHA256: hex.EncodeToString(x.Hash[:]), Bytes: len(x.ELF), Active: i == v.Active, Staged: i == v.Staged}
	}
	return out
}

// checkPinnedVersion fails unless program's active code has the version
// pin (the ProgramData's deployment slot). The chain's lock is held and
// the call runs in the next block, so nothing can change in between.
func checkPinnedVersion(b *bank.Bank, program pubkey.Pubkey, pin string) error {
	want, err := strconv.ParseUint(pin, 10, 64)
	if err != nil {
		return usageErr("%s@%s: the version is a slot number", program, pin)
	}
	a, err := b.Account(program)
	if err != nil {
		return err
	}
	pdKey, err := svm.ProgramDataAddress(a.Data)
	if err != nil || a.Owner != pubkey.BPFLoaderUpgradeable() {
		return usageErr("%s@%d: only upgradeable programs have versions", program, want)
	}
	pda, err := b.Account(pdKey)
	if err != nil {
		return err
	}
	pd, _, err := svm.DecodeProgramData(pda.Data)
	if err != nil {
		return &exitError{code: exitBadCall, err: err}
	}
	if pd.Slot != want {
		return &exitError{code: exitFault, err: fmt.Errorf("%s is at version %d; the call pinned version %d (not sent)", program, pd.Slot, want)}
	}
	return nil
}
