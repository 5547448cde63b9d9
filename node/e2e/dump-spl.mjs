// dump-spl.mjs OUT.so [ADDRESS]: write the ELF of the SPL program at
// ADDRESS (SPL Token by default) to OUT.so.
//
// Agora runs the real SPL binaries; they are not in this repository.
// LiteSVM (an npm package, pinned in package.json) ships the mainnet
// builds of SPL Token and the Associated Token Account program, so the
// end-to-end script takes the ELFs from there and deploys them at their
// real addresses with `agora chain deploy --program-id ADDRESS`.
import { writeFileSync } from "node:fs";
import { LiteSVM } from "litesvm";
import { PublicKey } from "@solana/web3.js";

const TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const UPGRADEABLE = "BPFLoaderUpgradeab1e11111111111111111111111";
// The upgradeable loader's ProgramData header: a u32 tag, the slot (u64)
// and an optional authority (1 + 32 bytes).
const PROGRAM_DATA_HEADER = 45;

const out = process.argv[2];
const address = process.argv[3] ?? TOKEN;
if (!out) {
  console.error("usage: node dump-spl.mjs OUT.so [ADDRESS]");
  process.exit(2);
}
const svm = new LiteSVM();
// An address is a base58 string (kit's Address type is a branded string).
const program = svm.getAccount(address);
if (!program || !program.exists || !program.executable) {
  console.error(`LiteSVM holds no program at ${address}`);
  process.exit(1);
}
let elf = Buffer.from(program.data);
if (program.programAddress === UPGRADEABLE) {
  const pd = svm.getAccount(new PublicKey(elf.subarray(4, 36)).toBase58());
  elf = Buffer.from(pd.data).subarray(PROGRAM_DATA_HEADER);
}
if (elf.subarray(0, 4).toString("latin1") !== "\x7fELF") {
  console.error(`the data of the program at ${address} is not an ELF`);
  process.exit(1);
}
writeFileSync(out, elf);
console.log(`${address}: ${elf.length} bytes to ${out}`);
