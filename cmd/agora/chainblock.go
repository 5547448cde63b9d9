package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/txn"
)

// blockReport is the JSON contract of chain block.
type blockReport struct {
	Slot         uint64     `json:"slot"`
	Hash         string     `json:"hash"`
	StateRoot    string     `json:"state_root"`
	Included     int        `json:"included"`
	Transactions []txReport `json:"transactions"`
}

func newChainBlockCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	cmd := &cobra.Command{
		Use:   "block --dir DIR FILE.json",
		Short: "Execute a block file's transactions in one new block",
		Long: `Execute the transactions of FILE.json ({"transactions":["<base64>", …]},
signed wire transactions in block order; 'agora chain call|transfer
--sign-only' prints one) in one new block, through the scheduler on
--lanes N. A file that is malformed, too large, or lists a transaction
twice is refused with the transaction's index, and nothing is committed.
Transactions the block leaves out (bad signature, unknown blockhash, over
the cost limits, a payer that cannot pay) are reported with the reason.

--json prints {"slot","hash","state_root","included","transactions":[…]},
each transaction as 'agora chain call' reports one.

Exit codes: 0 the block committed and every transaction succeeded, 1 it
committed and some transaction failed or was left out, 2 bad input or
setup errors (nothing committed).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			data, err := readBlockFile(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			txs, err := sched.DecodeBlockFile(data)
			if err != nil {
				return usageErr("%s: %v", args[0], err)
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := f.schedule(s, b); err != nil {
				return err
			}
			res, err := f.process(cmd.Context(), b, txs)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			if err := f.writeTrace(); err != nil {
				return err
			}
			rep := blockReport{Slot: res.Header.Height, Hash: txn.Hash(res.Header.Hash).String(), StateRoot: hex.EncodeToString(res.Header.StateRoot[:]), Included: int(res.Header.NumTxs)}
			failed := false
			for _, r := range res.Txs {
				t := txReport{OK: r.Err == nil, Logs: r.Logs, CU: r.CU, Signature: r.Signature.String(), Slot: res.Header.Height, Fee: r.Fee}
				if t.Logs == nil {
					t.Logs = []string{}
				}
				if r.Err != nil {
					failed = true
					e := r.Err.String()
					t.Error, t.Message = &e, r.Err.Error()
				}
				if len(r.ReturnData) > 0 {
					d := base64.StdEncoding.EncodeToString(r.ReturnData)
					t.Return = &d
				}
				rep.Transactions = append(rep.Transactions, t)
			}
			if rep.Transactions == nil {
				rep.Transactions = []txReport{}
			}
			if f.json {
				if err := writeJSON(s, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(s.out, "block %d: %d of %d transactions included\n", rep.Slot, rep.Included, len(txs))
				for i, t := range rep.Transactions {
					status := "ok"
					if t.Error != nil {
						status = "error: " + *t.Error + ": " + t.Message
					}
					fmt.Fprintf(s.out, "%4d %s  cu %d  %s\n", i, t.Signature, t.CU, status)
				}
			}
			if failed {
				return &exitError{code: exitFault, err: errors.New("")}
			}
			return nil
		},
	}
	f.add(cmd)
	f.addLanes(cmd)
	return cmd
}

// readBlockFile reads at most sched.MaxBlockFileBytes (and one more, so
// the decoder can refuse a larger file by its size).
func readBlockFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, sched.MaxBlockFileBytes+1))
}
