// The CNCF distribution registry (github.com/distribution/distribution/v3),
// as the end-to-end tests run it on loopback: the upstream registry command
// with only the parts the tests use linked in (filesystem storage, htpasswd
// and token auth), so the cold build stays short. Test tooling only.
//
//	registry serve CONFIG.yml        the upstream command, unchanged
//	registry htpasswd USER PASSWORD  prints one bcrypt htpasswd line
//	                                 (the registry's htpasswd auth reads bcrypt only)
package main

import (
	"fmt"
	"os"

	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/auth/token"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "htpasswd" {
		hash, err := bcrypt.GenerateFromPassword([]byte(os.Args[3]), bcrypt.MinCost)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s:%s\n", os.Args[2], hash)
		return
	}
	if err := registry.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}
