package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/ext/zk"
)

func newZKCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "zk",
		Short: "Zero-knowledge proof tools",
	}
	var vkPath, proofPath, publicPath, outDir string
	var raw, asJSON, verifyProof bool
	convert := &cobra.Command{
		Use:   "convert --vk verification_key.json [--proof proof.json --public public.json]",
		Short: "Convert snarkjs/circom Groth16 (BN254) files for agora_groth16_verify",
		Long: `Convert a snarkjs Groth16 BN254 verification_key.json (and optionally
proof.json and public.json) into the serialization agora_groth16_verify takes:
gnark's binary key and proof, and the public inputs as 32-byte big-endian
scalars.

With --out DIR the results are written to DIR/vk.bin, DIR/proof.bin and
DIR/public.bin; --json prints them as hex; --verify also checks the proof.

Exit codes: 0 converted (and, with --verify, the proof is valid), 1 the
proof is invalid, 2 usage, I/O or conversion errors.`,
		Example: `  agora zk convert --vk verification_key.json --proof proof.json --public public.json --out build/
  agora zk convert --vk verification_key.json --proof proof.json --public public.json --verify --json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vkPath == "" {
				return usageErr("--vk is required")
			}
			if (proofPath == "") != (publicPath == "") {
				return usageErr("--proof and --public go together")
			}
			if verifyProof && proofPath == "" {
				return usageErr("--verify needs --proof and --public")
			}
			read := func(p string) ([]byte, error) {
				if p == "" {
					return nil, nil
				}
				b, err := readFileLimited(p)
				if err != nil {
					return nil, usageErr("%w", err)
				}
				if len(b) > maxSourceBytes {
					return nil, usageErr("%s: larger than %d bytes", p, maxSourceBytes)
				}
				return b, nil
			}
			vkJSON, err := read(vkPath)
			if err != nil {
				return err
			}
			proofJSON, err := read(proofPath)
			if err != nil {
				return err
			}
			publicJSON, err := read(publicPath)
			if err != nil {
				return err
			}
			vk, proof, public, err := zk.ConvertSnarkJSWith(vkJSON, proofJSON, publicJSON, zk.ConvertOptions{Raw: raw})
			if err != nil {
				return usageErr("convert: %w", err)
			}
			valid := true
			if verifyProof {
				valid, err = zk.Verify(zk.Groth16, zk.CurveBN254, zk.Args{VerifyingKey: vk, Proof: proof, PublicInputs: public})
				if err != nil {
					return usageErr("verify: %w", err)
				}
			}
			if outDir != "" {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return usageErr("%w", err)
				}
				files := map[string][]byte{"vk.bin": vk}
				if proof != nil {
					files["proof.bin"], files["public.bin"] = proof, public
				}
				for name, b := range files {
					if err := os.WriteFile(filepath.Join(outDir, name), b, 0o644); err != nil {
						return usageErr("%w", err)
					}
				}
			}
			if asJSON {
				out := map[string]any{"vk": hex.EncodeToString(vk), "public_inputs": len(public) / 32}
				if proof != nil {
					out["proof"], out["public"] = hex.EncodeToString(proof), hex.EncodeToString(public)
				}
				if verifyProof {
					out["valid"] = valid
				}
				if err := writeJSON(s, out); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(s.out, "verifying key: %d bytes\n", len(vk))
				if proof != nil {
					fmt.Fprintf(s.out, "proof: %d bytes, %d public inputs\n", len(proof), len(public)/32)
				}
				if verifyProof {
					fmt.Fprintf(s.out, "valid: %v\n", valid)
				}
			}
			if !valid {
				return &exitError{code: exitFault, err: fmt.Errorf("the proof does not verify")}
			}
			return nil
		},
	}
	fl := convert.Flags()
	fl.StringVar(&vkPath, "vk", "", "snarkjs verification_key.json")
	fl.StringVar(&proofPath, "proof", "", "snarkjs proof.json")
	fl.StringVar(&publicPath, "public", "", "snarkjs public.json")
	fl.StringVar(&outDir, "out", "", "write vk.bin, proof.bin and public.bin to `DIR`")
	fl.BoolVar(&raw, "raw", false, "write points uncompressed")
	fl.BoolVar(&asJSON, "json", false, "print the results as JSON (hex)")
	fl.BoolVar(&verifyProof, "verify", false, "also verify the proof")
	cmd.AddCommand(convert)
	return cmd
}
