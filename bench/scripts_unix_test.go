//go:build unix

package bench

import (
	"os/exec"
	"syscall"
)

// killTreeOnCancel starts cmd in a process group of its own and makes its
// cancellation kill the group: the script and everything it started.
func killTreeOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
