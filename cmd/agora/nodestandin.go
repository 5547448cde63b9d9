package main

import "github.com/spf13/cobra"

// newNodeCmd is `agora node` in its validator mode only, until the
// single-node mode (package node) is in this tree.
func newNodeCmd(s *streams) *cobra.Command {
	var lanes int
	var dir string
	cmd := &cobra.Command{
		Use:   "node --cometbft-home DIR",
		Short: "Run a node: a CometBFT validator (--cometbft-home)",
		Long: `Run a CometBFT validator over the home DIR (written by 'agora testnet', or
created as a network of one validator if missing) with Agora's chain as its
ABCI++ application, in this process. CometBFT's RPC listens where the home's
config/config.toml says. SIGINT or SIGTERM stops it.

Exit codes: 0 stopped cleanly, 2 usage or setup errors.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr("--cometbft-home is required: this build runs nodes as CometBFT validators only")
		},
	}
	cmd.Flags().IntVar(&lanes, "lanes", 0, "scheduler lanes (0: one per core; 1: serial); results are the same at every N")
	cmd.Flags().StringVar(&dir, "dir", "", "not available with --cometbft-home (the chain is HOME/agora)")
	return cmd
}
