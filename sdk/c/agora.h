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

/* The program's entry point. */
extern uint64_t entrypoint(const uint8_t *input);

#ifdef __cplusplus
}
#endif

#endif /* AGORA_H */
