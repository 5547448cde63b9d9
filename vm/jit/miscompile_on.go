//go:build jitmiscompile

package jit

// injectMiscompile: see miscompile_off.go. Never build a release with it.
const injectMiscompile = true
