package suite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunNotesCheckpointOfAnotherRun: tried as a new user would, a sweep
// interrupted after an epoch and run again with one recipe value changed
// trained its run from the first epoch, under the key of the changed
// configuration, without a word of the interrupted run's checkpoint left
// beside it, which the user had expected to be resumed. The run is right
// to start over (it is another configuration), and says why the
// checkpoint is not resumed, naming it; the checkpoint is left as is.
// Run of the sweep the checkpoint belongs to says nothing of it.
func TestRunNotesCheckpointOfAnotherRun(t *testing.T) {
	s, c := tinyCell(t, "fda", 3)
	dir := t.TempDir()
	interruptAfterFirstEpoch(t, dir, s)
	ckpt := CheckpointPath(dir, c.Key())

	changed, _ := tinyCell(t, "fda", 3)
	changed.Workload.Recipe.LR /= 2
	r, notes := noteRunner(dir)
	if _, err := r.Run(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	want := dir + " holds the epoch checkpoint of a run not in this sweep, which is not resumed: " + filepath.Base(ckpt) + " (after epoch 1). A run's key hashes its whole configuration, so a recipe value or flag changed since that run began names another run, trained from its first epoch: the command that began it, as it was, resumes it"
	if got := strings.Join(*notes, "\n"); !strings.Contains(got, want) {
		t.Errorf("notes\n%s\nwant one\n%s", got, want)
	}
	if _, err := os.Stat(ckpt); err != nil {
		t.Errorf("the other run's checkpoint: %v, want it left as is", err)
	}

	r, notes = noteRunner(dir)
	recs, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].Resumes != 1 || strings.Contains(strings.Join(*notes, "\n"), "not in this sweep") {
		t.Errorf("the checkpoint's own sweep: %d resumes, notes %q; want it resumed without a note of it", recs[0].Resumes, *notes)
	}
}
