/* hello: logs a greeting, the program id, and what the instruction holds.
 *
 * Accounts: any. Instruction data: any. Returns SUCCESS. */
#include "agora.h"

uint64_t entrypoint(const uint8_t *input) {
  SolAccountInfo accounts[1];
  SolParameters params = {.ka = accounts};
  if (!sol_deserialize(input, &params, SOL_ARRAY_SIZE(accounts))) {
    return ERROR_INVALID_ARGUMENT;
  }
  sol_log("Hello from C!");
  sol_log_pubkey(params.program_id);
  /* Logs "Program log: 0x<accounts>, 0x<data bytes>, 0x0, 0x0, 0x0". */
  sol_log_64(params.ka_num, params.data_len, 0, 0, 0);
  return SUCCESS;
}
