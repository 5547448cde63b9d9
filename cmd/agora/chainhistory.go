package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/mr-tron/base58"
	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
)

// openHistory opens the store of an initialized chain directory, for the
// commands that only read its history.
func openHistory(dir string) (*store.Store, error) {
	ledger := filepath.Join(dir, ledgerDir)
	if _, err := os.Stat(ledger); err != nil {
		return nil, usageErr("%s is not a chain directory (run agora chain init --dir %s)", dir, dir)
	}
	return openLedger(ledger, lockWait)
}

// txBalanceJSON is one account of a recorded transaction.
type txBalanceJSON struct {
	Pubkey string `json:"pubkey"`
	Pre    uint64 `json:"pre_lamports"`
	Post   uint64 `json:"post_lamports"`
}

// txRecordJSON is the JSON contract of chain tx.
type txRecordJSON struct {
	Signature string          `json:"signature"`
	Slot      uint64          `json:"slot"`
	Index     uint32          `json:"index"`
	OK        bool            `json:"ok"`
	Error     *string         `json:"error"`
	Message   string          `json:"message,omitempty"`
	Logs      []string        `json:"logs"`
	CU        uint64          `json:"cu"`
	Fee       uint64          `json:"fee"`
	Accounts  []txBalanceJSON `json:"accounts"`
	Return    *string         `json:"return_data_base64,omitempty"`
}

func recordJSON(r *store.TxRecord) txRecordJSON {
	j := txRecordJSON{Signature: txn.Signature(r.Signature).String(), Slot: r.Slot, Index: r.Index, OK: r.OK(),
		Logs: r.Logs, CU: r.CU, Fee: r.Fee, Accounts: make([]txBalanceJSON, len(r.Accounts))}
	if j.Logs == nil {
		j.Logs = []string{}
	}
	if !r.OK() {
		e := r.Err
		j.Error, j.Message = &e, r.ErrMessage
	}
	for i, a := range r.Accounts {
		j.Accounts[i] = txBalanceJSON{Pubkey: a.String(), Pre: r.PreBalances[i], Post: r.PostBalances[i]}
	}
	if len(r.ReturnData) > 0 {
		d := base64.StdEncoding.EncodeToString(r.ReturnData)
		j.Return = &d
	}
	return j
}

func parseSignature(text string) ([64]byte, error) {
	var sig [64]byte
	b, err := base58.Decode(text)
	if err != nil || len(b) != len(sig) {
		return sig, usageErr("%q is not a transaction signature (base58 of 64 bytes)", excerpt(text))
	}
	copy(sig[:], b)
	return sig, nil
}

// excerpt quotes at most 100 bytes of a user's argument.
func excerpt(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

func newChainTxCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	cmd := &cobra.Command{
		Use:   "tx --dir DIR SIGNATURE",
		Short: "Print a committed transaction's outcome, logs, costs and balances",
		Long: `Print the committed transaction SIGNATURE (base58) from the chain's
history: its block (slot) and position in it, its outcome, logs, compute
units and fee, and every account's lamports before and after it. The
history survives restarts; it holds every transaction a block included,
the failed ones too.

--json prints {"signature","slot","index","ok","error","message","logs","cu",
"fee","accounts":[{"pubkey","pre_lamports","post_lamports"}],
"return_data_base64"} (error is null on success; message and
return_data_base64 only when there are any).

Exit codes: 0 the transaction succeeded, 1 it failed, 2 no such
transaction or a usage error.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			sig, err := parseSignature(args[0])
			if err != nil {
				return err
			}
			st, err := openHistory(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := st.Transaction(sig)
			if errors.Is(err, store.ErrNotFound) {
				return usageErr("no transaction %s in %s", args[0], f.dir)
			}
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			j := recordJSON(&r)
			if f.json {
				if err := writeJSON(s, j); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(s.out, "signature: %s (block %d, index %d)\n", j.Signature, j.Slot, j.Index)
				if j.OK {
					fmt.Fprintln(s.out, "status: ok")
				} else {
					fmt.Fprintf(s.out, "status: error: %s: %s\n", *j.Error, j.Message)
				}
				fmt.Fprintf(s.out, "compute units: %d\nfee: %d\naccounts (lamports before -> after):\n", j.CU, j.Fee)
				for _, a := range j.Accounts {
					fmt.Fprintf(s.out, "  %-44s %d -> %d\n", a.Pubkey, a.Pre, a.Post)
				}
				if j.Return != nil {
					fmt.Fprintf(s.out, "return data (base64): %s\n", *j.Return)
				}
				fmt.Fprintln(s.out, "logs:")
				for _, l := range j.Logs {
					fmt.Fprintln(s.out, "  "+l)
				}
			}
			if !j.OK {
				return &exitError{code: exitFault, err: errors.New("")}
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// logsJSON is the JSON contract of chain logs.
type logsJSON struct {
	Transactions []txLogsJSON `json:"transactions"`
}

type txLogsJSON struct {
	Signature string   `json:"signature"`
	Slot      uint64   `json:"slot"`
	Index     uint32   `json:"index"`
	OK        bool     `json:"ok"`
	Error     *string  `json:"error"`
	Logs      []string `json:"logs"`
}

func newChainLogsCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	var program string
	var limit int
	cmd := &cobra.Command{
		Use:   "logs --dir DIR [--program ID] [--limit N]",
		Short: "Print the logs of the latest committed transactions",
		Long: `Print the logs of the chain's latest committed transactions (at most
--limit, default 20), oldest first, each under a line naming its signature,
block, position and outcome. With --program, only the transactions that
name ID (a key name, an alias such as econ, or an address) among their
accounts: those that invoke the program or pass it an account.

--json prints {"transactions":[{"signature","slot","index","ok","error",
"logs"}]}, oldest first.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			if limit <= 0 {
				return usageErr("--limit must be positive, got %d", limit)
			}
			st, err := openHistory(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			var recs []store.TxRecord
			if program != "" {
				id, _, err := resolveKey(f.dir, program)
				if err != nil {
					return err
				}
				refs, err := st.SignaturesForAddress(id, nil, limit)
				if err != nil {
					return &exitError{code: exitBadCall, err: err}
				}
				for _, ref := range refs {
					r, err := st.Transaction(ref.Signature)
					if err != nil {
						return &exitError{code: exitBadCall, err: err}
					}
					recs = append(recs, r)
				}
			} else if recs, err = st.RecentTransactions(limit); err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			slices.Reverse(recs)
			out := logsJSON{Transactions: make([]txLogsJSON, len(recs))}
			for i := range recs {
				j := recordJSON(&recs[i])
				out.Transactions[i] = txLogsJSON{Signature: j.Signature, Slot: j.Slot, Index: j.Index, OK: j.OK, Error: j.Error, Logs: j.Logs}
			}
			if f.json {
				return writeJSON(s, out)
			}
			for _, t := range out.Transactions {
				status := "ok"
				if !t.OK {
					status = "error: " + *t.Error
				}
				fmt.Fprintf(s.out, "Transaction %s (block %d, index %d): %s\n", t.Signature, t.Slot, t.Index, status)
				for _, l := range t.Logs {
					fmt.Fprintln(s.out, "  "+l)
				}
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&program, "program", "", "only transactions naming this program or account (key name, alias or address)")
	cmd.Flags().IntVar(&limit, "limit", 20, "at most this many transactions")
	return cmd
}
