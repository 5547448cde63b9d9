//go:build !cometbft

// The default build, without CometBFT: `agora testnet` and `agora node
// --cometbft-home` exist, with their flags, and say how to get a binary
// that runs them. CometBFT is opt-in (-tags cometbft) because it adds about
// half again to a cold build of the CLI (RATIONALE.md).

package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"
)

var errNoCometBFT = errors.New("this agora was built without CometBFT, so it cannot run validators; build one that can with: go build -tags cometbft -o agora ./cmd/agora")

func newTestnetCmd(s *streams) *cobra.Command {
	var (
		dir       string
		n, base   int
		blockTime time.Duration
		chainID   string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "testnet --validators N --dir DIR",
		Short: "Write the configuration of a local CometBFT network of Agora validators (not in this build)",
		Long:  "Not in this build: " + errNoCometBFT.Error(),
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return &exitError{code: exitBadCall, err: errNoCometBFT}
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the validators' homes in")
	cmd.Flags().IntVar(&n, "validators", 4, "number of validators")
	cmd.Flags().IntVar(&base, "base-port", 26656, "first port: node i uses base+2i (p2p) and base+2i+1 (RPC)")
	cmd.Flags().DurationVar(&blockTime, "block-time", 500*time.Millisecond, "pause after each block (CometBFT's timeout_commit)")
	cmd.Flags().StringVar(&chainID, "chain-id", "agora-testnet", "the network's chain id")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

type validatorFlags struct {
	home string
}

func addValidatorFlags(cmd *cobra.Command) *validatorFlags {
	f := &validatorFlags{}
	cmd.Flags().StringVar(&f.home, "cometbft-home", "", "run as a CometBFT validator (needs a build with -tags cometbft)")
	return f
}

func runValidator(cmd *cobra.Command, s *streams, f *validatorFlags, lanes int, rpc, ws string) error {
	return &exitError{code: exitBadCall, err: errNoCometBFT}
}
