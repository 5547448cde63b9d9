package ext

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

func TestRegisterAllFamiliesBesideTheStandardSyscalls(t *testing.T) {
	r := syscalls.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"agora_tx_begin", "agora_ring_push", "agora_bls_verify", "agora_groth16_verify", "sol_log_"} {
		if !r.HasSyscall(sbpf.SyscallHash(name)) {
			t.Errorf("%s is not registered", name)
		}
	}
	if err := Register(r); err == nil {
		t.Error("registering twice did not report the collision")
	}
	if err := Register(vm.NewRegistry()); err != nil {
		t.Fatal(err)
	}
}

func TestAliasesNameRegisteredSyscalls(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	a := Aliases()
	if a["tx_begin"] != "agora_tx_begin" {
		t.Fatalf("tx_begin -> %q", a["tx_begin"])
	}
	for mnemonic, name := range a {
		if !r.HasSyscall(sbpf.SyscallHash(name)) {
			t.Errorf("alias %s names unregistered syscall %s", mnemonic, name)
		}
	}
}

func TestFeatureIDsAreUniqueAndImplementedFamiliesRegistered(t *testing.T) {
	r := syscalls.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	seen := map[uint8]bool{}
	for _, f := range Features() {
		if seen[f.ID] {
			t.Errorf("feature ID %#x twice", f.ID)
		}
		seen[f.ID] = true
		// Parts 1, 2, 3 and 6 are implemented here (poseidon is Solana's
		// own syscall, registered by syscalls/solcrypto).
		if (f.Part == 1 || f.Part == 3 || f.Part == 6 || f.Part == 2 && f.Syscall != "sol_poseidon") && !r.HasSyscall(sbpf.SyscallHash(f.Syscall)) {
			t.Errorf("%s (%#x) is not registered as %s", f.Name, f.ID, f.Syscall)
		}
	}
}
