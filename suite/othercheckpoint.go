package suite

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gradbench/gradbench/nn/checkpoint"
)

// maxOtherCheckpoints is how many checkpoints of other runs
// otherCheckpointsNote names before it counts the rest.
const maxOtherCheckpoints = 5

// otherCheckpointsNote returns a note naming the epoch checkpoints in
// r.Dir of runs that are none of cells, and that no other live process
// is training now, or "" where there are none. Such a checkpoint is most
// often that of a sweep interrupted and run again with a recipe value or
// a flag changed: that is another configuration, so another key, whose
// run starts from its first epoch while the interrupted one's checkpoint
// stays where it was, which the user expected to be resumed.
func (r *Runner) otherCheckpointsNote(cells []Cell) string {
	ents, err := os.ReadDir(r.Dir)
	if err != nil {
		return ""
	}
	ours := map[string]bool{}
	for _, c := range cells {
		ours[c.Key()] = true
	}
	now := time.Now()
	var others []string
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".ckpt")
		if !ok || !isKey(key) || ours[key] || !e.Type().IsRegular() || r.heldElsewhere(key, now) {
			continue
		}
		what := "unreadable"
		if epoch, _, _, err := checkpoint.ReadProgress(filepath.Join(r.Dir, e.Name())); err == nil {
			what = fmt.Sprintf("after epoch %d", epoch)
		}
		others = append(others, fmt.Sprintf("%s (%s)", e.Name(), what))
	}
	if len(others) == 0 {
		return ""
	}
	sort.Strings(others)
	list := strings.Join(others, ", ")
	if len(others) > maxOtherCheckpoints {
		list = fmt.Sprintf("%s and %d more", strings.Join(others[:maxOtherCheckpoints], ", "), len(others)-maxOtherCheckpoints)
	}
	what := "the epoch checkpoint of a run not in this sweep, which is not resumed"
	if len(others) > 1 {
		what = fmt.Sprintf("the epoch checkpoints of %d runs not in this sweep, which are not resumed", len(others))
	}
	return fmt.Sprintf("%s holds %s: %s. A run's key hashes its whole configuration, so a recipe value or flag changed since that run began names another run, trained from its first epoch: the command that began it, as it was, resumes it; or remove the file",
		r.Dir, what, list)
}
