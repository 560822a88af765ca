// Command hireflow is the single binary: api, worker, dev, migrate, bench, version.
package main

import (
	"os"

	"github.com/hireflow/hireflow/internal/tools/cli"
)

func main() { os.Exit(cli.Execute()) }
