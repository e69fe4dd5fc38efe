//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestInterruptible: main turns SIGINT and SIGTERM into a canceled context
// for the commands that stop on it, and only for them.
func TestInterruptible(t *testing.T) {
	for _, c := range commands {
		want := map[string]bool{"eval": true, "export": true, "fidelity": true, "plan": true, "run": true, "slurm": true}[c.name]
		if got := catchesSignals([]string{c.name, "--help"}); got != want {
			t.Errorf("catchesSignals(%s) = %v, want %v", c.name, got, want)
		}
	}
	if catchesSignals(nil) || catchesSignals([]string{"nosuch"}) {
		t.Error("catchesSignals of no command or an unknown one = true, want false")
	}
}

// TestCurvesCtrlC: Ctrl-C ends gradbench curves, here blocked writing a
// long table to a pipe nobody reads. main caught SIGINT and SIGTERM for
// every command, and curves never looked at the context they canceled:
// Ctrl-C and kill did nothing, however long it ran (a million points as
// SVG takes many seconds).
func TestCurvesCtrlC(t *testing.T) {
	cmd := exec.Command(os.Args[0], "curves", "--estimators", "ste", "--points", "1000000", "--format", "tsv")
	cmd.Env = append(os.Environ(), asGradbenchEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// The header is out: the rows follow until the pipe is full, and
	// then curves blocks, unread.
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
			t.Errorf("curves after SIGINT: %v, want it ended by SIGINT", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("curves still running 20 s after SIGINT: the signal was caught and ignored")
	}
}
