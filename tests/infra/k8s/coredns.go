// CoreDNS with only the plugins the test cluster's Corefile uses (the full set pulls in every
// cloud SDK). k8s.sh builds it against github.com/coredns/coredns at the pinned version.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// In plugin.cfg's order: each plugin sees the requests after the ones before it.
var directives = []string{"ready", "health", "errors", "cache", "kubernetes"}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
