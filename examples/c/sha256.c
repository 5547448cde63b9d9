/* sha256: hashes the instruction data with SHA-256, sets the digest as
 * the transaction's return data and logs it ("Program data: <base64>").
 *
 * Accounts: any. Instruction data: the message. Returns SUCCESS. */
#include "agora.h"

uint64_t entrypoint(const uint8_t *input) {
  SolParameters params = {0};
  if (!sol_deserialize(input, &params, 0)) {
    return ERROR_INVALID_ARGUMENT;
  }
  uint8_t digest[32];
  const SolBytes message[] = {{params.data, params.data_len}};
  sol_sha256(message, SOL_ARRAY_SIZE(message), digest);
  sol_set_return_data(digest, sizeof(digest));
  const SolBytes out[] = {{digest, sizeof(digest)}};
  sol_log_data(out, SOL_ARRAY_SIZE(out));
  return SUCCESS;
}
