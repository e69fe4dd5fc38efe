//go:build !unix

package bench

import "os/exec"

// killTreeOnCancel leaves cmd's cancellation as exec makes it (kill the
// script alone): process groups are a Unix notion.
func killTreeOnCancel(cmd *exec.Cmd) {}
