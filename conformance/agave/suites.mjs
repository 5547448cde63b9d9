// The suites of the differential harness. Each takes a Runner (LiteSVM
// plus the recorded cases), a seeded Rng and a number of cases to aim
// for, and sends transactions; every transaction becomes a case.
import { readFileSync, existsSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SYSTEM, TOKEN, TOKEN22, ATA, MEMO, LOADER_V2, UPGRADEABLE, RENT, ALT, SLOT_HASHES, INSTRUCTIONS,
  keypair, ix, R, u64le, u32le, cat, bytesOf, fromBase58, base58, setAccount, kit,
} from "./lib.mjs";

const SOL = 1_000_000_000n;

async function funded(run, rng, lamports = 10n * SOL) {
  const k = await keypair(rng);
  setAccount(run.svm, { pubkey: k.address, lamports, owner: SYSTEM, data: new Uint8Array() });
  return k;
}

// --- System: every instruction the runtime serves, valid and not ---

const sys = {
  create: (from, to, lamports, space, owner) => ix(SYSTEM, [[from, R.WRITABLE_SIGNER], [to, R.WRITABLE_SIGNER]], cat(u32le(0), u64le(lamports), u64le(space), fromBase58(owner))),
  assign: (acc, owner, role = R.WRITABLE_SIGNER) => ix(SYSTEM, [[acc, role]], cat(u32le(1), fromBase58(owner))),
  transfer: (from, to, lamports, fromRole = R.WRITABLE_SIGNER) => ix(SYSTEM, [[from, fromRole], [to, R.WRITABLE]], cat(u32le(2), u64le(lamports))),
  createWithSeed: (from, to, base, seed, lamports, space, owner) => ix(SYSTEM, [[from, R.WRITABLE_SIGNER], [to, R.WRITABLE], ...(base !== from ? [[base, R.READONLY_SIGNER]] : [])], cat(u32le(3), fromBase58(base), u64le(seed.length), bytesOf(seed), u64le(lamports), u64le(space), fromBase58(owner))),
  allocate: (acc, space, role = R.WRITABLE_SIGNER) => ix(SYSTEM, [[acc, role]], cat(u32le(8), u64le(space))),
  allocateWithSeed: (acc, base, seed, space, owner) => ix(SYSTEM, [[acc, R.WRITABLE], [base, R.READONLY_SIGNER]], cat(u32le(9), fromBase58(base), u64le(seed.length), bytesOf(seed), u64le(space), fromBase58(owner))),
  assignWithSeed: (acc, base, seed, owner) => ix(SYSTEM, [[acc, R.WRITABLE], [base, R.READONLY_SIGNER]], cat(u32le(10), fromBase58(base), u64le(seed.length), bytesOf(seed), fromBase58(owner))),
  transferWithSeed: (from, base, seed, fromOwner, to, lamports) => ix(SYSTEM, [[from, R.WRITABLE], [base, R.READONLY_SIGNER], [to, R.WRITABLE]], cat(u32le(11), u64le(lamports), u64le(seed.length), bytesOf(seed), fromBase58(fromOwner))),
};

async function withSeed(base, seed, owner) {
  return kit.createAddressWithSeed({ baseAddress: base, seed, programAddress: kit.address(owner) });
}

export async function systemSuite(run, rng, n) {
  const owners = [SYSTEM, TOKEN, MEMO, "Stake11111111111111111111111111111111111111"];
  const amounts = () => rng.pick([0n, 1n, 890879n, 890880n, 1_000_000n, SOL, 20n * SOL, 0xffffffffffffffffn]);
  const spaces = () => rng.pick([0n, 1n, 165n, 10240n, 10241n, 10n * 1024n * 1024n, 10n * 1024n * 1024n + 1n]);
  for (let i = 0; run.cases.length < n; i++) {
    const payer = await funded(run, rng);
    const a = await funded(run, rng, rng.pick([0n, 1n, 5000n, SOL]));
    const b = await keypair(rng);
    const seed = rng.pick(["", "seed", "x".repeat(32), "x".repeat(33)]);
    const owner = rng.pick(owners);
    const name = `system-${i}`;
    switch (i % 14) {
      case 0: await run.send(name + "-create", payer, [sys.create(payer.address, b.address, amounts(), spaces(), owner)], [b]); break;
      case 1: await run.send(name + "-transfer", payer, [sys.transfer(payer.address, b.address, amounts())]); break;
      case 2: await run.send(name + "-transfer-nosig", payer, [sys.transfer(a.address, b.address, 1n, R.WRITABLE)]); break;
      case 3: await run.send(name + "-assign", payer, [sys.assign(a.address, owner)], [a]); break;
      case 4: await run.send(name + "-allocate", payer, [sys.allocate(a.address, spaces())], [a]); break;
      case 5: {
        const to = await withSeed(payer.address, seed.slice(0, 32), owner);
        await run.send(name + "-create-seed", payer, [sys.createWithSeed(payer.address, to, payer.address, seed, amounts(), spaces(), owner)]);
        break;
      }
      case 6: {
        const to = await withSeed(a.address, "s", owner);
        await run.send(name + "-alloc-seed", payer, [sys.allocateWithSeed(to, a.address, "s", spaces(), owner)], [a]);
        break;
      }
      case 7: {
        const to = await withSeed(a.address, "s", SYSTEM);
        setAccount(run.svm, { pubkey: to, lamports: SOL, owner: SYSTEM, data: new Uint8Array() });
        await run.send(name + "-assign-seed", payer, [sys.assignWithSeed(to, a.address, rng.chance(0.8) ? "s" : "t", owner)], [a]);
        break;
      }
      case 8: {
        const from = await withSeed(a.address, "f", SYSTEM);
        setAccount(run.svm, { pubkey: from, lamports: SOL, owner: SYSTEM, data: new Uint8Array() });
        await run.send(name + "-transfer-seed", payer, [sys.transferWithSeed(from, a.address, "f", SYSTEM, b.address, amounts())], [a]);
        break;
      }
      case 9: // The same account twice, as sender and recipient.
        await run.send(name + "-self", payer, [sys.transfer(payer.address, payer.address, amounts())]);
        break;
      case 10: // An account that already holds data or lamports.
        setAccount(run.svm, { pubkey: b.address, lamports: rng.pick([1n, SOL]), owner: rng.pick([SYSTEM, TOKEN]), data: new Uint8Array(rng.int(3) * 8) });
        await run.send(name + "-create-existing", payer, [sys.create(payer.address, b.address, SOL, 8n, owner)], [b]);
        break;
      case 12: await nonceCase(run, rng, name, payer, a, b, amounts); break;
      case 13: await priorityCase(run, rng, name, payer, b); break;
      default: // Several instructions, the last one failing sometimes.
        await run.send(name + "-multi", payer, [sys.transfer(payer.address, b.address, SOL), sys.transfer(payer.address, a.address, amounts()), sys.assign(b.address, owner)], [b]);
    }
  }
}

// --- Priority fees: SetComputeUnitPrice times the limit, added to the
// signature fee, which the fee payer must cover ---

const COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111";
const cb = {
  limit: (units) => ix(COMPUTE_BUDGET, [], cat([2], u32le(units))),
  price: (micro) => ix(COMPUTE_BUDGET, [], cat([3], u64le(micro))),
};

async function priorityCase(run, rng, name, payer, b) {
  const price = rng.pick([0n, 1n, 999_999n, 1_000_000n, 1_000_001n, 5_000_000_000n, 1n << 63n, 0xffffffffffffffffn]);
  const ixs = [];
  if (rng.chance(0.7)) ixs.push(cb.limit(rng.pick([0, 1, 450, 3_150, 200_000, 1_400_000, 2_000_000])));
  ixs.push(cb.price(price));
  if (rng.chance(0.1)) ixs.push(cb.price(price + 1n));
  ixs.push(sys.transfer(payer.address, b.address, rng.pick([1n, 1_000_000n])));
  if (rng.chance(0.3)) setAccount(run.svm, { pubkey: payer.address, lamports: rng.pick([4_999n, 5_000n, 5_000n + 890_880n + 1n, 10_000_000n]), owner: SYSTEM, data: new Uint8Array() });
  await run.send(name + "-priority", payer, ixs);
}

// --- Durable nonces: the System program's nonce instructions and the
// transaction-age rule (a transaction whose blockhash is a nonce) ---

const RECENT_BLOCKHASHES = "SysvarRecentB1ockHashes11111111111111111111";
const nonceIx = {
  init: (nonce, auth) => ix(SYSTEM, [[nonce, R.WRITABLE], [RECENT_BLOCKHASHES, R.READONLY], [RENT, R.READONLY]], cat(u32le(6), fromBase58(auth))),
  advance: (nonce, auth, role = R.READONLY_SIGNER) => ix(SYSTEM, [[nonce, R.WRITABLE], [RECENT_BLOCKHASHES, R.READONLY], [auth, role]], u32le(4)),
  withdraw: (nonce, to, auth, lamports) => ix(SYSTEM, [[nonce, R.WRITABLE], [to, R.WRITABLE], [RECENT_BLOCKHASHES, R.READONLY], [RENT, R.READONLY], [auth, R.READONLY_SIGNER]], cat(u32le(5), u64le(lamports))),
  authorize: (nonce, auth, next) => ix(SYSTEM, [[nonce, R.WRITABLE], [auth, R.READONLY_SIGNER]], cat(u32le(7), fromBase58(next))),
  upgrade: (nonce) => ix(SYSTEM, [[nonce, R.WRITABLE]], u32le(12)),
};

// storedNonce reads the durable nonce a nonce account holds, as a
// blockhash (a stale one when the account holds none).
function storedNonce(run, nonce, rng) {
  const a = run.svm.getAccount(kit.address(nonce));
  return a.exists && a.data && a.data.length >= 72 ? base58(a.data.subarray(40, 72)) : base58(rng.bytes(32));
}

async function nonceCase(run, rng, name, payer, a, b, amounts) {
  const nonce = await keypair(rng);
  const auth = rng.chance(0.5) ? payer : a;
  const rentNonce = run.svm.minimumBalanceForRentExemption(80n);
  const space = rng.chance(0.9) ? 80n : rng.pick([0n, 79n, 81n]);
  await run.send(name + "-nonce-init", payer, [sys.create(payer.address, nonce.address, rng.chance(0.9) ? rentNonce : rentNonce - 1n, space, SYSTEM),
    nonceIx.init(nonce.address, auth.address)], [nonce]);
  if (rng.chance(0.7)) run.svm.expireBlockhash();
  const signers = auth === payer ? [] : [auth];
  switch (rng.int(9)) {
    case 0: await run.send(name + "-nonce-advance", payer, [nonceIx.advance(nonce.address, auth.address)], signers); break;
    case 1: await run.send(name + "-nonce-advance-nosig", payer, [nonceIx.advance(nonce.address, b.address, R.READONLY)]); break;
    case 2: await run.send(name + "-nonce-authorize", payer, [nonceIx.authorize(nonce.address, rng.chance(0.8) ? auth.address : payer.address, b.address)], signers); break;
    case 3: await run.send(name + "-nonce-withdraw", payer, [nonceIx.withdraw(nonce.address, b.address, auth.address, rng.pick([amounts(), rentNonce, 1n]))], signers); break;
    case 4: await run.send(name + "-nonce-upgrade", payer, [nonceIx.upgrade(nonce.address)]); break;
    case 5: { // A Legacy nonce account: upgrade it, or use it.
      const legacy = cat(u32le(0), u32le(1), fromBase58(auth.address), fromBase58(run.svm.latestBlockhash()), u64le(5000n));
      setAccount(run.svm, { pubkey: nonce.address, lamports: rentNonce, owner: SYSTEM, data: legacy });
      await run.send(name + "-nonce-legacy-" + (rng.chance(0.5) ? "upgrade" : "advance"), payer, [rng.chance(0.5) ? nonceIx.upgrade(nonce.address) : nonceIx.advance(nonce.address, auth.address)], signers);
      break;
    }
    default: { // A durable transaction: the nonce as its blockhash.
      const stored = storedNonce(run, nonce.address, rng);
      const kind = rng.int(6);
      const first = kind === 3 ? sys.transfer(payer.address, b.address, 1n) : nonceIx.advance(nonce.address, kind === 2 ? b.address : auth.address, kind === 2 ? R.READONLY : R.READONLY_SIGNER);
      const rest = kind === 1 ? [sys.transfer(payer.address, b.address, 20n * SOL)] : [sys.transfer(payer.address, b.address, 1_000_000n)];
      const hash = kind === 4 ? run.svm.latestBlockhash() : kind === 5 ? base58(rng.bytes(32)) : stored;
      await run.send(name + `-nonce-durable-${kind}`, payer, kind === 3 ? [first, nonceIx.advance(nonce.address, auth.address)] : [first, ...rest], signers, { blockhash: hash });
    }
  }
}

// --- SPL Token and Token-2022: random instruction sequences ---

const tok = {
  initMint2: (p, mint, dec, auth, freeze) => ix(p, [[mint, R.WRITABLE]], cat([20, dec], fromBase58(auth), freeze ? cat([1], fromBase58(freeze)) : new Uint8Array([0]))),
  initMint: (p, mint, dec, auth) => ix(p, [[mint, R.WRITABLE], [RENT, R.READONLY]], cat([0, dec], fromBase58(auth), [0])),
  initAccount: (p, acc, mint, owner) => ix(p, [[acc, R.WRITABLE], [mint, R.READONLY], [owner, R.READONLY], [RENT, R.READONLY]], [1]),
  initAccount3: (p, acc, mint, owner) => ix(p, [[acc, R.WRITABLE], [mint, R.READONLY]], cat([18], fromBase58(owner))),
  transfer: (p, src, dst, auth, amt, role = R.READONLY_SIGNER) => ix(p, [[src, R.WRITABLE], [dst, R.WRITABLE], [auth, role]], cat([3], u64le(amt))),
  transferChecked: (p, src, mint, dst, auth, amt, dec) => ix(p, [[src, R.WRITABLE], [mint, R.READONLY], [dst, R.WRITABLE], [auth, R.READONLY_SIGNER]], cat([12], u64le(amt), [dec])),
  approve: (p, src, del, owner, amt) => ix(p, [[src, R.WRITABLE], [del, R.READONLY], [owner, R.READONLY_SIGNER]], cat([4], u64le(amt))),
  revoke: (p, src, owner) => ix(p, [[src, R.WRITABLE], [owner, R.READONLY_SIGNER]], [5]),
  mintTo: (p, mint, dst, auth, amt, role = R.READONLY_SIGNER) => ix(p, [[mint, R.WRITABLE], [dst, R.WRITABLE], [auth, role]], cat([7], u64le(amt))),
  burn: (p, acc, mint, owner, amt) => ix(p, [[acc, R.WRITABLE], [mint, R.WRITABLE], [owner, R.READONLY_SIGNER]], cat([8], u64le(amt))),
  close: (p, acc, dst, owner) => ix(p, [[acc, R.WRITABLE], [dst, R.WRITABLE], [owner, R.READONLY_SIGNER]], [9]),
  freeze: (p, acc, mint, auth) => ix(p, [[acc, R.WRITABLE], [mint, R.READONLY], [auth, R.READONLY_SIGNER]], [10]),
  thaw: (p, acc, mint, auth) => ix(p, [[acc, R.WRITABLE], [mint, R.READONLY], [auth, R.READONLY_SIGNER]], [11]),
  setAuthority: (p, owned, cur, type, next) => ix(p, [[owned, R.WRITABLE], [cur, R.READONLY_SIGNER]], cat([6, type], next ? cat([1], fromBase58(next)) : [0])),
  dataSize: (p, mint) => ix(p, [[mint, R.READONLY]], [21]),
  amountToUi: (p, mint, amt) => ix(p, [[mint, R.READONLY]], cat([23], u64le(amt))),
  uiToAmount: (p, mint, s) => ix(p, [[mint, R.READONLY]], cat([24], bytesOf(s))),
  syncNative: (p, acc) => ix(p, [[acc, R.WRITABLE]], [17]),
  immutableOwner: (p, acc) => ix(p, [[acc, R.WRITABLE]], [22]),
};

function ataCreate(payer, ata, wallet, mint, tokenProgram, idempotent) {
  return ix(ATA, [[payer, R.WRITABLE_SIGNER], [ata, R.WRITABLE], [wallet, R.READONLY], [mint, R.READONLY], [SYSTEM, R.READONLY], [tokenProgram, R.READONLY]], idempotent ? [1] : []);
}

async function ataAddress(wallet, mint, tokenProgram) {
  const [a] = await kit.getProgramDerivedAddress({ programAddress: kit.address(ATA), seeds: [fromBase58(wallet), fromBase58(tokenProgram), fromBase58(mint)] });
  return a;
}

export async function tokenSuite(program, run, rng, n) {
  const start = run.cases.length;
  const P = program;
  for (let s = 0; run.cases.length - start < n; s++) {
    const name = (x) => `${P === TOKEN ? "token" : "token22"}-${s}-${x}`;
    const payer = await funded(run, rng, 100n * SOL);
    const auth = await keypair(rng);
    const wallets = [await keypair(rng), await keypair(rng), await keypair(rng)];
    const mint = await keypair(rng);
    const dec = rng.pick([0, 6, 9]);
    const rentMint = run.svm.minimumBalanceForRentExemption(82n);
    const rentAcc = run.svm.minimumBalanceForRentExemption(165n);
    await run.send(name("mint"), payer, [
      sys.create(payer.address, mint.address, rng.chance(0.9) ? rentMint : rentMint - 1n, rng.chance(0.95) ? 82n : 81n, P),
      rng.chance(0.5) ? tok.initMint2(P, mint.address, dec, auth.address, rng.chance(0.5) ? auth.address : null) : tok.initMint(P, mint.address, dec, auth.address),
    ], [mint]);
    const accts = [];
    for (const w of wallets) {
      if (rng.chance(0.5)) {
        const a = await ataAddress(w.address, mint.address, P);
        await run.send(name("ata"), payer, [ataCreate(payer.address, a, w.address, mint.address, P, rng.chance(0.3))]);
        accts.push({ key: a, owner: w });
      } else {
        const a = await keypair(rng);
        await run.send(name("account"), payer, [
          sys.create(payer.address, a.address, rentAcc, 165n, P),
          rng.chance(0.5) ? tok.initAccount3(P, a.address, mint.address, w.address) : tok.initAccount(P, a.address, mint.address, w.address),
        ], [a]);
        accts.push({ key: a.address, owner: w });
      }
    }
    const amount = () => rng.pick([0n, 1n, 100n, 1000n, 999999n, 0xffffffffffffffffn]);
    for (let k = 0; k < 8; k++) {
      const x = rng.pick(accts), y = rng.pick(accts);
      const signer = rng.chance(0.85) ? x.owner : rng.pick(wallets);
      let ixs, signers = [];
      switch (rng.int(16)) {
        case 0: ixs = [tok.mintTo(P, mint.address, x.key, auth.address, amount())]; signers = [auth]; break;
        case 1: ixs = [tok.mintTo(P, mint.address, x.key, auth.address, 5n, R.READONLY)]; break; // not a signer
        case 2: case 3: ixs = [tok.transfer(P, x.key, y.key, signer.address, amount())]; signers = [signer]; break;
        case 4: ixs = [tok.transferChecked(P, x.key, mint.address, y.key, signer.address, amount(), rng.chance(0.9) ? dec : dec + 1)]; signers = [signer]; break;
        case 5: ixs = [tok.approve(P, x.key, y.owner.address, signer.address, amount())]; signers = [signer]; break;
        case 6: ixs = [tok.revoke(P, x.key, signer.address)]; signers = [signer]; break;
        case 7: ixs = [tok.burn(P, x.key, mint.address, signer.address, amount())]; signers = [signer]; break;
        case 8: ixs = [tok.close(P, x.key, rng.chance(0.5) ? payer.address : y.key, signer.address)]; signers = [signer]; break;
        case 9: ixs = [tok.freeze(P, x.key, mint.address, auth.address)]; signers = [auth]; break;
        case 10: ixs = [tok.thaw(P, x.key, mint.address, auth.address)]; signers = [auth]; break;
        case 11: ixs = [tok.setAuthority(P, x.key, signer.address, 2, rng.chance(0.5) ? y.owner.address : null)]; signers = [signer]; break;
        case 12: ixs = [tok.dataSize(P, mint.address), tok.amountToUi(P, mint.address, amount())]; break;
        case 13: ixs = [tok.uiToAmount(P, mint.address, rng.pick(["1", "0.5", "1.0000000001", "abc", "18446744073709551616"]))]; break;
        case 14: ixs = [tok.transfer(P, x.key, x.key, x.owner.address, 1n)]; signers = [x.owner]; break; // to itself
        default: { // CPI through ATA for a wallet that may already have one.
          const w = rng.pick(wallets);
          ixs = [ataCreate(payer.address, await ataAddress(w.address, mint.address, P), w.address, mint.address, P, rng.chance(0.5))];
        }
      }
      const memo = rng.chance(0.2) ? [ix(MEMO, [], bytesOf("agora"))] : [];
      await run.send(name(`op${k}`), payer, [...ixs, ...memo], signers.filter((q) => q.address !== payer.address));
    }
  }
}

// --- Memo ---

export async function memoSuite(run, rng, n) {
  const start = run.cases.length;
  for (let i = 0; run.cases.length - start < n; i++) {
    const payer = await funded(run, rng);
    const other = await keypair(rng);
    const texts = [bytesOf("hello"), bytesOf("🦀 memo"), new Uint8Array([0xff, 0xfe]), new Uint8Array(), bytesOf("x".repeat(500)), new Uint8Array([0x68, 0x69, 0xc3])];
    const data = rng.pick(texts);
    const accounts = rng.chance(0.3) ? [[payer.address, R.READONLY_SIGNER], [other.address, rng.chance(0.5) ? R.READONLY_SIGNER : R.READONLY]] : [];
    const signers = accounts.some(([a, r]) => a === other.address && r === R.READONLY_SIGNER) ? [other] : [];
    await run.send(`memo-${i}`, payer, [ix(MEMO, accounts, data)], signers);
  }
}

// --- Agora's own examples, with standard syscalls only ---

// Agora's assembly and OVSM examples that use only standard syscalls, built
// with the agora binary under test.
function buildExamples(root, agora) {
  const dir = mkdtempSync(join(tmpdir(), "agora-examples-"));
  const out = [];
  for (const name of ["hello", "fib", "sum", "fault"]) {
    const so = join(dir, `${name}.so`);
    execFileSync(agora, ["asm", `${root}/examples/asm/${name}.s`, "-o", so]);
    out.push([`asm-${name}`, so, 64, new Uint8Array([1, 2, 3])]);
  }
  for (const name of ["debuggable-agent", "price-oracle-agent"]) {
    const so = join(dir, `${name}.so`);
    execFileSync(agora, ["compile", `${root}/examples/ovsm/${name}.ovsm`, "-o", so], { stdio: ["ignore", "ignore", "ignore"] });
    out.push([`ovsm-${name}`, so, 256, new Uint8Array(16)]);
  }
  return out;
}

// RESERVED are account keys of builtin programs and sysvars that Agave
// never write-locks, beyond those the other suites name writable.
const RESERVED = [
  SYSTEM, "Stake11111111111111111111111111111111111111", "StakeConfig11111111111111111111111111111111",
  "Vote111111111111111111111111111111111111111", "Feature111111111111111111111111111111111111",
  "KeccakSecp256k11111111111111111111111111111", "Ed25519SigVerify111111111111111111111111111",
  "ZkTokenProof1111111111111111111111111111111", "ZkE1Gama1Proof11111111111111111111111111111",
  "SysvarRewards111111111111111111111111111111", "Sysvar1111111111111111111111111111111111111",
  "Secp256r1SigVerify1111111111111111111111111", "ComputeBudget111111111111111111111111111111",
];

export async function examplesSuite(run, rng, root, agora) {
  const progs = [
    ...buildExamples(root, agora).map(([n, p, size, data]) => [n, p, size, data, true]),
    ["hello", "testdata/c/hello.so", 0, new Uint8Array()],
    ["counter", "testdata/c/counter.so", 16, u64le(5)],
    ["counter-short", "testdata/c/counter.so", 16, new Uint8Array([1])],
    ["sha256", "testdata/c/sha256.so", 0, new Uint8Array()],
  ];
  for (const [name, path, size, data, abs] of progs) {
    const file = abs ? path : `${root}/${path}`;
    if (!existsSync(file)) throw new Error(`missing committed example ${file}`);
    const elf = readFileSync(file);
    const pid = (await keypair(rng)).address;
    setAccount(run.svm, { pubkey: pid, lamports: SOL, owner: LOADER_V2, executable: true, data: new Uint8Array(elf) });
    const payer = await funded(run, rng);
    const acc = await keypair(rng);
    setAccount(run.svm, { pubkey: acc.address, lamports: SOL, owner: pid, data: new Uint8Array(size) });
    await run.send(`example-${name}`, payer, [ix(pid, [[acc.address, R.WRITABLE]], data)]);
  }
  // Reserved account keys (builtin programs and sysvars) named writable
  // are demoted to read-only: inspect logs each account's flags.
  {
    const pid = (await keypair(rng)).address;
    setAccount(run.svm, { pubkey: pid, lamports: SOL, owner: LOADER_V2, executable: true, data: new Uint8Array(readFileSync(`${root}/testdata/c/inspect.so`)) });
    for (const key of RESERVED) {
      const payer = await funded(run, rng);
      await run.send(`example-reserved-${key}`, payer, [ix(pid, [[key, R.WRITABLE]], new Uint8Array())]);
    }
  }
  // cpicollect: one System transfer by CPI per payer (here the fee payer
  // and a second signer), into a payee.
  const elf = readFileSync(`${root}/testdata/c/cpicollect.so`);
  const pid = (await keypair(rng)).address;
  setAccount(run.svm, { pubkey: pid, lamports: SOL, owner: LOADER_V2, executable: true, data: new Uint8Array(elf) });
  for (const amount of [1_000_000n, 20n * SOL]) {
    const payer = await funded(run, rng);
    const other = await funded(run, rng);
    const payee = await funded(run, rng, SOL);
    await run.send(`example-cpicollect-${amount}`, payer, [ix(pid, [[payer.address, R.WRITABLE_SIGNER], [other.address, R.WRITABLE_SIGNER], [payee.address, R.WRITABLE], [SYSTEM, R.READONLY]], u64le(amount))], [other]);
  }
  // A fee payer whose key is the identity point (small order) "signs"
  // with R = identity, S = 0, which satisfies the cofactorless equation
  // for any message; Agave's verify_strict refuses it.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const forger = {
    address: kit.address(base58(identity)),
    signTransactions: async (txs) => txs.map(() => { const s = new Uint8Array(64); s[0] = 1; return { [base58(identity)]: s }; }),
  };
  setAccount(run.svm, { pubkey: forger.address, lamports: 10n * SOL, owner: SYSTEM, data: new Uint8Array() });
  await run.send("sigverify-small-order-payer", forger, [sys.transfer(forger.address, "Payee11111111111111111111111111111111111111", SOL)]);
}

// --- The upgradeable loader: deploy the way clients do, then upgrade,
// hand over authority, extend and close; with wrong authorities, missing
// signatures, short buffers and accounts, same-slot redeploys ---

const CLOCK = "SysvarC1ock11111111111111111111111111111111";
const up = {
  init: (buffer, auth) => ix(UPGRADEABLE, [[buffer, R.WRITABLE], [auth, R.READONLY]], u32le(0)),
  write: (buffer, auth, offset, bytes, role = R.READONLY_SIGNER) => ix(UPGRADEABLE, [[buffer, R.WRITABLE], [auth, role]], cat(u32le(1), u32le(offset), u64le(bytes.length), bytes)),
  deploy: (payer, pd, program, buffer, auth, maxLen, role = R.READONLY_SIGNER) => ix(UPGRADEABLE, [[payer, R.WRITABLE_SIGNER], [pd, R.WRITABLE], [program, R.WRITABLE], [buffer, R.WRITABLE], [RENT, R.READONLY], [CLOCK, R.READONLY], [SYSTEM, R.READONLY], [auth, role]], cat(u32le(2), u64le(maxLen))),
  upgrade: (pd, program, buffer, spill, auth) => ix(UPGRADEABLE, [[pd, R.WRITABLE], [program, R.WRITABLE], [buffer, R.WRITABLE], [spill, R.WRITABLE], [RENT, R.READONLY], [CLOCK, R.READONLY], [auth, R.READONLY_SIGNER]], u32le(3)),
  setAuth: (acc, cur, next) => ix(UPGRADEABLE, [[acc, R.WRITABLE], [cur, R.READONLY_SIGNER], ...(next ? [[next, R.READONLY]] : [])], u32le(4)),
  setAuthChecked: (acc, cur, next, nextRole = R.READONLY_SIGNER) => ix(UPGRADEABLE, [[acc, R.WRITABLE], [cur, R.READONLY_SIGNER], [next, nextRole]], u32le(7)),
  close: (acc, to, auth, program) => ix(UPGRADEABLE, [[acc, R.WRITABLE], [to, R.WRITABLE], ...(auth ? [[auth, R.READONLY_SIGNER]] : []), ...(program ? [[program, R.WRITABLE]] : [])], u32le(5)),
  extend: (pd, program, payer, n) => ix(UPGRADEABLE, [[pd, R.WRITABLE], [program, R.WRITABLE], [SYSTEM, R.READONLY], [payer, R.WRITABLE_SIGNER]], cat(u32le(6), u32le(n))),
};

async function programDataOf(program) {
  const [a] = await kit.getProgramDerivedAddress({ programAddress: kit.address(UPGRADEABLE), seeds: [fromBase58(program)] });
  return a;
}

function nextSlot(run) {
  const c = run.svm.getClock();
  run.svm.warpToSlot(c.slot + 1n);
}

// writeBuffer creates and fills a buffer in chunks; it returns false if a
// step failed.
async function writeBuffer(run, rng, name, payer, auth, buffer, elf, signers) {
  const rent = run.svm.minimumBalanceForRentExemption(BigInt(37 + elf.length));
  let r = await run.send(name + "-buffer", payer, [sys.create(payer.address, buffer.address, rent, BigInt(37 + elf.length), UPGRADEABLE), up.init(buffer.address, auth.address)], [buffer]);
  if (r.status !== "ok") return false;
  const chunk = 900;
  for (let off = 0; off < elf.length; off += chunk) {
    const bad = rng.int(40);
    const bytes = elf.subarray(off, Math.min(off + chunk, elf.length));
    if (bad === 0) await run.send(name + "-write-nosig", payer, [up.write(buffer.address, auth.address, off, bytes, R.READONLY)]);
    else if (bad === 1) await run.send(name + "-write-overflow", payer, [up.write(buffer.address, auth.address, elf.length - 1, bytes)], signers);
    r = await run.send(name + "-write", payer, [up.write(buffer.address, auth.address, off, bytes)], signers);
    if (r.status !== "ok") return false;
  }
  return true;
}

export async function loaderSuite(run, rng, root, n) {
  const start = run.cases.length;
  const hello = new Uint8Array(readFileSync(`${root}/testdata/c/hello.so`));
  const counter = new Uint8Array(readFileSync(`${root}/testdata/c/counter.so`));
  for (let i = 0; run.cases.length - start < n; i++) {
    const name = `loader-${i}`;
    const payer = await funded(run, rng, 100n * SOL);
    const auth = rng.chance(0.5) ? payer : await funded(run, rng, SOL);
    const signers = auth === payer ? [] : [auth];
    const buffer = await keypair(rng), program = await keypair(rng), other = await keypair(rng);
    const pd = await programDataOf(program.address);
    for (const k of [buffer.address, program.address, pd]) run.nocache.add(k);
    const elf = rng.chance(0.5) ? hello : counter;
    if (!(await writeBuffer(run, rng, name, payer, auth, buffer, elf, signers))) continue;
    nextSlot(run);
    // Deploy: the program account through System, then the loader.
    const v = rng.int(10);
    const progRent = run.svm.minimumBalanceForRentExemption(36n);
    const maxLen = BigInt(v === 1 ? elf.length - 1 : v === 2 ? elf.length : 2 * elf.length);
    const pdKey = v === 3 ? (await keypair(rng)).address : pd;
    const progSpace = v === 4 ? 35n : 36n;
    let r = await run.send(name + `-deploy-${v}`, payer, [sys.create(payer.address, program.address, progRent, progSpace, UPGRADEABLE),
      up.deploy(payer.address, pdKey, program.address, buffer.address, v === 5 ? other.address : auth.address, maxLen, v === 6 ? R.READONLY : R.READONLY_SIGNER)], v === 5 ? [program, other] : [program, ...signers]);
    if (r.status !== "ok") continue;
    const call = ix(program.address, [], new Uint8Array([1, 2]));
    // Invoking in the deploy's slot finds it not deployed yet.
    if (rng.chance(0.3)) await run.send(name + "-call-sameslot", payer, [call]);
    nextSlot(run);
    await run.send(name + "-call", payer, [call]);
    switch (rng.int(7)) {
      case 0: { // Upgrade with a new buffer, maybe in the buffer's slot.
        const buf2 = await keypair(rng);
        run.nocache.add(buf2.address);
        if (!(await writeBuffer(run, rng, name + "-up", payer, auth, buf2, rng.chance(0.5) ? hello : counter, signers))) break;
        if (rng.chance(0.8)) nextSlot(run);
        const spill = await keypair(rng);
        r = await run.send(name + "-upgrade", payer, [up.upgrade(pd, program.address, buf2.address, spill.address, auth.address)], signers);
        nextSlot(run);
        await run.send(name + "-call-upgraded", payer, [call]);
        break;
      }
      case 1: { // Hand the program to another authority, or make it immutable.
        const cur = rng.chance(0.9) ? auth : other;
        await run.send(name + "-setauth", payer, [up.setAuth(pd, cur.address, rng.chance(0.7) ? other.address : null)], cur === payer ? [] : [cur]);
        break;
      }
      case 2:
        await run.send(name + "-setauth-checked", payer, [up.setAuthChecked(pd, auth.address, other.address, rng.chance(0.8) ? R.READONLY_SIGNER : R.READONLY)], [...signers, other]);
        break;
      case 3: { // Close the program, then call it.
        const to = await keypair(rng);
        const closer = rng.chance(0.9) ? auth : other;
        await run.send(name + "-close", payer, [up.close(pd, to.address, closer.address, program.address)], closer === payer ? [] : [closer]);
        nextSlot(run);
        await run.send(name + "-call-closed", payer, [call]);
        break;
      }
      case 4: // Extend, then call.
        await run.send(name + "-extend", payer, [up.extend(pd, program.address, payer.address, rng.pick([0, 1, 1024, 10240, 20000, 10 * 1024 * 1024]))]);
        nextSlot(run);
        await run.send(name + "-call-extended", payer, [call]);
        break;
      case 5: { // A second buffer, closed by its authority (or not).
        const buf2 = await keypair(rng);
        run.nocache.add(buf2.address);
        if (!(await writeBuffer(run, rng, name + "-b2", payer, auth, buf2, hello, signers))) break;
        const closer = rng.chance(0.8) ? auth : other;
        await run.send(name + "-close-buffer", payer, [up.close(buf2.address, payer.address, closer.address)], closer === payer ? [] : [closer]);
        break;
      }
      default: // Set the buffer authority on an already drained buffer, and more wrong states.
        await run.send(name + "-setauth-program", payer, [up.setAuth(program.address, auth.address, other.address)], signers);
    }
  }
}

// --- Random programs (from the Go generator) ---

export async function programsSuite(run, rng, programs) {
  for (const p of programs) {
    const pid = (await keypair(rng)).address;
    try {
      setAccount(run.svm, { pubkey: pid, lamports: SOL, owner: LOADER_V2, executable: true, data: new Uint8Array(Buffer.from(p.elf, "base64")) });
    } catch (e) {
      // Agave refuses to load it: the loader or verifier said no.
      run.refused.push({ name: p.name, reason: String(e.message) });
      continue;
    }
    const payer = await funded(run, rng);
    const acc = await keypair(rng);
    setAccount(run.svm, { pubkey: acc.address, lamports: SOL, owner: pid, data: rng.bytes(16) });
    await run.send(p.name, payer, [ix(pid, [[acc.address, R.WRITABLE]], rng.bytes(rng.int(12)))]);
  }
}

// --- Address lookup tables and v0 transactions ---

const ALT_IX = {
  create: (table, auth, payer, slot, bump, authRole = R.READONLY_SIGNER, payerRole = R.WRITABLE_SIGNER) =>
    ix(ALT, [[table, R.WRITABLE], [auth, authRole], [payer, payerRole], [SYSTEM, R.READONLY]], cat(u32le(0), u64le(slot), new Uint8Array([bump]))),
  freeze: (table, auth, authRole = R.READONLY_SIGNER) => ix(ALT, [[table, R.WRITABLE], [auth, authRole]], u32le(1)),
  extend: (table, auth, payer, addrs) => ix(ALT, [[table, R.WRITABLE], [auth, R.READONLY_SIGNER], [payer, R.WRITABLE_SIGNER], [SYSTEM, R.READONLY]], cat(u32le(2), u64le(addrs.length), ...addrs.map(fromBase58))),
  deactivate: (table, auth) => ix(ALT, [[table, R.WRITABLE], [auth, R.READONLY_SIGNER]], u32le(3)),
  close: (table, auth, to) => ix(ALT, [[table, R.WRITABLE], [auth, R.READONLY_SIGNER], [to, R.WRITABLE]], u32le(4)),
};

// nativeTwin repeats the last case with the lookup table program as
// Agora's builtin (a native-loader account) instead of the Core BPF
// program LiteSVM runs: the outcome and the accounts must agree; the
// compute units and the logs are the builtin's (allowlisted).
function nativeTwin(run) {
  const c = run.cases[run.cases.length - 1];
  const native = { pubkey: ALT, lamports: "1", owner: "NativeLoader1111111111111111111111111111111", executable: true, data: "" };
  const swap = (a) => a.pubkey === ALT ? native : a;
  const accounts = c.input.accounts.map(swap);
  run.cases.push({ name: `${c.name}-native`, input: { ...c.input, id: `${c.name}-native`, accounts }, lite: { ...c.lite, accounts: c.lite.accounts.map(swap) } });
}

export async function altSuite(run, rng, n, reader) {
  const svm = run.svm;
  let slot = 10_000n;
  const setSlot = (s) => {
    slot = s;
    svm.warpToSlot(s);
    const hashes = [];
    for (let x = s - 1n; x >= 0n && x >= s - 512n; x--) hashes.push({ slot: x, hash: base58(cat(u64le(x), new Uint8Array(24))) });
    svm.setSlotHashes(hashes);
    svm.expireBlockhash();
  };
  setSlot(slot);
  const extra = { extra: [SLOT_HASHES] };
  const send = async (name, payer, ixs, signers = [], opts = {}) => {
    const r = await run.send(name, payer, ixs, signers, { ...extra, ...opts });
    if (ixs.some((i) => i.programAddress === ALT)) nativeTwin(run);
    return r;
  };
  for (let i = 0; run.cases.length < n; i++) {
    const name = `alt-${i}`;
    const payer = await funded(run, rng, 100n * SOL);
    const auth = await keypair(rng);
    // Create, sometimes wrongly.
    const recent = rng.pick([slot - 1n, slot - 1n, slot - 7n, slot, slot - 600n]);
    const [table, bump] = await kit.getProgramDerivedAddress({ programAddress: kit.address(ALT), seeds: [fromBase58(auth.address), u64le(recent)] });
    switch (rng.int(6)) {
      case 0: await send(`${name}-create-badbump`, payer, [ALT_IX.create(table, auth.address, payer.address, recent, (bump + 1) % 256)], [auth]); break;
      case 1: await send(`${name}-create-unsigned-payer`, payer, [ALT_IX.create(table, auth.address, auth.address, recent, bump, R.WRITABLE, R.WRITABLE)]); break;
      case 2: await send(`${name}-create-unsigned-auth`, payer, [ALT_IX.create(table, auth.address, payer.address, recent, bump, R.READONLY)]); break;
      default: break;
    }
    const created = await send(`${name}-create`, payer, [ALT_IX.create(table, auth.address, payer.address, recent, bump)], [auth]);
    if (created.status !== "ok") continue;
    if (rng.chance(0.3)) await send(`${name}-create-again`, payer, [ALT_IX.create(table, auth.address, payer.address, recent, bump)], [auth]);
    if (rng.chance(0.3)) await send(`${name}-freeze-empty`, payer, [ALT_IX.freeze(table, auth.address)], [auth]);
    // Extend with accounts of every kind.
    const k = rng.pick([0, 1, 3, 8, 20]);
    const addrs = [];
    for (let j = 0; j < k; j++) addrs.push((await funded(run, rng, rng.pick([0n, SOL]))).address);
    if (k > 2) addrs.push(INSTRUCTIONS, SYSTEM);
    await send(`${name}-extend-${addrs.length}`, payer, [ALT_IX.extend(table, auth.address, payer.address, addrs)], [auth]);
    if (rng.chance(0.3)) await send(`${name}-extend-wrongauth`, payer, [ALT_IX.extend(table, payer.address, payer.address, [payer.address])]);
    if (addrs.length < 2) continue;
    const tables = { [table]: addrs.slice(0, k) };
    const to = addrs[0];
    const transfer = sys.transfer(payer.address, to, rng.pick([1n, 1n, SOL, 1000n * SOL]));
    // A transfer naming a loaded read-only account besides.
    const readAll = ix(SYSTEM, [[payer.address, R.WRITABLE_SIGNER], [to, R.WRITABLE], [addrs[1], R.READONLY]], cat(u32le(2), u64le(1)));
    // In the slot that extended the table its new addresses are not usable.
    await send(`${name}-v0-sameslot`, payer, [transfer], [], { tables });
    setSlot(slot + 1n);
    await send(`${name}-v0-transfer`, payer, [transfer, readAll], [], { tables });
    if (reader) await send(`${name}-v0-ixsysvar`, payer, [ix(reader, [[INSTRUCTIONS, R.READONLY], [to, R.WRITABLE], [addrs[1], R.READONLY]], rng.bytes(4)), readAll], [], { tables });
    // A table claimed longer than it is: index 255 names nothing.
    await send(`${name}-v0-badindex`, payer, [transfer], [], { tables: { [table]: [...Array(255).fill(SYSTEM), to] } });
    const stranger = await funded(run, rng, SOL);
    await send(`${name}-v0-notfound`, payer, [transfer], [], { tables: { [(await keypair(rng)).address]: [to] } });
    await send(`${name}-v0-owner`, payer, [transfer], [], { tables: { [stranger.address]: [to] } });
    const junk = (await keypair(rng)).address;
    setAccount(svm, { pubkey: junk, lamports: SOL, owner: ALT, data: rng.bytes(rng.pick([3, 40, 56, 57, 88])) });
    await send(`${name}-v0-data`, payer, [transfer], [], { tables: { [junk]: [to] } });
    if (rng.chance(0.5)) {
      await send(`${name}-freeze`, payer, [ALT_IX.freeze(table, auth.address)], [auth]);
      await send(`${name}-extend-frozen`, payer, [ALT_IX.extend(table, auth.address, payer.address, [payer.address])], [auth]);
      continue;
    }
    await send(`${name}-close-active`, payer, [ALT_IX.close(table, auth.address, payer.address)], [auth]);
    await send(`${name}-deactivate`, payer, [ALT_IX.deactivate(table, auth.address)], [auth]);
    await send(`${name}-close-deactivating`, payer, [ALT_IX.close(table, auth.address, payer.address)], [auth]);
    setSlot(slot + 1n);
    await send(`${name}-v0-deactivating`, payer, [transfer], [], { tables });
    setSlot(slot + 513n);
    await send(`${name}-v0-deactivated`, payer, [transfer], [], { tables });
    await send(`${name}-close-self`, payer, [ALT_IX.close(table, auth.address, table)], [auth]);
    await send(`${name}-close`, payer, [ALT_IX.close(table, auth.address, payer.address)], [auth]);
  }
}

// --- The Instructions sysvar, read by a program ---

// deployIxsysvar assembles conformance/agave/asm/ixsysvar.s with the
// agora under test and places it in LiteSVM; it returns its address.
export async function deployIxsysvar(run, rng, root, agora) {
  const dir = mkdtempSync(join(tmpdir(), "agora-ixsysvar-"));
  const so = join(dir, "ixsysvar.so");
  execFileSync(agora, ["asm", `${root}/conformance/agave/asm/ixsysvar.s`, "-o", so]);
  const pid = (await keypair(rng)).address;
  setAccount(run.svm, { pubkey: pid, lamports: SOL, owner: LOADER_V2, executable: true, data: new Uint8Array(readFileSync(so)) });
  return pid;
}

export async function ixsysvarSuite(run, rng, pid, n) {
  for (let i = 0; run.cases.length < n; i++) {
    const payer = await funded(run, rng);
    const other = await funded(run, rng, SOL);
    const signer = await funded(run, rng, SOL);
    const role = rng.pick([R.READONLY, R.WRITABLE]);
    const read = () => ix(pid, [[INSTRUCTIONS, role], [other.address, rng.pick([R.READONLY, R.WRITABLE])], [signer.address, R.READONLY_SIGNER]], rng.bytes(rng.int(40)));
    const ixs = [];
    for (let j = 0, m = 1 + rng.int(4); j < m; j++) ixs.push(rng.chance(0.3) ? sys.transfer(payer.address, other.address, 1n) : read());
    if (!ixs.some((x) => x.programAddress === pid)) ixs.push(read());
    await run.send(`ixsysvar-${i}`, payer, ixs, [signer]);
  }
}
