/* inspect: logs what sol_deserialize reads from the input, so that tests
 * can compare the C SDK's view of an instruction with the runtime's.
 *
 * For each of the first 4 accounts (more are counted but skipped):
 *   sol_log_64(index, flags, lamports, data_len, rent_epoch), where flags
 *   is is_signer | is_writable << 1 | executable << 2;
 *   the key and the owner (sol_log_pubkey);
 *   if it has data, sol_log_64(first byte, last byte, 0, 0, 0).
 * Then sol_log_64(accounts, instruction data length, its first byte or 0,
 * 0, 0) and the program id. Returns SUCCESS. */
#include "agora.h"

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[4];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  uint64_t n = params.ka_num;
  if (n > SOL_ARRAY_SIZE(accounts)) {
    n = SOL_ARRAY_SIZE(accounts);
  }
  for (uint64_t i = 0; i < n; i++) {
    const SolAccountInfo *a = &accounts[i];
    uint64_t flags = (uint64_t)a->is_signer | (uint64_t)a->is_writable << 1 |
                     (uint64_t)a->executable << 2;
    sol_log_64(i, flags, *a->lamports, a->data_len, a->rent_epoch);
    sol_log_pubkey(a->key);
    sol_log_pubkey(a->owner);
    if (a->data_len > 0) {
      sol_log_64(a->data[0], a->data[a->data_len - 1], 0, 0, 0);
    }
  }
  sol_log_64(params.ka_num, params.data_len,
             params.data_len > 0 ? params.data[0] : 0, 0, 0);
  sol_log_pubkey(params.program_id);
  return SUCCESS;
}
