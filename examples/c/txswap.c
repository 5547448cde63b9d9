/* txswap: an atomic two-account swap with transactional memory
 * (ext/txmem).
 *
 * Accounts: 0, A, and 1, B: writable, owned by the program, distinct,
 * each holding a little-endian u64 token balance in its first 8 bytes of
 * data. Instruction data: two little-endian u64, the lamports A pays B
 * and the tokens B pays A.
 *
 * Inside one transaction the program moves the lamports first and only
 * then checks B's tokens. When either side is short, agora_tx_abort puts
 * back everything already moved: the program logs "txswap: aborted" and
 * succeeds with both accounts exactly as they were. Otherwise it commits
 * and logs the new balances.
 *
 * Errors: fewer than 2 accounts, NOT_ENOUGH_ACCOUNT_KEYS; data not 16
 * bytes, INVALID_INSTRUCTION_DATA; an account not owned by the program,
 * INCORRECT_PROGRAM_ID; not writable, the same account twice, or less
 * than 8 bytes of data, INVALID_ARGUMENT.
 */
#include "agora.h"

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[2];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  if (params.ka_num < 2) {
    return ERROR_NOT_ENOUGH_ACCOUNT_KEYS;
  }
  if (params.data_len != 2 * sizeof(uint64_t)) {
    return ERROR_INVALID_INSTRUCTION_DATA;
  }
  const uint64_t *args = (const uint64_t *)params.data;
  uint64_t lamports = args[0], tokens = args[1];
  SolAccountInfo *a = &accounts[0], *b = &accounts[1];
  if (!SolPubkey_same(a->owner, params.program_id) ||
      !SolPubkey_same(b->owner, params.program_id)) {
    return ERROR_INCORRECT_PROGRAM_ID;
  }
  if (!a->is_writable || !b->is_writable || SolPubkey_same(a->key, b->key) ||
      a->data_len < 8 || b->data_len < 8) {
    return ERROR_INVALID_ARGUMENT;
  }
  uint64_t *a_tokens = (uint64_t *)a->data, *b_tokens = (uint64_t *)b->data;

  agora_tx_begin();
  if (*a->lamports < lamports || *b->lamports + lamports < *b->lamports) {
    goto abort;
  }
  *a->lamports -= lamports;
  *b->lamports += lamports;
  /* The lamports have moved; the tokens may still be missing. */
  if (*b_tokens < tokens || *a_tokens + tokens < *a_tokens) {
    goto abort;
  }
  *b_tokens -= tokens;
  *a_tokens += tokens;
  agora_tx_commit();
  sol_log_64(*a->lamports, *b->lamports, *a_tokens, *b_tokens, 0);
  return SUCCESS;

abort:
  agora_tx_abort();
  sol_log("txswap: aborted");
  return SUCCESS;
}
