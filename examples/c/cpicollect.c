/* cpicollect: collects lamports from payers into a payee through the
 * System program, one cross-program invocation per payer.
 *
 * This is the way the proposal's part 1 makes a multi-account update
 * all-or-nothing without transactional memory (a failing transfer fails
 * the whole instruction); bench/ext.go and ext/exttest compare it with
 * ext/txmem.
 *
 * Accounts: 0 .. n-2, the payers (signers, writable, owned by the System
 * program); n-1, the payee (writable); then the System program.
 * Instruction data: the amount each payer pays, a little-endian u64.
 *
 * Errors: fewer than 3 accounts, NOT_ENOUGH_ACCOUNT_KEYS; data not 8
 * bytes, INVALID_INSTRUCTION_DATA; a failing transfer fails the
 * instruction with the System program's error.
 */
#include "agora.h"
#include "agora_cpi.h"

#define MAX_ACCOUNTS 16

uint64_t entrypoint(const uint8_t *input) {
  /* At the start of the heap: clang's BPF backend limits a frame to 512
   * bytes, and deployable programs cannot call sol_alloc_free_. */
  SolAccountInfo *accounts = (SolAccountInfo *)0x300000000;
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, MAX_ACCOUNTS)) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num < 3 || params.ka_num > MAX_ACCOUNTS) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params.data_len != sizeof(uint64_t)) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  uint64_t n = params.ka_num - 1; /* without the System program */
  SolAccountInfo *payee = &accounts[n - 1], *system = &accounts[n];
  uint8_t data[12] = {2, 0, 0, 0}; /* SystemInstruction::Transfer */
  sol_memcpy(data + 4, params.data, 8);
  for (uint64_t i = 0; i + 1 < n; i++) {
    SolAccountMeta metas[2] = {{accounts[i].key, true, true}, {payee->key, true, false}};
    SolInstruction ix = {system->key, metas, 2, data, sizeof(data)};
    sol_invoke_signed_c(&ix, accounts, params.ka_num, NULL, 0);
  }
  return SUCCESS;
}
