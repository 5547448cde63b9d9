package main

import (
	"time"

	"github.com/spf13/cobra"
)

// attachValidator gives `agora node` its validator mode: with
// --cometbft-home the node runs as a CometBFT validator (validator.go)
// instead of producing blocks alone.
func attachValidator(node *cobra.Command, s *streams) *cobra.Command {
	f := addValidatorFlags(node)
	single := node.RunE
	node.RunE = func(cmd *cobra.Command, args []string) error {
		if f.home == "" {
			return single(cmd, args)
		}
		if cmd.Flags().Changed("dir") {
			return usageErr("give --cometbft-home or --dir, not both: a validator's chain is HOME/agora")
		}
		lanes, _ := cmd.Flags().GetInt("lanes")
		var rpc, ws string
		if cmd.Flags().Changed("rpc") || cmd.Flags().Changed("ws") {
			rpc, _ = cmd.Flags().GetString("rpc")
			ws, _ = cmd.Flags().GetString("ws")
		}
		return runValidator(cmd, s, f, lanes, rpc, ws)
	}
	return node
}

// testnetFlags are the flags of `agora testnet`, the same in every build.
type testnetFlags struct {
	dir       string
	n, base   int
	blockTime time.Duration
	chainID   string
	asJSON    bool
}

func addTestnetFlags(cmd *cobra.Command) *testnetFlags {
	f := &testnetFlags{}
	cmd.Flags().StringVar(&f.dir, "dir", "", "directory to write the validators' homes in")
	cmd.Flags().IntVar(&f.n, "validators", 4, "number of validators")
	cmd.Flags().IntVar(&f.base, "base-port", 26656, "first port: node i uses base+2i (p2p) and base+2i+1 (RPC)")
	cmd.Flags().DurationVar(&f.blockTime, "block-time", 500*time.Millisecond, "pause after each block (CometBFT's timeout_commit)")
	cmd.Flags().StringVar(&f.chainID, "chain-id", "agora-testnet", "the network's chain id")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print JSON")
	return f
}

// validatorFlags are the flags `agora node` takes for its validator mode.
type validatorFlags struct {
	home string
}

func addValidatorFlags(cmd *cobra.Command) *validatorFlags {
	f := &validatorFlags{}
	cmd.Flags().StringVar(&f.home, "cometbft-home", "", "run as a CometBFT validator over this home (see 'agora testnet'; created as a one-validator network if missing; needs an agora built with -tags cometbft)")
	return f
}
