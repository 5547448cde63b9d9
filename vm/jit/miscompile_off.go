//go:build !jitmiscompile

package jit

// injectMiscompile is set only under the jitmiscompile build tag, which
// makes the compiler emit add64 imm with the immediate plus one, so the
// verified tier's divergence handling can be tested.
const injectMiscompile = false
