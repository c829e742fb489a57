// Command pause is the sandbox ("pause") image's only program for the e2e
// node: it holds a pod's namespaces open until it is told to stop, as the
// upstream pause container does (kubernetes/build/pause/linux/pause.c), and
// reaps the zombies it inherits as the pod's PID 1 when namespaces are shared.
// Static, so it runs from an image with nothing else in it. Test tooling only.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
