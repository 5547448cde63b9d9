// Shared pieces of the Agave differential harness: a seeded random source,
// keys, accounts, transactions, LiteSVM's side of a case, and the
// comparison.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { LiteSVM, FeatureSet } from "litesvm";
import * as kit from "@solana/kit";

export const SYSTEM = "11111111111111111111111111111111";
export const TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
export const TOKEN22 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
export const ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
export const MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";
export const LOADER_V2 = "BPFLoader2111111111111111111111111111111111";
export const UPGRADEABLE = "BPFLoaderUpgradeab1e11111111111111111111111";
export const RENT = "SysvarRent111111111111111111111111111111111";
export const ALT = "AddressLookupTab1e1111111111111111111111111";
export const SLOT_HASHES = "SysvarS1otHashes111111111111111111111111111";
export const INSTRUCTIONS = "Sysvar1nstructions1111111111111111111111111";

const b58 = kit.getBase58Decoder();
const b58e = kit.getBase58Encoder();
export const base58 = (bytes) => b58.decode(bytes);
export const fromBase58 = (s) => new Uint8Array(b58e.encode(s));
const b64 = (bytes) => Buffer.from(bytes).toString("base64");

// Rng is splitmix64: the same seed gives the same cases everywhere.
export class Rng {
  constructor(seed) { this.s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n); }
  next64() {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  int(n) { return Number(this.next64() % BigInt(n)); }
  pick(a) { return a[this.int(a.length)]; }
  chance(p) { return this.int(1000) < p * 1000; }
  bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.int(256); return b; }
}

// keypair makes a signer from 32 seeded bytes.
export async function keypair(rng) {
  return kit.createKeyPairSignerFromPrivateKeyBytes(rng.bytes(32));
}

// Names of LiteSVM's error enums, read from its type declarations (the
// const enums are not exported at run time).
function enumNames(name) {
  const require = createRequire(import.meta.url);
  const dts = readFileSync(require.resolve("litesvm/dist/internal.d.ts"), "utf8");
  const m = dts.match(new RegExp(`enum ${name} \\{([^}]*)\\}`));
  const out = [];
  for (const line of m[1].split("\n")) {
    const e = line.match(/(\w+)\s*=\s*(\d+)/);
    if (e) out[Number(e[2])] = e[1];
  }
  return out;
}
const txErrNames = enumNames("TransactionErrorFieldless");
const ixErrNames = enumNames("InstructionErrorFieldless");

// newSVM returns LiteSVM with every feature on, or with the listed ones
// off (the mainnet set: Agora's feature table says which are off).
export function newSVM(inactive) {
  let svm = new LiteSVM();
  if (inactive && inactive.length) {
    const fs = FeatureSet.allEnabled();
    for (const id of inactive) fs.deactivate(fromBase58(id));
    svm = svm.withFeatureSet(fs);
  }
  return svm;
}

export function setAccount(svm, a) {
  svm.setAccount({
    address: kit.address(a.pubkey), lamports: BigInt(a.lamports), programAddress: kit.address(a.owner),
    executable: !!a.executable, data: a.data, space: BigInt(a.data.length),
  });
}

// snapshot reads an account from LiteSVM in the cases' schema; a missing
// account is the zero account.
export function snapshot(svm, key) {
  const a = svm.getAccount(kit.address(key));
  if (!a.exists || a.lamports === 0n) return { pubkey: key, lamports: "0", owner: SYSTEM, executable: false, data: "" };
  return { pubkey: key, lamports: a.lamports.toString(), owner: a.programAddress, executable: a.executable, data: b64(a.data) };
}

function errorOf(e) {
  const name = e.constructor && e.constructor.name;
  if (typeof e === "number") return { kind: txErrNames[e] };
  if (name === "TransactionErrorInstructionError") {
    const ie = e.err();
    if (typeof ie === "number") return { kind: "InstructionError", index: e.index, instruction_error: ixErrNames[ie] };
    if (ie.constructor.name === "InstructionErrorCustom") return { kind: "InstructionError", index: e.index, instruction_error: "Custom", custom: ie.code };
    return { kind: "InstructionError", index: e.index, instruction_error: "BorshIoError" };
  }
  if (name === "TransactionErrorDuplicateInstruction") return { kind: "DuplicateInstruction", index: e.index };
  if (name === "TransactionErrorInsufficientFundsForRent") return { kind: "InsufficientFundsForRent", account_index: e.accountIndex };
  if (name === "TransactionErrorProgramExecutionTemporarilyRestricted") return { kind: "ProgramExecutionTemporarilyRestricted", account_index: e.accountIndex };
  return { kind: String(e) };
}

// Runner executes transactions on LiteSVM and records each as a case:
// the pre-state of every account it names (and the ProgramData of
// upgradeable programs), the wire transaction, and Agave's result.
// PACKET_DATA_SIZE is the largest transaction the network carries.
const PACKET_DATA_SIZE = 1232;

export class Runner {
  constructor(svm) { this.svm = svm; this.cases = []; this.seen = new Set(); this.refused = []; this.programs = new Map(); this.nocache = new Set(); }

  // snap is snapshot, remembering the accounts of programs (owned by a
  // loader), which the suites never change: their ELFs are large.
  snap(key) {
    const p = this.programs.get(key);
    if (p) return p;
    const a = snapshot(this.svm, key);
    if (this.nocache.has(key)) return a; // the loader suite changes these
    if (a.owner === UPGRADEABLE || a.owner === LOADER_V2 || a.owner === "NativeLoader1111111111111111111111111111111") this.programs.set(key, a);
    return a;
  }

  // send runs one transaction. opts.tables (address -> its addresses)
  // makes it a v0 transaction compressed with those lookup tables;
  // opts.extra lists more accounts for the pre-state (sysvars);
  // opts.blockhash replaces the latest blockhash as its recent blockhash
  // (a durable nonce, or a stale hash).
  async send(name, payer, instructions, extraSigners = [], opts = {}) {
    const svm = this.svm;
    let msg = kit.pipe(
      kit.createTransactionMessage({ version: opts.tables ? 0 : "legacy" }),
      (m) => kit.setTransactionMessageFeePayerSigner(payer, m),
      (m) => kit.setTransactionMessageLifetimeUsingBlockhash({ blockhash: opts.blockhash ?? svm.latestBlockhash(), lastValidBlockHeight: 1000n }, m),
      (m) => kit.appendTransactionMessageInstructions(instructions, m),
    );
    if (opts.tables) msg = kit.compressTransactionMessageUsingAddressLookupTables(msg, opts.tables);
    if (extraSigners.length) msg = kit.addSignersToTransactionMessage(extraSigners, msg);
    let tx = await kit.signTransactionMessageWithSigners(msg);
    let wire = kit.getTransactionEncoder().encode(tx);
    // Over the packet limit a transaction never reaches Agave's SVM (the
    // network and the sigverify stage drop it), and LiteSVM does not check
    // the limit: such a case compares nothing real, so it is not sent.
    if (wire.length > PACKET_DATA_SIZE) return { status: "oversized" };
    if (this.seen.has(b64(tx.messageBytes))) {
      // The same transaction again would be AlreadyProcessed.
      svm.expireBlockhash();
      return this.send(name, payer, instructions, extraSigners, opts);
    }
    this.seen.add(b64(tx.messageBytes));
    const compiled = kit.getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
    // The keys: static, then every lookup's writable entries, then the
    // read-only ones (as the tables hold them now; an index past a
    // table's end names nothing).
    const keys = [...compiled.staticAccounts];
    const tables = (compiled.addressTableLookups ?? []).map((l) => [l, lookupTableAddresses(svm, l.lookupTableAddress)]);
    const loaded = [];
    for (const field of ["writableIndexes", "readonlyIndexes"]) {
      for (const [l, addrs] of tables) for (const i of l[field]) if (i < addrs.length) loaded.push(addrs[i]);
    }
    const pre = new Map();
    // The sysvars always travel: Agora's runtime reads them from there.
    const want = [...keys, ...loaded, ...tables.map(([l]) => l.lookupTableAddress), ...(opts.extra ?? []), RENT, "SysvarC1ock11111111111111111111111111111111", "SysvarEpochSchedu1e111111111111111111111111"];
    for (const k of want) if (!pre.has(k)) pre.set(k, this.snap(k));
    for (const k of keys) {
      const a = pre.get(k);
      if (a.executable && a.owner === UPGRADEABLE) {
        const pd = base58(Buffer.from(a.data, "base64").subarray(4, 36));
        if (!pre.has(pd)) pre.set(pd, this.snap(pd));
      }
    }
    const blockhash = svm.latestBlockhash();
    const r = svm.sendTransaction(tx);
    const meta = r.constructor.name === "FailedTransactionMetadata" ? r.meta() : r;
    const rd = meta.returnData();
    // A transaction that loaded its addresses names them after its
    // static keys; one that failed to load names only its static keys.
    const err = r.constructor.name === "FailedTransactionMetadata" ? errorOf(r.err()) : null;
    if (!(err && /AddressLookupTable|AccountLoadedTwice|TooManyAccountLocks|SanitizeFailure/.test(err.kind))) keys.push(...loaded);
    const lite = {
      status: r.constructor.name === "FailedTransactionMetadata" ? "error" : "ok",
      cu: meta.computeUnitsConsumed().toString(),
      logs: meta.logs(),
      return_data: { program_id: base58(rd.programId()), data: b64(rd.data()) },
      accounts: keys.map((k) => (this.nocache.has(k) ? undefined : this.programs.get(k)) ?? snapshot(svm, k)),
    };
    if (lite.status === "error") lite.error = err;
    const accounts = [...pre.values()].filter((a) => a.lamports !== "0");
    this.cases.push({ name, input: { id: name, accounts, transaction: b64(wire), blockhash }, lite });
    return lite;
  }
}

// lookupTableAddresses reads the addresses a lookup table account holds
// (after its 56-byte meta), or none.
export function lookupTableAddresses(svm, table) {
  const a = svm.getAccount(kit.address(table));
  if (!a.exists || a.data.length < 56) return [];
  const out = [];
  for (let off = 56; off + 32 <= a.data.length; off += 32) out.push(base58(a.data.subarray(off, off + 32)));
  return out;
}

export function ix(program, accounts, data) {
  return { programAddress: kit.address(program), accounts: accounts.map(([a, role]) => ({ address: kit.address(a), role })), data: data instanceof Uint8Array ? data : new Uint8Array(data) };
}
export const R = kit.AccountRole;

// compare returns the fields where Agora's result differs from Agave's.
export function compare(lite, agora) {
  const diffs = [];
  if (agora.status === "invalid") return [{ field: "case", lite: "", agora: agora.message }];
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (lite.status !== agora.status || !same(lite.error ?? null, agora.error ?? null)) diffs.push({ field: "error", lite: lite.error ?? "ok", agora: agora.error ?? "ok" });
  if (lite.cu !== agora.cu) diffs.push({ field: "cu", lite: lite.cu, agora: agora.cu });
  if (!same(lite.logs, agora.logs)) {
    const n = Math.max(lite.logs.length, agora.logs.length);
    let i = 0;
    while (i < n && lite.logs[i] === agora.logs[i]) i++;
    diffs.push({ field: "logs", lite: lite.logs[i] ?? "<end>", agora: agora.logs[i] ?? "<end>" });
  }
  if (!same(lite.return_data, agora.return_data)) diffs.push({ field: "return_data", lite: lite.return_data, agora: agora.return_data });
  for (let i = 0; i < lite.accounts.length; i++) {
    const a = lite.accounts[i], b = agora.accounts[i] ?? {};
    for (const f of ["lamports", "owner", "executable", "data"]) {
      if (a[f] !== b[f]) diffs.push({ field: `account.${f}`, lite: `${a.pubkey}: ${String(a[f]).slice(0, 80)}`, agora: String(b[f]).slice(0, 80) });
    }
  }
  return diffs;
}

export const u64le = (v) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true); return b; };
export const u32le = (v) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
export const cat = (...parts) => { const n = parts.reduce((s, p) => s + p.length, 0); const o = new Uint8Array(n); let off = 0; for (const p of parts) { o.set(p, off); off += p.length; } return o; };
export const bytesOf = (s) => new TextEncoder().encode(s);
export { kit };
