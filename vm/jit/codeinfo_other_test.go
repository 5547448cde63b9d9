//go:build !(amd64 && linux)

package jit

func reusesLoad(*Runnable) bool { return false }

func relativeLimits(*Runnable) bool { return false }

func groups(*Runnable) (int, int) { return 0, 0 }
