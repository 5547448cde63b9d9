package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/sbpf"
)

func newFeaturesCmd(s *streams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "features",
		Short: "List the proposal's operations, their feature IDs and syscalls",
		Long: `List every operation of the research proposal with its stable feature ID
(the proposal's opcode number, which Agora does not use as an opcode because
it collides with the existing ISA), the syscall that implements it, and
whether this build registers that syscall.

--json prints {"features":[{"id":…,"name":…,"syscall":…,"part":…,"available":…},…]}.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := newRegistry()
			if err != nil {
				return err
			}
			type row struct {
				ID        uint8  `json:"id"`
				Name      string `json:"name"`
				Syscall   string `json:"syscall"`
				Part      int    `json:"part"`
				Available bool   `json:"available"`
			}
			var rows []row
			for _, f := range ext.Features() {
				rows = append(rows, row{f.ID, f.Name, f.Syscall, f.Part, reg.HasSyscall(sbpf.SyscallHash(f.Syscall))})
			}
			if asJSON {
				return writeJSON(s, map[string]any{"features": rows})
			}
			fmt.Fprintf(s.out, "%-6s %-28s %-26s %-5s %s\n", "id", "proposal name", "syscall", "part", "status")
			for _, r := range rows {
				status := "planned"
				if r.Available {
					status = "available"
				}
				fmt.Fprintf(s.out, "0x%02X   %-28s %-26s %-5d %s\n", r.ID, r.Name, r.Syscall, r.Part, status)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
