// Throughput next to the reference: the same workloads, one after the
// other in one run, through LiteSVM (signature checks on, no blocks, no
// store) and through Agora's bank (`agora bench agave`: blocks, the
// scheduler, the in-memory store, Pebble written behind and Pebble
// written in place). Prints the ratio.
//
//   node bench.mjs [--txs N] [--rounds R] [--warmup W] [--agora PATH] [--baseline PATH] [--lanes L[,L...]] [--cpuprofile PREFIX]
//
// Each of R rounds times LiteSVM on a fresh state and then Agora (each
// lane count, every store) right after it, so that both sides of a ratio
// share the machine's load; the medians of the rounds' ratios close the
// run, by wall time and by CPU time (on a loaded machine the second
// moves far less). --baseline runs a second agora binary (an older build) in each
// round too, for a before/after from the same run.
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng, Runner, newSVM, setAccount, ix, R, SYSTEM, TOKEN, cat, u32le, u64le, fromBase58, kit } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const N = Number(opt("--txs", "4000"));
const lanes = opt("--lanes", "1").split(",");
const rounds = Number(opt("--rounds", "1"));
// LiteSVM's first pass in a process is slower (Node warms up the
// transaction encoding): warm-up rounds run LiteSVM alone, untimed.
const warmup = Number(opt("--warmup", "1"));
let agora = opt("--agora", "");
if (!agora) {
  agora = join(mkdtempSync(join(tmpdir(), "agora-bench-")), "agora");
  execFileSync("go", ["build", "-o", agora, "./cmd/agora"], { cwd: root, stdio: "inherit" });
}

const binaries = [["", agora]];
if (opt("--baseline", "")) binaries.push(["baseline: ", opt("--baseline", "")]);

const hex = (b) => Buffer.from(b).toString("hex");

// A key from seeded bytes, with the seed kept for Agora's side.
async function key(rng) {
  const seed = rng.bytes(32);
  return { seed: hex(seed), signer: await kit.createKeyPairSignerFromPrivateKeyBytes(seed) };
}

async function workload(name, build) {
  const ratios = new Map(); // "store, lanes" -> ratios, one per round
  for (let round = -warmup; round < rounds; round++) {
    const svm = newSVM([]);
    const run = new Runner(svm);
    const rng = new Rng(42);
    const { setup, txs } = await build(run, rng);
    // Sign every transaction first: only execution is timed.
    const signed = [];
    for (const t of txs) {
      let m = kit.pipe(kit.createTransactionMessage({ version: "legacy" }),
        (x) => kit.setTransactionMessageFeePayerSigner(t.payer.signer, x),
        (x) => kit.setTransactionMessageLifetimeUsingBlockhash({ blockhash: svm.latestBlockhash(), lastValidBlockHeight: 1000n }, x),
        (x) => kit.appendTransactionMessageInstructions(t.instructions, x));
      m = kit.addSignersToTransactionMessage(t.signers.map((s) => s.signer), m);
      signed.push(await kit.signTransactionMessageWithSigners(m));
    }
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let failed = 0;
    for (const tx of signed) if (svm.sendTransaction(tx).constructor.name === "FailedTransactionMetadata") failed++;
    const cpu = process.cpuUsage(c0);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const tps = signed.length / secs;
    const cpuTPS = signed.length / ((cpu.user + cpu.system) / 1e6);
    if (round < 0) continue;
    // Agora gets the state before the workload and the transactions to
    // compile against its own blockhashes.
    const file = join(mkdtempSync(join(tmpdir(), "agora-bench-")), `${name}.json`);
    writeFileSync(file, JSON.stringify({
      name, litesvm_tps: tps, litesvm_cpu_tps: cpuTPS, accounts: setup,
      txs: txs.map((t) => ({
        payer: t.payer.seed, signers: t.signers.map((s) => s.seed),
        instructions: t.instructions.map((i) => ({ program_id: i.programAddress, accounts: i.accounts.map((a) => ({ pubkey: a.address, signer: a.role >= 2, writable: (a.role & 1) === 1 })), data: Buffer.from(i.data).toString("base64") })),
      })),
    }));
    console.log(`${name}: LiteSVM ${signed.length} transactions (${failed} failed) in ${secs.toFixed(3)} s: ${tps.toFixed(0)} tx/s; ${cpuTPS.toFixed(0)} tx per CPU-second`);
    const prof = opt("--cpuprofile", "");
    for (const [label, bin] of binaries) for (const l of lanes) {
      const out = execFileSync(bin, ["bench", "agave", "--workload", file, "--lanes", l, ...(prof ? ["--cpuprofile", `${prof}${label ? ".baseline" : ""}.${name}.${l}.${round}`] : [])]).toString();
      process.stdout.write(out.trimEnd().split("\n").map((line) => label + line).join("\n") + "\n");
      for (const m of out.matchAll(/\(([\w-]+) store, (\d+) lane\(s\)\).*?, ([\d.]+)x LiteSVM(?:; \d+ tx per CPU-second, ([\d.]+)x LiteSVM's)?/g)) {
        const add = (k, v) => { if (!ratios.has(k)) ratios.set(k, []); ratios.get(k).push(Number(v)); };
        add(`${label}${m[1]} store, ${m[2]} lane(s)`, m[3]);
        if (m[4]) add(`${label}${m[1]} store, ${m[2]} lane(s), by CPU time`, m[4]);
      }
    }
    rmSync(dirname(file), { recursive: true, force: true });
  }
  if (rounds > 1) {
    for (const [k, rs] of ratios) {
      const sorted = [...rs].sort((a, b) => a - b);
      console.log(`${name}: Agora bank (${k}) median of ${rs.length} rounds: ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}x LiteSVM (${rs.map((r) => r.toFixed(2)).join(" ")})`);
    }
  }
}

// Two signatures: the fee payer and the sender of a System transfer.
await workload("transfer", async (run, rng) => {
  const payers = [], froms = [], tos = [];
  for (let i = 0; i < 64; i++) {
    payers.push(await key(rng)); froms.push(await key(rng)); tos.push(await key(rng));
    for (const k of [payers[i], froms[i]]) setAccount(run.svm, { pubkey: k.signer.address, lamports: 1_000_000_000_000n, owner: SYSTEM, data: new Uint8Array() });
    setAccount(run.svm, { pubkey: tos[i].signer.address, lamports: 1_000_000_000n, owner: SYSTEM, data: new Uint8Array() });
  }
  const setup = [...payers, ...froms, ...tos].map((k) => run.snap(k.signer.address));
  setup.push(run.snap(SYSTEM));
  const txs = [];
  for (let i = 0; i < N; i++) {
    const j = i % 64;
    txs.push({ payer: payers[j], signers: [froms[j]], instructions: [ix(SYSTEM, [[froms[j].signer.address, R.WRITABLE_SIGNER], [tos[j].signer.address, R.WRITABLE]], cat(u32le(2), u64le(1000 + i)))] });
  }
  return { setup, txs };
});

// SPL Token transfers between initialized token accounts of one mint.
// pair(i) names the source and destination accounts of transfer i: in
// "token" each of 32 pairs moves tokens between its own two accounts
// (transfers 32 apart conflict, neighbours do not, as in "transfer");
// in "token-chain" transfer i sends from account i to account i+1, so
// each transfer shares an account with the next and the block is one
// chain of conflicts that no scheduler can run in parallel.
const tokenWorkload = (pair) => async (run, rng) => {
  const owners = [], accts = [];
  const mint = await key(rng);
  const payer = await key(rng);
  setAccount(run.svm, { pubkey: payer.signer.address, lamports: 1_000_000_000_000n, owner: SYSTEM, data: new Uint8Array() });
  const rentAcc = run.svm.minimumBalanceForRentExemption(165n);
  await run.send("mint", payer.signer, [
    ix(SYSTEM, [[payer.signer.address, R.WRITABLE_SIGNER], [mint.signer.address, R.WRITABLE_SIGNER]], cat(u32le(0), u64le(run.svm.minimumBalanceForRentExemption(82n)), u64le(82n), fromBase58(TOKEN))),
    ix(TOKEN, [[mint.signer.address, R.WRITABLE]], cat([20, 0], fromBase58(payer.signer.address), [0])),
  ], [mint.signer]);
  for (let i = 0; i < 64; i++) {
    owners.push(await key(rng)); accts.push(await key(rng));
    setAccount(run.svm, { pubkey: owners[i].signer.address, lamports: 1_000_000_000_000n, owner: SYSTEM, data: new Uint8Array() });
    await run.send(`acct${i}`, payer.signer, [
      ix(SYSTEM, [[payer.signer.address, R.WRITABLE_SIGNER], [accts[i].signer.address, R.WRITABLE_SIGNER]], cat(u32le(0), u64le(rentAcc), u64le(165n), fromBase58(TOKEN))),
      ix(TOKEN, [[accts[i].signer.address, R.WRITABLE], [mint.signer.address, R.READONLY]], cat([18], fromBase58(owners[i].signer.address))),
      ix(TOKEN, [[mint.signer.address, R.WRITABLE], [accts[i].signer.address, R.WRITABLE], [payer.signer.address, R.READONLY_SIGNER]], cat([7], u64le(1_000_000_000n))),
    ], [accts[i].signer]);
  }
  const keys = [payer, mint, ...owners, ...accts].map((k) => k.signer.address);
  const setup = keys.map((k) => run.snap(k));
  const tokenProgram = run.snap(TOKEN);
  setup.push(tokenProgram, run.snap(kit.getBase58Decoder().decode(Buffer.from(tokenProgram.data, "base64").subarray(4, 36))));
  const txs = [];
  for (let i = 0; i < N; i++) {
    const [j, k] = pair(i);
    txs.push({ payer: owners[j], signers: [], instructions: [ix(TOKEN, [[accts[j].signer.address, R.WRITABLE], [accts[k].signer.address, R.WRITABLE], [owners[j].signer.address, R.READONLY_SIGNER]], cat([3], u64le(1 + (i % 1000))))] });
  }
  return { setup, txs };
};
await workload("token", tokenWorkload((i) => [2 * (i % 32), 2 * (i % 32) + 1]));
await workload("token-chain", tokenWorkload((i) => [i % 64, (i + 1) % 64]));
