/*
 * agora.h - the C SDK for sBPF programs run by Agora (and by Solana).
 *
 * A program is one C file that includes this header and defines
 *
 *     uint64_t entrypoint(const uint8_t *input);
 *
 * The runtime calls it with input pointing at the serialized instruction
 * (Solana's aligned input ABI, see sol_deserialize below) and reads its
 * return value: SUCCESS (0), one of the ERROR_* codes, or a custom error
 * number below 2^32.
 *
 * Build with clang -target bpf -mcpu=v2 -O2 and link with the Agora
 * linker (see examples/c/Makefile): every function declared here without
 * a body is a syscall, which the linked program calls through an
 * R_BPF_64_32 relocation against its name.
 *
 * The header needs no C library and defines everything it uses. Programs
 * must not have writable global data (.data, .bss): the loader rejects
 * it. The stack is 4 KiB per frame, but clang's upstream BPF backend
 * refuses frames over 512 bytes.
 */
#ifndef AGORA_H
#define AGORA_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ------------------------------------------------------------ */

typedef __INT8_TYPE__ int8_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __INT16_TYPE__ int16_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __INT32_TYPE__ int32_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;

#if !defined(__cplusplus) && !defined(__bool_true_false_are_defined)
#define bool _Bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1
#endif

#ifndef NULL
#define NULL ((void *)0)
#endif

/* Compile-time checks of the layouts the runtime relies on. */
#define SOL_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
SOL_STATIC_ASSERT(sizeof(void *) == 8, "sBPF pointers are 64-bit");
SOL_STATIC_ASSERT(sizeof(uint64_t) == 8, "uint64_t is 8 bytes");

/* The number of elements of an array (not of a pointer). */
#define SOL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Return codes ------------------------------------------------------ */

/* Builtin errors live in the upper 32 bits of the return value; a value
 * below 2^32 is a custom error (Custom(n)); 0 is success. */
#define TO_BUILTIN(n) ((uint64_t)(n) << 32)

#define SUCCESS 0
#define ERROR_CUSTOM_ZERO TO_BUILTIN(1)
#define ERROR_INVALID_ARGUMENT TO_BUILTIN(2)
#define ERROR_INVALID_INSTRUCTION_DATA TO_BUILTIN(3)
#define ERROR_INVALID_ACCOUNT_DATA TO_BUILTIN(4)
#define ERROR_ACCOUNT_DATA_TOO_SMALL TO_BUILTIN(5)
#define ERROR_INSUFFICIENT_FUNDS TO_BUILTIN(6)
#define ERROR_INCORRECT_PROGRAM_ID TO_BUILTIN(7)
#define ERROR_MISSING_REQUIRED_SIGNATURES TO_BUILTIN(8)
#define ERROR_ACCOUNT_ALREADY_INITIALIZED TO_BUILTIN(9)
#define ERROR_UNINITIALIZED_ACCOUNT TO_BUILTIN(10)
#define ERROR_NOT_ENOUGH_ACCOUNT_KEYS TO_BUILTIN(11)
#define ERROR_ACCOUNT_BORROW_FAILED TO_BUILTIN(12)
#define ERROR_MAX_SEED_LENGTH_EXCEEDED TO_BUILTIN(13)
#define ERROR_INVALID_SEEDS TO_BUILTIN(14)
#define ERROR_BORSH_IO_ERROR TO_BUILTIN(15)
#define ERROR_ACCOUNT_NOT_RENT_EXEMPT TO_BUILTIN(16)
#define ERROR_UNSUPPORTED_SYSVAR TO_BUILTIN(17)
#define ERROR_ILLEGAL_OWNER TO_BUILTIN(18)
#define ERROR_MAX_ACCOUNTS_DATA_ALLOCATIONS_EXCEEDED TO_BUILTIN(19)
#define ERROR_INVALID_ACCOUNT_DATA_REALLOC TO_BUILTIN(20)
#define ERROR_MAX_INSTRUCTION_TRACE_LENGTH_EXCEEDED TO_BUILTIN(21)
#define ERROR_BUILTIN_PROGRAMS_MUST_CONSUME_COMPUTE_UNITS TO_BUILTIN(22)
#define ERROR_INVALID_ACCOUNT_OWNER TO_BUILTIN(23)
#define ERROR_ARITHMETIC_OVERFLOW TO_BUILTIN(24)
#define ERROR_IMMUTABLE TO_BUILTIN(25)
#define ERROR_INCORRECT_AUTHORITY TO_BUILTIN(26)

/* ---- Accounts and instructions ---------------------------------------- */

#define SIZE_PUBKEY 32

/* An account address or program id. */
typedef struct {
  uint8_t x[SIZE_PUBKEY];
} SolPubkey;

/* A slice of bytes, as the hashing and logging syscalls take them. */
typedef struct {
  const uint8_t *addr;
  uint64_t len;
} SolBytes;

/* One account of the instruction, pointing into the input: writes through
 * lamports and data (up to data_len, or into the realloc space after it)
 * are what the runtime reads back. The field order is the runtime's own
 * C account layout (as cross-program invocation expects it). */
typedef struct {
  SolPubkey *key;       /* the account's address */
  uint64_t *lamports;   /* its balance */
  uint64_t data_len;    /* bytes of data */
  uint8_t *data;        /* the data */
  SolPubkey *owner;     /* the program that owns it */
  uint64_t rent_epoch;  /* always UINT64_MAX in the input */
  bool is_signer;       /* the transaction is signed by this account */
  bool is_writable;     /* the instruction may modify it */
  bool executable;      /* it holds a program */
} SolAccountInfo;

/* The deserialized instruction. */
typedef struct {
  SolAccountInfo *ka;          /* accounts, ka_num of them filled in */
  uint64_t ka_num;             /* accounts in the instruction */
  const uint8_t *data;         /* instruction data */
  uint64_t data_len;           /* bytes of instruction data */
  const SolPubkey *program_id; /* the program being run */
} SolParameters;

/* Input layout (Solana's aligned ABI, all integers little endian):
 *   u64 number of accounts, then for each account either
 *     u8 index of the earlier account it duplicates, 7 bytes padding
 *   or
 *     u8 0xff, u8 is_signer, u8 is_writable, u8 executable, 4 bytes
 *     padding, key[32], owner[32], u64 lamports, u64 data_len,
 *     data[data_len], MAX_PERMITTED_DATA_INCREASE bytes of realloc
 *     space, padding to 8, u64 rent_epoch;
 *   then u64 instruction data length, the data, and program id[32]. */
#define MAX_PERMITTED_DATA_INCREASE (10 * 1024)
#define MAX_PERMITTED_DATA_LENGTH (10 * 1024 * 1024)
#define BPF_ALIGN_OF_U128 8
#define NON_DUP_MARKER 0xff

/* sol_deserialize fills params from the input. ka must have room for
 * ka_num accounts; accounts beyond ka_num are skipped (params->ka_num still
 * counts them). A duplicate entry gets a copy of the earlier entry, so
 * both point at the same lamports and data. It returns false when the
 * input names a duplicate of an account not yet seen, or ka is NULL while
 * ka_num > 0. */
static inline bool sol_deserialize(const uint8_t *input, SolParameters *params,
                                   uint64_t ka_num) {
  if (input == NULL || params == NULL || (params->ka == NULL && ka_num > 0)) {
    return false;
  }
  params->ka_num = *(const uint64_t *)input;
  input += sizeof(uint64_t);
  for (uint64_t i = 0; i < params->ka_num; i++) {
    uint8_t dup = input[0];
    if (dup != NON_DUP_MARKER) {
      input += sizeof(uint64_t);
      if (i < ka_num) {
        if (dup >= i) {
          return false;
        }
        params->ka[i] = params->ka[dup];
      }
      continue;
    }
    if (i < ka_num) {
      SolAccountInfo *a = &params->ka[i];
      a->is_signer = input[1] != 0;
      a->is_writable = input[2] != 0;
      a->executable = input[3] != 0;
    }
    input += 8; /* marker, flags, padding */
    SolPubkey *key = (SolPubkey *)input;
    input += sizeof(SolPubkey);
    SolPubkey *owner = (SolPubkey *)input;
    input += sizeof(SolPubkey);
    uint64_t *lamports = (uint64_t *)input;
    input += sizeof(uint64_t);
    uint64_t data_len = *(const uint64_t *)input;
    input += sizeof(uint64_t);
    uint8_t *data = (uint8_t *)input;
    input += data_len + MAX_PERMITTED_DATA_INCREASE;
    input = (const uint8_t *)(((uintptr_t)input + BPF_ALIGN_OF_U128 - 1) &
                              ~(uintptr_t)(BPF_ALIGN_OF_U128 - 1));
    uint64_t rent_epoch = *(const uint64_t *)input;
    input += sizeof(uint64_t);
    if (i < ka_num) {
      SolAccountInfo *a = &params->ka[i];
      a->key = key;
      a->owner = owner;
      a->lamports = lamports;
      a->data_len = data_len;
      a->data = data;
      a->rent_epoch = rent_epoch;
    }
  }
  params->data_len = *(const uint64_t *)input;
  input += sizeof(uint64_t);
  params->data = input;
  input += params->data_len;
  params->program_id = (const SolPubkey *)input;
  return true;
}

/* ---- Syscalls ---------------------------------------------------------- */

/* Logging. sol_log_ logs "Program log: <message>". */
void sol_log_(const char *message, uint64_t len);
/* Logs the five values as "Program log: 0x1, 0x2, ...". */
void sol_log_64_(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e);
/* Logs "Program consumption: <n> units remaining". */
void sol_log_compute_units_(void);
/* Logs the key in base58. */
void sol_log_pubkey(const SolPubkey *key);
/* Logs "Program data: " and each slice in base64. */
void sol_log_data(const SolBytes *slices, uint64_t count);

/* Memory. The regions of memcpy may not overlap (memmove's may). memcmp
 * stores the difference of the first unequal bytes, or 0, at *result. */
void sol_memcpy_(void *dst, const void *src, uint64_t n);
void sol_memmove_(void *dst, const void *src, uint64_t n);
void sol_memset_(void *dst, uint8_t c, uint64_t n);
void sol_memcmp_(const void *a, const void *b, uint64_t n, int32_t *result);

/* Hashing: the digest of the concatenation of count slices. */
uint64_t sol_sha256(const SolBytes *slices, uint64_t count, uint8_t *result);
uint64_t sol_keccak256(const SolBytes *slices, uint64_t count, uint8_t *result);
uint64_t sol_blake3(const SolBytes *slices, uint64_t count, uint8_t *result);

/* Return data of the transaction (at most 1024 bytes). get copies up to
 * len bytes and the id of the program that set them, and returns the full
 * length (0 when there is none). */
void sol_set_return_data(const uint8_t *data, uint64_t len);
uint64_t sol_get_return_data(uint8_t *data, uint64_t len, SolPubkey *program_id);

/* Compute units left. */
uint64_t sol_remaining_compute_units(void);

/* The bump allocator of the heap (32 KiB at 0x300000000): with ptr NULL it
 * returns size bytes or NULL; freeing does nothing. */
void *sol_alloc_free_(uint64_t size, void *ptr);

/* Failing. */
void sol_panic_(const char *file, uint64_t len, uint64_t line, uint64_t column)
    __attribute__((noreturn));
void abort(void) __attribute__((noreturn));

/* ---- Helpers ----------------------------------------------------------- */

/* The length of a NUL-terminated string. */
static inline uint64_t sol_strlen(const char *s) {
  uint64_t n = 0;
  while (s[n] != 0) {
    n++;
  }
  return n;
}

/* Logs a NUL-terminated string. */
#define sol_log(message) sol_log_((message), sol_strlen(message))
/* Logs up to five integers (pass 0 for the rest). */
#define sol_log_64 sol_log_64_
#define sol_log_compute_units() sol_log_compute_units_()

#define sol_memcpy(dst, src, n) sol_memcpy_((dst), (src), (n))
#define sol_memmove(dst, src, n) sol_memmove_((dst), (src), (n))
#define sol_memset(dst, c, n) sol_memset_((dst), (c), (n))

/* Whether two keys are equal. */
static inline bool SolPubkey_same(const SolPubkey *a, const SolPubkey *b) {
  const uint64_t *x = (const uint64_t *)a->x, *y = (const uint64_t *)b->x;
  return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/* Panics with the file and line. */
#define sol_panic() sol_panic_(__FILE__, sizeof(__FILE__) - 1, __LINE__, 0)
/* Panics when expr is false. */
#define sol_assert(expr) \
  do {                   \
    if (!(expr)) {       \
      sol_panic();       \
    }                    \
  } while (0)

/* ==== ext/zk: zero-knowledge proof verification ========================
 * (Go package github.com/agora-vm/agora/ext/zk; this section is its own.)
 *
 * agora_groth16_verify and agora_plonk_verify check a proof against a
 * verifying key and public inputs. Both take the curve and a pointer to
 * an AgoraZkVerifyArgs, and return AGORA_ZK_VALID (0) or AGORA_ZK_INVALID
 * (1). Every byte string is read-only guest memory; a bad pointer aborts
 * with AccessViolation.
 *
 *   vk      gnark v0.16's VerifyingKey encoding, as WriteTo (compressed
 *           points) or WriteRawTo (uncompressed points) writes it; each
 *           point carries its own compression flag. Groth16 keys:
 *           groth16.VerifyingKey (gnark's bellman-style layout: [a]1 [b]1
 *           [b]2 [g]2 [d]1 [d]2, u32 n+1+c, K points, committed-wire
 *           lists, Pedersen keys). PLONK keys: plonk.VerifyingKey (KZG).
 *           snarkjs/circom Groth16 keys and proofs are turned into this
 *           form by `agora zk convert`.
 *   proof   gnark's Proof encoding (WriteTo or WriteRawTo) of the same
 *           scheme and curve.
 *   public_inputs
 *           n scalars of the curve's scalar field, 32 bytes each,
 *           big-endian, each below the field order, in the circuit's
 *           order of public variables (gnark: declaration order; snarkjs:
 *           the order of public.json, outputs first); no header, so
 *           public_inputs.len == 32 * n.
 *
 * The program aborts (error kinds in brackets) on an unknown curve
 * [InvalidCurve], on a key, proof or public input that does not decode
 * (truncated, trailing bytes, bad length prefix, coordinate or scalar not
 * below its modulus, point off the curve or outside the prime-order
 * subgroup) [InvalidEncoding], on more than AGORA_ZK_MAX_PUBLIC_INPUTS
 * inputs or AGORA_ZK_MAX_COMMITMENTS commitments [InvalidLength], and when
 * n is not the key's number of public inputs [PublicInputCount]. A proof
 * that decodes but fails verification (including one shaped for another
 * key) returns AGORA_ZK_INVALID.
 *
 * Price in CU: base + per_input * n + per_commitment * c, c the number of
 * BSB22 commitments (gnark's api.Commit) in the key; the table is listed
 * by `agora bench costs` (ext/zk.Costs). It is charged after the length
 * and structure checks and before any curve arithmetic. */

#define AGORA_ZK_BN254 0     /* BN254 (alt_bn128; circom's "bn128") */
#define AGORA_ZK_BLS12_381 1 /* BLS12-381 */

#define AGORA_ZK_VALID 0
#define AGORA_ZK_INVALID 1

#define AGORA_ZK_SCALAR_SIZE 32
#define AGORA_ZK_MAX_PUBLIC_INPUTS 1024
#define AGORA_ZK_MAX_COMMITMENTS 4

/* The three byte strings of a verification: 48 bytes, 8-aligned, each a
 * (u64 address, u64 length) pair in little-endian order. */
typedef struct {
  SolBytes vk;            /* offset 0: serialized verifying key */
  SolBytes proof;         /* offset 16: serialized proof */
  SolBytes public_inputs; /* offset 32: n 32-byte big-endian scalars */
} AgoraZkVerifyArgs;
SOL_STATIC_ASSERT(sizeof(AgoraZkVerifyArgs) == 48, "AgoraZkVerifyArgs is 48 bytes");

/* Groth16 on curve AGORA_ZK_BN254 or AGORA_ZK_BLS12_381. */
uint64_t agora_groth16_verify(uint64_t curve, const AgoraZkVerifyArgs *args);
/* gnark's PLONK (KZG) on curve AGORA_ZK_BN254 or AGORA_ZK_BLS12_381. */
uint64_t agora_plonk_verify(uint64_t curve, const AgoraZkVerifyArgs *args);

/* ==== end of ext/zk ===================================================== */

/* ==== ext/crypto: BLS12-381, Pedersen commitments, VRF ==================
 * (Go package github.com/agora-vm/agora/ext/crypto; this section is its
 * own. `go doc github.com/agora-vm/agora/ext/crypto` has the details.)
 *
 * Every call returns one of the AGORA_CRYPTO_* codes below in r0; when
 * several inputs are bad, the first in argument order decides the code.
 * An output is written only when the code is AGORA_CRYPTO_OK (and its
 * pointer is then checked). The program aborts (error kinds in brackets)
 * on a length the layout does not allow -- a byte length that is not a
 * whole number of elements, more than AGORA_BLS_MAX_ELEMENTS elements, a
 * message count that differs from the key count [InvalidLength] -- on an
 * unknown aggregate kind or VRF suite [InvalidAttribute], on a pointer
 * outside the memory map or an output in read-only memory
 * [AccessViolation], and when the price exceeds the compute units left
 * [ComputationalBudgetExceeded]. Length and selector checks come before
 * the charge; memory is mapped after it. No pointer needs alignment. An
 * empty byte string (length 0) is never mapped.
 *
 * Price in CU: base + per_unit * n, from the measured time of the Go
 * implementation at 33 ns per CU (ext/crypto.Costs, listed by `agora
 * bench costs`). Messages and VRF inputs are priced per 64-byte
 * (BLS) or 128-byte (VRF) block, rounded up. */

#define AGORA_CRYPTO_OK 0             /* valid; or the output was written */
#define AGORA_CRYPTO_INVALID 1        /* well formed, but does not verify */
#define AGORA_CRYPTO_BAD_PUBLIC_KEY 2 /* a public key fails to decode/validate */
#define AGORA_CRYPTO_BAD_SIGNATURE 3  /* a BLS signature or VRF proof fails to decode */
#define AGORA_CRYPTO_BAD_SCALAR 4     /* a Pedersen scalar is not below the group order */
#define AGORA_CRYPTO_BAD_POINT 5      /* a Pedersen commitment is not a canonical point */
#define AGORA_CRYPTO_EMPTY 6          /* no keys or signatures */

/* -- BLS12-381, minimal-pubkey-size, proof of possession ---------------
 * Ciphersuite BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (Ethereum's).
 * Public keys are compressed G1 points (48 bytes), signatures compressed
 * G2 points (96 bytes), both in the ZCash encoding (flag bits 0x80
 * compressed, 0x40 infinity, 0x20 sign; big-endian coordinates, c1 before
 * c0 in G2). Keys must be in G1 and not the identity (KeyValidate);
 * signatures must be in G2 (the identity decodes, and never verifies). */

#define AGORA_BLS_PUBKEY_SIZE 48
#define AGORA_BLS_SIGNATURE_SIZE 96
#define AGORA_BLS_MAX_ELEMENTS 2048
#define AGORA_BLS_AGGREGATE_SIGNATURES 0 /* kind of agora_bls_aggregate */
#define AGORA_BLS_AGGREGATE_PUBKEYS 1

typedef struct {
  uint8_t x[AGORA_BLS_PUBKEY_SIZE];
} AgoraBlsPubkey;
typedef struct {
  uint8_t x[AGORA_BLS_SIGNATURE_SIZE];
} AgoraBlsSignature;
SOL_STATIC_ASSERT(sizeof(AgoraBlsPubkey) == 48, "AgoraBlsPubkey is 48 bytes");
SOL_STATIC_ASSERT(sizeof(AgoraBlsSignature) == 96, "AgoraBlsSignature is 96 bytes");

/* The byte length of n keys or signatures, as the calls below take it. */
#define AGORA_BLS_PUBKEYS_LEN(n) ((uint64_t)(n) * AGORA_BLS_PUBKEY_SIZE)
#define AGORA_BLS_SIGNATURES_LEN(n) ((uint64_t)(n) * AGORA_BLS_SIGNATURE_SIZE)

/* Verify: e(pubkey, H(msg)) == e(g1, signature). Returns OK, INVALID,
 * BAD_PUBLIC_KEY or BAD_SIGNATURE. */
uint64_t agora_bls_verify(const AgoraBlsPubkey *pubkey,
                          const AgoraBlsSignature *signature,
                          const uint8_t *msg, uint64_t msg_len);

/* Sums elements_len / size points of one kind: signatures (size 96) or
 * public keys (size 48, each passing KeyValidate; the sum may be the
 * identity, 0xc0 then zeros). Writes the sum (size bytes) to result and
 * returns OK; or EMPTY, BAD_SIGNATURE, BAD_PUBLIC_KEY. */
uint64_t agora_bls_aggregate(uint64_t kind, const uint8_t *elements,
                             uint64_t elements_len, uint8_t *result);

/* FastAggregateVerify: one message signed by every key, signature
 * aggregated. pubkeys_len = AGORA_BLS_PUBKEYS_LEN(n). Returns OK, INVALID
 * (also when the keys sum to the identity), BAD_PUBLIC_KEY,
 * BAD_SIGNATURE or EMPTY; keys are checked before the signature. */
uint64_t agora_bls_fast_aggregate_verify(const AgoraBlsPubkey *pubkeys,
                                         uint64_t pubkeys_len,
                                         const AgoraBlsSignature *signature,
                                         const uint8_t *msg, uint64_t msg_len);

/* AggregateVerify: key i signed messages[i]; messages_count must equal
 * the number of keys. The messages need not be distinct (proof of
 * possession). Returns OK, INVALID, BAD_PUBLIC_KEY, BAD_SIGNATURE or
 * EMPTY. The message bytes are charged after the descriptors are read. */
uint64_t agora_bls_aggregate_verify(const AgoraBlsPubkey *pubkeys,
                                    uint64_t pubkeys_len,
                                    const AgoraBlsSignature *signature,
                                    const SolBytes *messages,
                                    uint64_t messages_count);

/* -- Pedersen commitments on ristretto255 (Solana zk-sdk generators) ---
 * commitment = amount*G + opening*H, G the ristretto255 basepoint, H the
 * zk-sdk's hash_from_bytes::<Sha3_512>(compressed G). Scalars are 32-byte
 * little-endian integers below the group order l = 2^252 +
 * 27742317777372353535851937790883648493 (canonical, else BAD_SCALAR);
 * commitments are canonical 32-byte ristretto255 encodings. */

#define AGORA_PEDERSEN_SCALAR_SIZE 32
#define AGORA_PEDERSEN_COMMITMENT_SIZE 32

/* Writes amount*G + opening*H. Returns OK or BAD_SCALAR. */
uint64_t agora_pedersen_commit(const uint8_t amount[32],
                               const uint8_t opening[32],
                               uint8_t commitment[32]);
/* Returns OK when commitment opens to (amount, opening), INVALID when it
 * does not, BAD_POINT (checked first) or BAD_SCALAR. */
uint64_t agora_pedersen_verify(const uint8_t commitment[32],
                               const uint8_t amount[32],
                               const uint8_t opening[32]);

/* The 32-byte scalar of a u64 amount. */
static inline void agora_scalar_from_u64(uint8_t out[32], uint64_t v) {
  for (int i = 0; i < 32; i++) {
    out[i] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
  }
}

/* -- VRF verification (ECVRF, RFC 9381) ---------------------------------
 * The suite selector is the suite's suite_string byte. Proofs are
 * Gamma (32) || c (16, little-endian) || s (32, little-endian, below l);
 * the output beta is 64 bytes. Keys are validated (validate_key = TRUE):
 * an edwards25519 key must be a canonical RFC 8032 encoding of a point
 * not of small order, a ristretto255 key canonical and not the identity. */

#define AGORA_VRF_EDWARDS25519_SHA512_TAI 0x03 /* RFC 9381 section 5.5 */
#define AGORA_VRF_RISTRETTO255_SHA512 0xff     /* c2sp.org/vrf-r255 */
#define AGORA_VRF_PUBKEY_SIZE 32
#define AGORA_VRF_PROOF_SIZE 80
#define AGORA_VRF_OUTPUT_SIZE 64

/* The public key and the proof, as one 112-byte block. */
typedef struct {
  uint8_t public_key[AGORA_VRF_PUBKEY_SIZE]; /* offset 0 */
  uint8_t proof[AGORA_VRF_PROOF_SIZE];       /* offset 32 */
} AgoraVrfProof;
SOL_STATIC_ASSERT(sizeof(AgoraVrfProof) == 112, "AgoraVrfProof is 112 bytes");

/* Verifies the proof for alpha and writes beta to output. Returns OK,
 * INVALID, BAD_PUBLIC_KEY or BAD_SIGNATURE (a proof that does not
 * decode). */
uint64_t agora_vrf_verify(uint64_t suite, const AgoraVrfProof *key_and_proof,
                          const uint8_t *alpha, uint64_t alpha_len,
                          uint8_t output[AGORA_VRF_OUTPUT_SIZE]);

/* ==== end of ext/crypto ================================================= */

/* ==== ext/txmem: transactional memory ==================================
 * (Go package github.com/agora-vm/agora/ext/txmem; this section is its own.)
 *
 * agora_tx_begin opens a transaction over the program's writable memory:
 * the heap and the whole input region, so account lamports, data and data
 * length too. agora_tx_abort puts back every byte written since
 * agora_tx_begin (by stores and by syscalls alike); agora_tx_commit keeps
 * them. agora_tx_test returns 1 while a transaction is open, else 0. The
 * stack, the registers, logs, return data and the heap allocator's
 * position are not rolled back. All four return 0 otherwise.
 *
 * Misuse aborts the program: agora_tx_begin with a transaction open
 * [NestedTransaction], commit or abort with none [NoActiveTransaction],
 * returning from entrypoint with one open [TransactionLeak: the
 * transaction is aborted first, so the accounts are as they were at
 * agora_tx_begin, and the instruction fails], and a cross-program
 * invocation while one is open [CPIInTransaction]. `agora verify` proves
 * on every path that a program does none of the first three.
 *
 * Price in CU: begin 1, test 1; commit 1 + ceil(w / 2) + ceil(b / 256) and
 * abort 1 + ceil(w / 2) + ceil(b / 128), where w counts the writes (stores and syscall
 * writes) to the heap and input since agora_tx_begin and b the distinct
 * bytes they changed. Stores outside a transaction cost nothing extra. */

uint64_t agora_tx_begin(void);
uint64_t agora_tx_commit(void);
uint64_t agora_tx_abort(void);
uint64_t agora_tx_test(void);

/* ==== end of ext/txmem ================================================== */

/* ==== ext/lanes: parallel lanes and atomics =============================
 * (Go package github.com/agora-vm/agora/ext/lanes; docs/lanes.md.)
 *
 * agora_parallel_spawn starts a child: a new run of this program at
 * instruction index fn_pc (a function entry; its return ends the child),
 * with its own registers and stack, r1 pointing at a private copy of the
 * arg_len bytes at arg, and copies of the heap and input as they are now.
 * Its budget is min(cu_limit, the CU left). It returns a handle > 0.
 * agora_parallel_join waits for the child, merges it (and every earlier
 * child not merged yet, in spawn order) into this program's memory,
 * copies min(out_cap, arg_len) bytes of the child's argument buffer as
 * the child left it to out, and returns the child's r0.
 * agora_parallel_fence merges every child spawned so far and returns 0.
 *
 * A merge copies the bytes the child changed; one that another child or
 * this program changed since the spawn faults [LaneWriteConflict]. A
 * child that failed faults the parent when merged [LaneFault]. Returning
 * with a child neither joined nor fenced [TaskLeak], joining twice or an
 * unknown handle [InvalidHandle] fault too. The meter is charged the sum
 * of all children's CU at their merge.
 *
 * The atomics act on an 8-byte aligned word of writable memory. In a
 * child they see only the child's own view; their stores and CASes are
 * replayed on the parent at the merge, in spawn order, so results do not
 * depend on timing. Prices: spawn 80 + 4 per KiB of heap and input
 * copied, join and fence 20 + 4 per KiB per merged child, atomics 1. */

uint64_t agora_parallel_spawn(uint64_t fn_pc, const void *arg, uint64_t arg_len,
                              uint64_t cu_limit);
uint64_t agora_parallel_join(uint64_t handle, void *out, uint64_t out_cap);
uint64_t agora_parallel_fence(void);
uint64_t agora_atomic_load(uint64_t *addr);
uint64_t agora_atomic_store(uint64_t *addr, uint64_t value);
uint64_t agora_atomic_cas(uint64_t *addr, uint64_t expected, uint64_t value);

/* ==== end of ext/lanes ================================================== */

/* ==== ext/flow: declassification ========================================
 * agora_declassify(ptr, len) tells `agora verify --deep --private ...` that
 * the bytes [ptr, ptr+len) may be made public from here on (the taint
 * analysis stops following them). At run time it only checks that the
 * range is readable and costs the base syscall price; it returns 0.
 */
uint64_t agora_declassify(const void *ptr, uint64_t len);
/* ==== end of ext/flow =================================================== */

/* ==== ext/offload: hardware offload ====================================
 * (Go package github.com/agora-vm/agora/ext/offload; docs/offload.md.)
 *
 *   agora_hw_offload_query(out, cap)  number of backends; writes as many
 *       whole AgoraOffloadDescriptor as cap holds.
 *   agora_hw_offload_submit(accel_id, req, len)  task id (> 0), or 0 with
 *       AgoraOffloadRequest.status set (AGORA_OFFLOAD_QUEUE_FULL).
 *   agora_hw_offload_poll(task, out, cap)  AGORA_OFFLOAD_PENDING,
 *       AGORA_OFFLOAD_DONE (result written to out) or
 *       AGORA_OFFLOAD_CANCELLED.
 *   agora_hw_offload_cancel(task)  0.
 *
 * A request is an AgoraOffloadRequest followed by its operands; a task is
 * pending until the program has consumed ceil(price / 8) CU since submit.
 * Aborts: UnknownAccelerator, BadOffloadRequest, OffloadDimsTooLarge,
 * UnsupportedOffloadOp, UnknownOffloadTask, OffloadTaskCancelled,
 * OffloadBufferTooSmall, NoOffloadTaskTable, AccessViolation. */

#define AGORA_OFFLOAD_MATMUL_I8 1   /* C[m*n] i32 = A[m*k] i8 . B[k*n] i8 */
#define AGORA_OFFLOAD_MATMUL_FX64 2 /* C[m*n] i64 = (A . B) >> shift */
#define AGORA_OFFLOAD_RELU 3        /* k = 0: y[m*n] i64 = max(x, 0) */
#define AGORA_OFFLOAD_ARGMAX 4      /* k = 0: y[m] u32, per row of n i64 */
#define AGORA_OFFLOAD_CONV1D 5      /* m = 0: y[n-k+1] i64, x[n], w[k] */
#define AGORA_OFFLOAD_BATCH_VERIFY_ED25519 6 /* m = k = 0: y[n] u8, n records of
                                                pubkey 32, signature 64, message 32 */
#define AGORA_OFFLOAD_MSM_BN254 7 /* m = k = 0: n points (64 bytes) then n scalars
                                     (32 bytes); result u32 status, 64-byte sum */
#define AGORA_OFFLOAD_POSEIDON_MANY 8 /* m = 0: n hashes of k (1..12) 32-byte BE inputs;
                                         n results of status byte + 32-byte hash */
#define AGORA_OFFLOAD_MSM_BLS12381 9 /* m = k = 0: n points (96 bytes) then n scalars
                                        (32 bytes); result u32 status, 96-byte sum */
#define AGORA_OFFLOAD_BATCH_VERIFY_BLS 10 /* m = k = 0: y[n] u8, n records of G1
                                            pubkey 48, G2 signature 96, message 32 */
#define AGORA_OFFLOAD_MAX_BATCH 4096
#define AGORA_OFFLOAD_MAX_DIM 512
#define AGORA_OFFLOAD_PENDING 0
#define AGORA_OFFLOAD_DONE 1
#define AGORA_OFFLOAD_CANCELLED 2
#define AGORA_OFFLOAD_QUEUE_FULL 1
#define AGORA_OFFLOAD_KIND_CPU 1

typedef struct {
  uint32_t op, m, k, n, shift;
  uint32_t status; /* 0 on submit */
} AgoraOffloadRequest; /* 24 bytes, then the operands */

typedef struct {
  /* price: base + units * cu_per_unit + ceil(units / units_per_cu),
     the last term only when units_per_cu > 0 */
  uint32_t op, base, units_per_cu, cu_per_unit;
} AgoraOffloadPrice;

typedef struct {
  uint32_t kind, id;
  uint64_t ops; /* bit op set for each operation */
  uint32_t max_dims, nprices;
  AgoraOffloadPrice prices[16];
} AgoraOffloadDescriptor; /* 280 bytes */

uint64_t agora_hw_offload_query(AgoraOffloadDescriptor *out, uint64_t cap);
uint64_t agora_hw_offload_submit(uint64_t accel_id, const void *req, uint64_t len);
uint64_t agora_hw_offload_poll(uint64_t task, void *out, uint64_t cap);
uint64_t agora_hw_offload_cancel(uint64_t task);
/* ==== end of ext/offload ================================================ */

/* ==== ext/modules: in-process calls of other programs' functions ========
 * (Go package github.com/agora-vm/agora/ext/modules; docs/modules.md.)
 *
 *   agora_module_call(target, arg, arg_len, out, out_cap)  the callee's r0.
 *
 * target names the program (an executable account of the transaction),
 * the exported function (murmur3-32 of its name) and the options. The
 * callee runs from the export with r1 = a copy of arg, r2 = arg_len,
 * r3 = an out buffer of out_cap zero bytes, r4 = out_cap; on success the
 * out buffer (and, with AGORA_MODULE_WRITABLE, arg) are copied back.
 * Aborts: UnknownModule, MissingExport, UnverifiedModule,
 * ModuleVersionMismatch, ModuleReadOnlyWrite, ModuleFault,
 * ModuleCallDepthExceeded, BadModuleTarget, NoModuleHost, AccessViolation. */
#define AGORA_MODULE_WRITABLE 1u

typedef struct {
  uint8_t program_id[32];
  uint32_t fn_hash;
  uint32_t flags;   /* AGORA_MODULE_WRITABLE or 0 */
  uint64_t version; /* 0: the active version; else it must be active */
} AgoraModuleTarget;  /* 48 bytes */

uint64_t agora_module_call(const AgoraModuleTarget *target, void *arg, uint64_t arg_len,
                           void *out, uint64_t out_cap);

/* The six-argument form: the active version, the argument read-only. */
static inline uint64_t agora_module_call6(const uint8_t *program_id, uint32_t fn_hash,
                                          const void *arg, uint64_t arg_len, void *out,
                                          uint64_t out_cap) {
  AgoraModuleTarget t;
  for (int i = 0; i < 32; i++) t.program_id[i] = program_id[i];
  t.fn_hash = fn_hash;
  t.flags = 0;
  t.version = 0;
  return agora_module_call(&t, (void *)arg, arg_len, out, out_cap);
}

/* ==== end of ext/modules ================================================ */

/* ==== ext/ring: ring-buffer message passing =============================
 * (Go package github.com/agora-vm/agora/ext/ring; this section is its own.)
 *
 * A ring is a byte range of writable memory (the heap, for producer and
 * consumers in one instruction; an account's data, to persist across
 * transactions) holding an AgoraRingHeader and `capacity` slots. Up to
 * AGORA_RING_MAX_CONSUMERS consumers each read the whole stream, in
 * sequence order, at their own pace; a push that would overrun the
 * slowest consumer returns AGORA_RING_FULL instead. All integers are
 * little-endian; 8-byte alignment is recommended, not required.
 *
 *   agora_ring_create(addr, len, capacity, max_msg)
 *       formats an empty ring in [addr, addr + len) (it needs
 *       AGORA_RING_SIZE(capacity, max_msg) bytes); capacity is
 *       AGORA_RING_CAPACITY(messages, consumers), or just the number of
 *       messages for one consumer. Returns 0.
 *   agora_ring_push(ring, msg, len)         0 pushed, AGORA_RING_FULL full
 *   agora_ring_pop(ring, consumer, out, cap)
 *       copies consumer's next message to out and returns its length, or
 *       AGORA_RING_EMPTY when there is none; cap must be at least the
 *       message's length (max_msg always is).
 *   agora_ring_peek(ring, consumer, out, cap)   as pop, without consuming
 *   agora_ring_size(ring, consumer)         messages pending for consumer
 *
 * Aborts: a header whose fields disagree, a cursor more than capacity
 * behind the head, or a slot not holding the expected sequence
 * [RingCorrupt]; a message longer than max_msg, or a buffer shorter than
 * the message [MessageTooLarge]; a consumer not below the ring's number
 * [InvalidConsumer]; create's arguments out of range or len too small
 * [InvalidArgument]; any pointer outside (writable) memory
 * [AccessViolation].
 *
 * Price in CU: create 1, size 1; push 1 + max(ceil(len / 1024), 1);
 * pop and peek 1 + max(ceil(n / 512), 1) for an n-byte message, 1 when
 * empty. */

#define AGORA_RING_MAGIC 0x474e5241u /* "ARNG" */
#define AGORA_RING_VERSION 1
#define AGORA_RING_MAX_CONSUMERS 16
#define AGORA_RING_HEADER_SIZE 192
#define AGORA_RING_SLOT_HEADER_SIZE 16
#define AGORA_RING_FULL 1
#define AGORA_RING_EMPTY ((uint64_t)-1)

/* Bytes per slot, and bytes of a whole ring. */
#define AGORA_RING_SLOT_SIZE(max_msg) \
  (AGORA_RING_SLOT_HEADER_SIZE + (((uint64_t)(max_msg) + 7) & ~(uint64_t)7))
#define AGORA_RING_SIZE(capacity, max_msg) \
  (AGORA_RING_HEADER_SIZE + (uint64_t)(capacity) * AGORA_RING_SLOT_SIZE(max_msg))
/* agora_ring_create's capacity argument for a ring read by consumers. */
#define AGORA_RING_CAPACITY(messages, consumers) \
  ((uint64_t)(uint32_t)(messages) | ((uint64_t)(uint8_t)(consumers) << 32))

/* The ring's header, at its first byte. The slot of sequence number s
 * starts at AGORA_RING_HEADER_SIZE + (s % capacity) * slot_size with an
 * AgoraRingSlotHeader followed by the message. */
typedef struct {
  uint32_t magic;     /* offset 0: AGORA_RING_MAGIC */
  uint32_t version;   /* 4: AGORA_RING_VERSION */
  uint32_t capacity;  /* 8: messages held */
  uint32_t max_msg;   /* 12: largest message, bytes */
  uint32_t consumers; /* 16: consumers 0 .. consumers-1 */
  uint32_t slot_size; /* 20: AGORA_RING_SLOT_SIZE(max_msg) */
  uint64_t length;    /* 24: AGORA_RING_SIZE(capacity, max_msg) */
  uint64_t head;      /* 32: sequence number of the next message */
  uint64_t reserved[3];                       /* 40: zero */
  uint64_t cursor[AGORA_RING_MAX_CONSUMERS];  /* 64: next sequence per consumer */
} AgoraRingHeader;
SOL_STATIC_ASSERT(sizeof(AgoraRingHeader) == AGORA_RING_HEADER_SIZE, "AgoraRingHeader is 192 bytes");
SOL_STATIC_ASSERT(__builtin_offsetof(AgoraRingHeader, head) == 32, "head at 32");
SOL_STATIC_ASSERT(__builtin_offsetof(AgoraRingHeader, cursor) == 64, "cursors at 64");

typedef struct {
  uint64_t seq;      /* the message's sequence number */
  uint32_t len;      /* its length */
  uint32_t reserved; /* zero */
} AgoraRingSlotHeader;
SOL_STATIC_ASSERT(sizeof(AgoraRingSlotHeader) == AGORA_RING_SLOT_HEADER_SIZE, "slot header is 16 bytes");

uint64_t agora_ring_create(void *addr, uint64_t len, uint64_t capacity, uint64_t max_msg);
uint64_t agora_ring_push(AgoraRingHeader *ring, const void *msg, uint64_t len);
uint64_t agora_ring_pop(AgoraRingHeader *ring, uint64_t consumer, void *out, uint64_t out_cap);
uint64_t agora_ring_peek(const AgoraRingHeader *ring, uint64_t consumer, void *out, uint64_t out_cap);
uint64_t agora_ring_size(const AgoraRingHeader *ring, uint64_t consumer);

/* ==== end of ext/ring =================================================== */

/* ==== ext/econ: auctions, escrow, reputation, staking ===================
 * (Go package github.com/agora-vm/agora/ext/econ; this section is its own.)
 *
 * Agora's economics program is a native program at AGORA_ECON_PROGRAM_ID
 * ("Econ111111111111111111111111111111111111111") whose state lives in
 * accounts it owns, at program-derived addresses
 * ["auction"|"escrow"|"reputation"|"stake", owner key, id u64 LE, bump]
 * and ["score", registry, agent, bump]. A transaction calls it with an
 * instruction (tag byte + the argument struct below); a program calls it
 * with the syscall of the same name, which runs the same instruction:
 *
 *   uint64_t agora_X(const uint8_t *accounts, uint64_t accounts_len,
 *                    const void *args, uint64_t args_len,
 *                    const AgoraEconSigners *signers);
 *
 * accounts are positions in the calling instruction's account list (as
 * sol_deserialize numbers them: params->ka[i] is position i), in the
 * order the operation lists them; each keeps the signer and writable
 * privileges it has in the calling instruction, and signers (NULL for
 * none) adds the calling program's PDAs, as sol_invoke_signed_c does.
 * args_len must be the struct's size (0 for settle, release, refund).
 * The program sees the accounts as they are in the input now, and its
 * changes (lamports, data, owner, data length) are written back into
 * the input before the syscall returns.
 *
 * r0 is 0 on success, else one of the AGORA_ECON_* codes below: the
 * operation changed nothing and the calling program goes on. Results are
 * the return data (sol_get_return_data; the program id is
 * AGORA_ECON_PROGRAM_ID). A fault that is not the economics program's
 * answer aborts the caller: a position beyond its accounts
 * [NotEnoughAccountKeys], a wrong args_len or more than 64 positions
 * [InvalidLength], a bad pointer [AccessViolation], a call inside an
 * agora_tx_begin transaction [CPIInTransaction, as for a CPI], an inner
 * failure of the runtime's (privilege escalation through signers, the
 * budget, the 64-instruction trace: each call is one instruction, plus
 * one per inner System call).
 *
 * Price in CU: the syscall 100 + 10 per position, then the operation's
 * own price (ext/econ Costs(); `agora bench costs`), plus 150 for each
 * inner System program call (creating a state account, taking a lock).
 *
 * Accounts per operation (s: signs, w: writable):
 *   auction_create   creator (s,w; pays rent), auction (w)
 *   auction_bid      auction (w), bidder (s,w; System account, pays the
 *                    lock), [English with a leader: the leader (w)]
 *   auction_reveal   auction (w), bidder
 *   auction_settle   auction (w), beneficiary (w), every bid's bidder in
 *                    bid order (w)
 *   escrow_create    depositor A (s,w), escrow (w), B (w; s if amount_b)
 *   escrow_release   escrow (w), A (w), B (w), [oracle], approvers (s)...
 *   escrow_refund    escrow (w), A (w), B (w)
 *   reputation_update registry, rater (s,w), score account (w)
 *   reputation_query registry, score account
 *   stake_lock       staker (s,w), stake (w)
 *   stake_slash      stake (w), authority (s), slash destination (w)
 *   stake_release    stake (w), staker (s,w)
 * (Creating a reputation registry is an instruction only, tag 8.) */

#define AGORA_ECON_PROGRAM_ID                                              \
  {{0x03, 0x7d, 0x09, 0x7b, 0x16, 0x60, 0xc7, 0x69, 0xd4, 0x46, 0x70,     \
    0xe9, 0x30, 0x21, 0x60, 0x54, 0xa8, 0xef, 0xd6, 0x9c, 0x39, 0x2e,     \
    0x75, 0x39, 0x45, 0x20, 0x28, 0x80, 0x00, 0x00, 0x00, 0x00}}

/* Instruction tags (the first byte of an instruction's data). */
#define AGORA_ECON_AUCTION_CREATE 1
#define AGORA_ECON_AUCTION_BID 2
#define AGORA_ECON_AUCTION_REVEAL 3
#define AGORA_ECON_AUCTION_SETTLE 4
#define AGORA_ECON_ESCROW_CREATE 5
#define AGORA_ECON_ESCROW_RELEASE 6
#define AGORA_ECON_ESCROW_REFUND 7
#define AGORA_ECON_REGISTRY_CREATE 8
#define AGORA_ECON_REPUTATION_UPDATE 9
#define AGORA_ECON_REPUTATION_QUERY 10
#define AGORA_ECON_STAKE_LOCK 11
#define AGORA_ECON_STAKE_SLASH 12
#define AGORA_ECON_STAKE_RELEASE 13
/* Settlement in pieces, for an auction whose bidders do not all fit one
 * transaction (instructions only, no syscalls; a program may invoke them).
 * AUCTION_FINALIZE: auction (w), beneficiary (w); the outcome and the
 * proceeds, as AUCTION_SETTLE, with the refunds kept: status 2 (settling;
 * 0 open, 1 settled, the header's byte 3).
 * AUCTION_PAYOUT: auction (w), then bidders (w) whose refunds are still
 * held, each once; the last one sets status 1. No arguments. */
#define AGORA_ECON_AUCTION_FINALIZE 14
#define AGORA_ECON_AUCTION_PAYOUT 15

/* Codes (r0 of a syscall; Custom(code) of an instruction). */
#define AGORA_ECON_INVALID_INSTRUCTION 0xEC01
#define AGORA_ECON_NOT_ENOUGH_ACCOUNTS 0xEC02
#define AGORA_ECON_MISSING_SIGNATURE 0xEC03
#define AGORA_ECON_NOT_WRITABLE 0xEC04
#define AGORA_ECON_WRONG_OWNER 0xEC05
#define AGORA_ECON_INVALID_STATE 0xEC06
#define AGORA_ECON_WRONG_ACCOUNT 0xEC07
#define AGORA_ECON_ALREADY_INITIALIZED 0xEC08
#define AGORA_ECON_OVERFLOW 0xEC09
#define AGORA_ECON_INSUFFICIENT_FUNDS 0xEC0A
#define AGORA_ECON_INVALID_PARAMETER 0xEC0B
#define AGORA_ECON_WRONG_KIND 0xEC0C
#define AGORA_ECON_TOO_EARLY 0xEC0D
#define AGORA_ECON_TOO_LATE 0xEC0E
#define AGORA_ECON_CLOSED 0xEC0F
#define AGORA_ECON_BID_TOO_LOW 0xEC10
#define AGORA_ECON_TOO_MANY_BIDS 0xEC11
#define AGORA_ECON_DUPLICATE_BID 0xEC12
#define AGORA_ECON_NO_SUCH_BID 0xEC13
#define AGORA_ECON_ALREADY_REVEALED 0xEC14
#define AGORA_ECON_COMMITMENT_MISMATCH 0xEC15
#define AGORA_ECON_CONDITION_NOT_MET 0xEC16
#define AGORA_ECON_UNAUTHORIZED 0xEC17
#define AGORA_ECON_OUT_OF_BOUNDS 0xEC18
#define AGORA_ECON_WRONG_STATUS 0xEC19

/* Limits. */
#define AGORA_ECON_MAX_BIDS 32
#define AGORA_ECON_MAX_VCG_ITEMS 12
#define AGORA_ECON_MAX_GSP_SLOTS 8
#define AGORA_ECON_MAX_APPROVERS 8
#define AGORA_ECON_MAX_RATERS 16

/* Auction kinds, escrow conditions, oracle comparisons, release modes. */
#define AGORA_AUCTION_VCG 1
#define AGORA_AUCTION_GSP 2
#define AGORA_AUCTION_SEALED_FIRST 3
#define AGORA_AUCTION_SEALED_SECOND 4
#define AGORA_AUCTION_ENGLISH 5
#define AGORA_AUCTION_DUTCH 6
#define AGORA_ESCROW_ORACLE 1
#define AGORA_ESCROW_TIME_LOCK 2
#define AGORA_ESCROW_APPROVALS 4
#define AGORA_ORACLE_EQ 0
#define AGORA_ORACLE_NE 1
#define AGORA_ORACLE_LT 2
#define AGORA_ORACLE_LE 3
#define AGORA_ORACLE_GT 4
#define AGORA_ORACLE_GE 5
#define AGORA_STAKE_UNBOND 0
#define AGORA_STAKE_WITHDRAW 1

/* The calling program's PDA signers: a SolSignerSeeds array (agora_cpi.h). */
typedef struct {
  const void *seeds; /* const SolSignerSeeds * */
  uint64_t len;
} AgoraEconSigners;

typedef struct {
  uint64_t id;
  uint8_t kind;         /* AGORA_AUCTION_* */
  uint8_t bump;         /* of the auction's address */
  uint8_t items;        /* VCG items (1..12) or GSP slots (1..8); else 0 */
  uint8_t max_bids;     /* 1..32; 1 for English and Dutch */
  uint32_t _pad;        /* 0 */
  SolPubkey beneficiary;
  uint64_t bid_slots;   /* bids (commits) taken for this many slots from now */
  uint64_t reveal_slots;/* sealed: reveals for this many slots after that */
  uint64_t reserve;     /* the lowest bid; Dutch: the floor price */
  uint64_t increment;   /* English: the minimum raise; Dutch: drop per slot */
  uint64_t start_price; /* Dutch */
  uint64_t penalty;     /* sealed: forfeited by a bid never revealed */
  uint64_t weights[8];  /* GSP slot weights, non-increasing, > 0 */
} AgoraAuctionCreate;
SOL_STATIC_ASSERT(sizeof(AgoraAuctionCreate) == 160, "AgoraAuctionCreate is 160 bytes");

typedef struct {
  uint64_t value;      /* VCG, GSP (per unit of weight), English, Dutch (max); sealed 0 */
  uint64_t deposit;    /* sealed: locked until settlement, covers the value */
  uint64_t bundle;     /* VCG: bit i for item i */
  uint8_t commitment[32]; /* sealed: sha256(value u64 LE || nonce[32]) */
} AgoraAuctionBid;
SOL_STATIC_ASSERT(sizeof(AgoraAuctionBid) == 56, "AgoraAuctionBid is 56 bytes");

typedef struct {
  uint64_t value;
  uint8_t nonce[32];
} AgoraAuctionReveal;
SOL_STATIC_ASSERT(sizeof(AgoraAuctionReveal) == 40, "AgoraAuctionReveal is 40 bytes");

typedef struct {
  uint64_t id;
  uint8_t bump;
  uint8_t conditions;   /* AGORA_ESCROW_*, at least one, all must hold */
  uint8_t oracle_op;    /* AGORA_ORACLE_*: oracle value OP threshold */
  uint8_t k, n;         /* approvals: k of the first n approvers */
  uint8_t _pad[3];
  uint64_t amount_a;    /* from A (the creator), to B on release */
  uint64_t amount_b;    /* from B, to A on release */
  SolPubkey oracle;
  uint32_t oracle_offset; /* the u64 LE at this offset of the oracle's data */
  uint32_t _pad2;
  uint64_t threshold;
  uint64_t lock_slots;    /* time lock: release from this many slots on */
  uint64_t timeout_slots; /* release before, refund from, this many slots */
  SolPubkey approvers[8];
} AgoraEscrowCreate;
SOL_STATIC_ASSERT(sizeof(AgoraEscrowCreate) == 352, "AgoraEscrowCreate is 352 bytes");

typedef struct {
  SolPubkey agent;
  int64_t rating;
  uint8_t bump;         /* of the score account */
  uint8_t _pad[7];
} AgoraReputationUpdate;
SOL_STATIC_ASSERT(sizeof(AgoraReputationUpdate) == 48, "AgoraReputationUpdate is 48 bytes");

typedef struct {
  SolPubkey agent;
  uint8_t bump;
  uint8_t _pad[7];
} AgoraReputationQuery;
SOL_STATIC_ASSERT(sizeof(AgoraReputationQuery) == 40, "AgoraReputationQuery is 40 bytes");

typedef struct {
  uint64_t id;
  uint8_t bump;
  uint8_t _pad[7];
  uint64_t amount;
  uint64_t unbonding_slots;
  SolPubkey authority;  /* may slash */
  SolPubkey slash_to;   /* receives slashed lamports */
} AgoraStakeLock;
SOL_STATIC_ASSERT(sizeof(AgoraStakeLock) == 96, "AgoraStakeLock is 96 bytes");

typedef struct {
  uint64_t amount;
  uint8_t evidence[32]; /* the evidence's hash, recorded; not zero */
} AgoraStakeSlash;
SOL_STATIC_ASSERT(sizeof(AgoraStakeSlash) == 40, "AgoraStakeSlash is 40 bytes");

typedef struct {
  uint8_t mode;         /* AGORA_STAKE_UNBOND, then AGORA_STAKE_WITHDRAW */
  uint8_t _pad[7];
} AgoraStakeRelease;
SOL_STATIC_ASSERT(sizeof(AgoraStakeRelease) == 8, "AgoraStakeRelease is 8 bytes");

/* Return data: auction_bid {u64 bid index, u64 locked}; auction_settle
 * {u64 proceeds, u64 winners (bit i: bid i), u64 welfare};
 * reputation_update and _query AgoraReputationResult. */
typedef struct {
  int64_t score;        /* decayed to slot */
  uint64_t updated_slot;
  uint64_t updates;
  uint64_t slot;
} AgoraReputationResult;

/* An auction account: a 224-byte header, then max_bids bid records. */
#define AGORA_AUCTION_HEADER_SIZE 224
#define AGORA_AUCTION_BID_COUNT_OFFSET 7 /* u8 */
typedef struct {
  SolPubkey bidder;
  uint64_t value;
  uint64_t locked;
  uint64_t bundle;
  uint8_t commitment[32];
  uint64_t paid;
  uint8_t flags;        /* 1 revealed, 2 refunded, 4 winner, 8 forfeit, 16 paid out */
  uint8_t rank;         /* GSP slot won, from 1 */
  uint8_t _pad[6];
} AgoraBidRecord;
SOL_STATIC_ASSERT(sizeof(AgoraBidRecord) == 104, "AgoraBidRecord is 104 bytes");

uint64_t agora_auction_create(const uint8_t *accounts, uint64_t accounts_len,
                              const AgoraAuctionCreate *args, uint64_t args_len,
                              const AgoraEconSigners *signers);
uint64_t agora_auction_bid(const uint8_t *accounts, uint64_t accounts_len,
                           const AgoraAuctionBid *args, uint64_t args_len,
                           const AgoraEconSigners *signers);
uint64_t agora_auction_reveal(const uint8_t *accounts, uint64_t accounts_len,
                              const AgoraAuctionReveal *args, uint64_t args_len,
                              const AgoraEconSigners *signers);
uint64_t agora_auction_settle(const uint8_t *accounts, uint64_t accounts_len,
                              const void *args, uint64_t args_len,
                              const AgoraEconSigners *signers);
uint64_t agora_escrow_create(const uint8_t *accounts, uint64_t accounts_len,
                             const AgoraEscrowCreate *args, uint64_t args_len,
                             const AgoraEconSigners *signers);
uint64_t agora_escrow_release(const uint8_t *accounts, uint64_t accounts_len,
                              const void *args, uint64_t args_len,
                              const AgoraEconSigners *signers);
uint64_t agora_escrow_refund(const uint8_t *accounts, uint64_t accounts_len,
                             const void *args, uint64_t args_len,
                             const AgoraEconSigners *signers);
uint64_t agora_reputation_update(const uint8_t *accounts, uint64_t accounts_len,
                                 const AgoraReputationUpdate *args, uint64_t args_len,
                                 const AgoraEconSigners *signers);
uint64_t agora_reputation_query(const uint8_t *accounts, uint64_t accounts_len,
                                const AgoraReputationQuery *args, uint64_t args_len,
                                const AgoraEconSigners *signers);
uint64_t agora_stake_lock(const uint8_t *accounts, uint64_t accounts_len,
                          const AgoraStakeLock *args, uint64_t args_len,
                          const AgoraEconSigners *signers);
uint64_t agora_stake_slash(const uint8_t *accounts, uint64_t accounts_len,
                           const AgoraStakeSlash *args, uint64_t args_len,
                           const AgoraEconSigners *signers);
uint64_t agora_stake_release(const uint8_t *accounts, uint64_t accounts_len,
                             const AgoraStakeRelease *args, uint64_t args_len,
                             const AgoraEconSigners *signers);

/* ==== end of ext/econ =================================================== */

/* The program's entry point. */
extern uint64_t entrypoint(const uint8_t *input);

#ifdef __cplusplus
}
#endif

#endif /* AGORA_H */
