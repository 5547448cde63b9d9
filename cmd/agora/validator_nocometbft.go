//go:build !cometbft

// The default build, without CometBFT: `agora testnet` and `agora node
// --cometbft-home` exist, with their flags, and say how to get a binary
// that runs them. CometBFT is opt-in (-tags cometbft) because it adds about
// half again to a cold build of the CLI (RATIONALE.md).

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

var errNoCometBFT = errors.New("this agora was built without CometBFT, so it cannot run validators; build one that can with: go build -tags cometbft -o agora ./cmd/agora")

func newTestnetCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet --validators N --dir DIR",
		Short: "Write the configuration of a local CometBFT network of Agora validators (not in this build)",
		Long:  "Not in this build: " + errNoCometBFT.Error(),
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return &exitError{code: exitBadCall, err: errNoCometBFT}
		},
	}
	addTestnetFlags(cmd)
	return cmd
}

func runValidator(cmd *cobra.Command, s *streams, f *validatorFlags, lanes int, rpc, ws string) error {
	return &exitError{code: exitBadCall, err: errNoCometBFT}
}
