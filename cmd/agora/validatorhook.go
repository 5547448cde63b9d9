package main

import "github.com/spf13/cobra"

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
