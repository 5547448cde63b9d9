package main

import (
	"strings"
	"testing"
)

// TestNodeUsage: agora node refuses bad flags with exit code 2 and says
// which; the server itself is tested in package node.
func TestNodeUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"node"}, "--dir is required"},
		{[]string{"node", "--dir", t.TempDir(), "--lanes", "-1"}, "--lanes"},
		{[]string{"node", "--dir", t.TempDir(), "--block-time", "0s"}, "--block-time"},
		{[]string{"node", "--dir", t.TempDir(), "--rpc", "256.0.0.1:1"}, "--rpc"},
		{[]string{"bench", "node", "--clients", "0"}, "--clients"},
	} {
		r := runCLI(t, "", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
