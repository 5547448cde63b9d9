package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// maxCaseBytes bounds one line of agora conform's input.
const maxCaseBytes = 64 << 20

func newConformCmd(s *streams) *cobra.Command {
	var features string
	var list bool
	cmd := &cobra.Command{
		Use:   "conform",
		Short: "Execute JSON-lines conformance cases from standard input",
		Long: `Execute conformance cases, one JSON object per line of standard input, and
write one JSON result per line to standard output, in order. Each case is a
set of accounts and one signed transaction, executed by the same runtime as
the bank (signature and sanitization checks, fees, every instruction), over
only the case's accounts. docs/conformance.md defines both schemas.

A case:
  {"id":"t1","accounts":[{"pubkey":B58,"lamports":"N","owner":B58,
   "executable":false,"rent_epoch":"N","data":BASE64}],"transaction":BASE64,
   "blockhash":B58}
"blockhash" (optional) is the chain's last blockhash, from which nonce
instructions take the durable nonce, and the only one the case's
blockhash queue holds: a transaction with another must be durable. It
defaults to the transaction's own.

A result:
  {"id":"t1","status":"ok"|"error"|"invalid","error":{...},"cu":"N",
   "logs":[...],"return_data":{"program_id":B58,"data":BASE64},
   "accounts":[{"pubkey":B58,"lamports":"N","owner":B58,"executable":false,
   "data":BASE64}]}

--features chooses Agave's feature gates: all (as LiteSVM runs), mainnet
(the default), or a comma-separated list of names or ids, exactly those
on. --list-features prints the features Agora knows as JSON and exits.

Exit codes: 0 every line was a valid case (whatever the transactions'
outcomes), 2 some line was not (its result has status "invalid").`,
		Example: `  agora conform < cases.jsonl > results.jsonl
  agora conform --features all < cases.jsonl
  agora conform --list-features --features mainnet`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := feature.Parse(features)
			if err != nil {
				return usageErr("--features: %w", err)
			}
			if list {
				return listFeatures(s, set)
			}
			return runConform(s, set)
		},
	}
	cmd.Flags().StringVar(&features, "features", "mainnet", "Agave feature gates: all, mainnet, or a comma-separated `LIST` of names or ids")
	cmd.Flags().BoolVar(&list, "list-features", false, "print the known features and whether --features turns each on, as JSON")
	return cmd
}

// featureJSON is one entry of --list-features.
type featureJSON struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Active  bool   `json:"active"`
	Mainnet bool   `json:"mainnet"`
	Modeled bool   `json:"modeled"`
}

func listFeatures(s *streams, set feature.Set) error {
	out := []featureJSON{}
	for i, f := range feature.All() {
		out = append(out, featureJSON{Name: f.Name, ID: f.ID.String(), Active: set.Active(feature.Index(i)), Mainnet: f.Mainnet, Modeled: f.Modeled})
	}
	return writeJSON(s, out)
}

// u64 is a JSON unsigned 64-bit integer: a decimal string (exact in every
// language) or, on input, a number.
type u64 uint64

func (v u64) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatUint(uint64(v), 10) + `"`), nil
}

func (v *u64) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an unsigned 64-bit integer: %s", b)
	}
	*v = u64(n)
	return nil
}

// conformAccount is an account in a case or a result.
type conformAccount struct {
	Pubkey     pubkey.Pubkey `json:"pubkey"`
	Lamports   u64           `json:"lamports"`
	Owner      pubkey.Pubkey `json:"owner"`
	Executable bool          `json:"executable"`
	RentEpoch  *u64          `json:"rent_epoch,omitempty"`
	Data       string        `json:"data"`
}

type conformCase struct {
	ID          json.RawMessage  `json:"id,omitempty"`
	Accounts    []conformAccount `json:"accounts"`
	Transaction string           `json:"transaction"`
	// Blockhash is the chain's last blockhash (durable nonces derive
	// from it); empty means the transaction's recent blockhash.
	Blockhash string `json:"blockhash,omitempty"`
}

type conformError struct {
	Kind string `json:"kind"`
	// Index is the instruction of InstructionError and
	// DuplicateInstruction.
	Index *int `json:"index,omitempty"`
	// InstructionError is the instruction error's variant name.
	InstructionError string `json:"instruction_error,omitempty"`
	// Custom is the code of a Custom instruction error.
	Custom *uint32 `json:"custom,omitempty"`
	// AccountIndex is the account of InsufficientFundsForRent.
	AccountIndex *int `json:"account_index,omitempty"`
}

type conformResult struct {
	ID         json.RawMessage  `json:"id,omitempty"`
	Status     string           `json:"status"`
	Error      *conformError    `json:"error,omitempty"`
	Message    string           `json:"message,omitempty"`
	CU         u64              `json:"cu"`
	Logs       []string         `json:"logs"`
	ReturnData *returnData      `json:"return_data,omitempty"`
	Accounts   []conformAccount `json:"accounts"`
}

// caseState is a case's accounts, read by the runtime.
type caseState map[pubkey.Pubkey]account.Account

func (c caseState) Account(k pubkey.Pubkey) (account.Account, error) {
	return c[k].Clone(), nil
}

func runConform(s *streams, set feature.Set) error {
	ex, err := newExecutor()
	if err != nil {
		return err
	}
	cache := svm.NewProgramCache(ex)
	in := bufio.NewReaderSize(s.in, 1<<20)
	out := bufio.NewWriter(s.out)
	defer out.Flush()
	invalid := 0
	for line := 1; ; line++ {
		b, err := readLine(in, maxCaseBytes)
		if err == io.EOF {
			break
		}
		if len(bytes.TrimSpace(b)) == 0 && err == nil {
			continue
		}
		var res *conformResult
		if err != nil {
			res = &conformResult{Status: "invalid", Message: fmt.Sprintf("line %d: %v", line, err)}
		} else {
			res = conformOne(ex, cache, set, b, line)
		}
		if res.Status == "invalid" {
			invalid++
			if res.Logs == nil {
				res.Logs = []string{}
			}
			if res.Accounts == nil {
				res.Accounts = []conformAccount{}
			}
		}
		enc, merr := json.Marshal(res)
		if merr != nil {
			return merr
		}
		out.Write(enc)
		if werr := out.WriteByte('\n'); werr != nil {
			return werr
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if invalid > 0 {
		return &exitError{code: exitBadCall, err: fmt.Errorf("%d invalid case(s)", invalid)}
	}
	return nil
}

// errLineTooLong is a case line over maxCaseBytes.
var errLineTooLong = fmt.Errorf("case longer than %d bytes", maxCaseBytes)

// readLine reads one line without its newline, at most limit bytes; a
// longer line is skipped and reported.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var buf []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(buf)+len(frag) > limit+1 {
			// Drop the rest of the line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errLineTooLong
		}
		buf = append(buf, frag...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(buf) > 0:
			return buf, nil
		default:
			return nil, err
		}
	}
}

func conformOne(ex *svm.Executor, cache *svm.ProgramCache, set feature.Set, line []byte, n int) *conformResult {
	var c conformCase
	if err := abi.CheckDuplicateFields(line, true); err != nil {
		return &conformResult{Status: "invalid", Message: fmt.Sprintf("line %d: %v", n, err)}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return &conformResult{Status: "invalid", Message: fmt.Sprintf("line %d: %v", n, err)}
	}
	bad := func(format string, args ...any) *conformResult {
		return &conformResult{ID: c.ID, Status: "invalid", Message: fmt.Sprintf("line %d: ", n) + fmt.Sprintf(format, args...)}
	}
	state := caseState{}
	for i, a := range c.Accounts {
		data, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil {
			return bad("accounts[%d].data: %v", i, err)
		}
		if len(data) > account.MaxDataLen {
			return bad("accounts[%d].data: %d bytes, at most %d", i, len(data), account.MaxDataLen)
		}
		if _, dup := state[a.Pubkey]; dup {
			return bad("accounts[%d]: %s listed twice", i, a.Pubkey)
		}
		acct := account.Account{Lamports: uint64(a.Lamports), Owner: a.Owner, Executable: a.Executable, Data: data}
		if a.RentEpoch != nil {
			acct.RentEpoch = uint64(*a.RentEpoch)
		}
		state[a.Pubkey] = acct
	}
	wire, err := base64.StdEncoding.DecodeString(c.Transaction)
	if err != nil {
		return bad("transaction: %v", err)
	}
	tx, err := txn.Decode(wire)
	if err != nil {
		return bad("transaction: %v", err)
	}
	env := standaloneEnv(cache.Source(state), set)
	if err := sysvarsFromAccounts(state, env); err != nil {
		return bad("%v", err)
	}
	env.Blockhash = tx.Message.RecentBlockhash
	if c.Blockhash != "" {
		k, err := pubkey.Parse(c.Blockhash)
		if err != nil {
			return bad("blockhash: %v", err)
		}
		// The blockhash queue holds only this hash: a transaction
		// with another must be durable.
		env.Blockhash = txn.Hash(k)
		env.IsRecent = func(h txn.Hash) bool { return h == env.Blockhash }
	}
	res := &conformResult{ID: c.ID, Status: "ok", Logs: []string{}}
	var r *svm.Result
	// The executor's Check, as the chain admits: its cache of decoded
	// keys is then under the differential harness too.
	if terr := ex.Check(tx); terr != nil {
		r = &svm.Result{Err: terr}
	} else {
		r = ex.Execute(tx, state, env)
	}
	for _, w := range r.Writes {
		state[w.Key] = w.Account
	}
	if r.Err != nil {
		res.Status, res.Error = "error", errorJSON(r.Err)
	}
	res.CU = u64(r.CU)
	if r.Logs != nil {
		res.Logs = r.Logs
	}
	res.ReturnData = &returnData{ProgramID: r.ReturnProgram.String(), Data: base64.StdEncoding.EncodeToString(r.ReturnData)}
	// A v0 transaction names its loaded addresses after its static keys.
	for _, k := range tx.Message.Resolve(r.Loaded).Keys {
		a := state[k]
		ca := conformAccount{Pubkey: k, Lamports: u64(a.Lamports), Data: ""}
		// An account without lamports does not exist: it reads as the
		// zero account, whatever it held.
		if a.Lamports > 0 {
			ca.Owner, ca.Executable, ca.Data = a.Owner, a.Executable, base64.StdEncoding.EncodeToString(a.Data)
		}
		res.Accounts = append(res.Accounts, ca)
	}
	return res
}

// errorJSON is a transaction error in the results' schema.
func errorJSON(e *svm.TransactionError) *conformError {
	out := &conformError{Kind: e.Kind.String()}
	idx := int(e.Index)
	switch e.Kind {
	case svm.InstructionErrorTx:
		out.Index = &idx
		ie := e.Instruction
		if ie == nil {
			ie = &svm.InstructionError{Kind: svm.GenericError}
		}
		out.InstructionError = ie.Kind.String()
		if ie.Kind == svm.Custom {
			code := ie.Code
			out.Custom = &code
		}
	case svm.DuplicateInstruction:
		out.Index = &idx
	case svm.InsufficientFundsForRent, svm.ProgramExecutionTemporarilyRestricted:
		out.AccountIndex = &idx
	}
	return out
}

// sysvarsFromAccounts sets env's Clock, Rent, EpochSchedule and SlotHashes from the
// case's sysvar accounts, where it has them, as a bank reads its own.
func sysvarsFromAccounts(state caseState, env *svm.Env) error {
	if a, ok := state[pubkey.SysvarClock()]; ok {
		c, err := sysvar.DecodeClock(a.Data)
		if err != nil {
			return fmt.Errorf("clock sysvar account: %w", err)
		}
		env.Sysvars.Clock, env.Slot = c, c.Slot
	}
	if a, ok := state[pubkey.SysvarRent()]; ok {
		r, err := sysvar.DecodeRent(a.Data)
		if err != nil {
			return fmt.Errorf("rent sysvar account: %w", err)
		}
		env.Sysvars.Rent = r
	}
	if a, ok := state[pubkey.SysvarRecentBlockhashes()]; ok {
		// A bincode Vec: its length first.
		env.NoRecentBlockhashes = len(a.Data) >= 8 && binary.LittleEndian.Uint64(a.Data) == 0
	}
	if a, ok := state[pubkey.SysvarEpochSchedule()]; ok {
		e, err := sysvar.DecodeEpochSchedule(a.Data)
		if err != nil {
			return fmt.Errorf("epoch schedule sysvar account: %w", err)
		}
		env.Sysvars.EpochSchedule = e
	}
	if a, ok := state[pubkey.SysvarSlotHashes()]; ok {
		h, err := sysvar.DecodeSlotHashes(a.Data)
		if err != nil {
			return fmt.Errorf("slot hashes sysvar account: %w", err)
		}
		env.Sysvars.SlotHashes = h
	}
	return nil
}
