package suite

import (
	"strings"
	"testing"
)

// TestSbatchLineReserved: a --sbatch line is read as sbatch reads it, so
// an option gradbench slurm sets or has a flag for is refused in every
// form sbatch takes, not only --name=value.
func TestSbatchLineReserved(t *testing.T) {
	refused := map[string]string{
		"-J x": "job-name", "-Jx": "job-name", "--job-name x": "job-name", "--job=x": "job-name",
		"-p x": "partition", "-pcpu": "partition", "--part=cpu": "partition",
		"-o x": "output", "-ox": "output", "--output=x": "output", "--out x": "output",
		"-e x": "error", "-ex": "error", "--error=x": "error", "--err x": "error",
		"-a 1": "array", "-a1": "array", "--array=0-9": "array",
		"-d afterok:1": "dependency", "-dafterok:1": "dependency", "--dependency afterok:1": "dependency",
		"-c 2": "cpus-per-task", "-c2": "cpus-per-task", "--cpus-per-task=2": "cpus-per-task",
		"-t=1": "time", "-t1": "time", "--time=1": "time", "--time 1": "time",
		"--mem=4G": "mem", "--mem 4G": "mem",
		// Options that take no value may be grouped before one that does.
		"-Hc2": "cpus-per-task", "-vQJx": "job-name",
		// Every word counts, not only the first.
		"--account=proj -c2": "cpus-per-task", "--account proj --time=5": "time", "--hold -ox": "output",
		"--qos='a b' -a1": "array", `--comment=a\ b -p x`: "partition",
	}
	for line, long := range refused {
		o := SlurmOptions{JobName: "gradbench", Extra: []string{line}}
		err := o.Validate()
		if err == nil || !strings.Contains(err.Error(), "--"+long) {
			t.Errorf("--sbatch %q: error %v, want one naming --%s", line, err, long)
		}
	}
	// A value is not an option, even one that looks like a reserved one.
	for _, line := range []string{"--account=proj", "--account proj", "-A proj", "-Aproj", "--qos=short",
		"-A -c2", "--constraint=a&b", "--comment='x -c2'", "-Hvq low", "--mem-per-cpu=1G", "--export=ALL",
		"--mail-type=END --mail-user=a@b"} {
		o := SlurmOptions{JobName: "gradbench", Extra: []string{"#SBATCH " + line}}
		if err := o.Validate(); err != nil {
			t.Errorf("--sbatch %q: %v", line, err)
		} else if o.Extra[0] != line {
			t.Errorf("--sbatch %q kept as %q", line, o.Extra[0])
		}
	}
	for line, want := range map[string]string{
		"--qos=short junk": `"junk" is not an sbatch option`,
		"--comment='x":     "unterminated ' quote",
		"--=x":             `"--=x" is not an sbatch option`,
	} {
		o := SlurmOptions{JobName: "gradbench", Extra: []string{line}}
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--sbatch %q: error %v, want %q", line, err, want)
		}
	}
}

// TestSbatchLineTwice: the same --sbatch line given twice (also once with
// "#SBATCH " before it) was written into the scripts twice.
func TestSbatchLineTwice(t *testing.T) {
	o := SlurmOptions{JobName: "gradbench", Extra: []string{"--account=proj", "--qos=short", "#SBATCH --account=proj"}}
	err := o.Validate()
	if want := `suite: bad --sbatch "#SBATCH --account=proj": the same line as --sbatch "--account=proj": give each line once`; err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
	o = SlurmOptions{JobName: "gradbench", Extra: []string{"--account=proj", "--account=other", "--mail-type=END", "--mail-type=FAIL"}}
	if err := o.Validate(); err != nil {
		t.Errorf("different lines: %v", err)
	}
}

// TestSbatchLineExclusive: sbatch refuses --mem-per-cpu and --mem-per-gpu
// beside --mem, and --cpus-per-gpu beside --cpus-per-task: with those
// flags given, such a line wrote scripts sbatch would not take. Without
// them the line is the user's choice, and kept.
func TestSbatchLineExclusive(t *testing.T) {
	for _, tc := range []struct {
		o    SlurmOptions
		line string
		want string // "": kept
	}{
		{SlurmOptions{Mem: "4G"}, "--mem-per-cpu=1G", `bad --sbatch "--mem-per-cpu=1G": "--mem-per-cpu=1G" sets --mem-per-cpu: sbatch refuses it beside the --mem line gradbench slurm's --mem writes: give one of them`},
		{SlurmOptions{Mem: "4G"}, "--account=p --mem-per-gpu 2G", `"--mem-per-gpu" sets --mem-per-gpu: sbatch refuses it beside the --mem line`},
		{SlurmOptions{Mem: "4G"}, "--mem-per-c=1G", `"--mem-per-c=1G" sets --mem-per-cpu`},
		{SlurmOptions{Mem: "4G"}, "--mem=8G", `"--mem=8G" sets --mem: use gradbench slurm's --mem`},
		{SlurmOptions{CPUs: 2}, "--cpus-per-gpu=4", `"--cpus-per-gpu=4" sets --cpus-per-gpu: sbatch refuses it beside the --cpus-per-task line`},
		{SlurmOptions{}, "--mem-per-cpu=1G", ""},
		{SlurmOptions{}, "--cpus-per-gpu=4", ""},
		{SlurmOptions{CPUs: 2}, "--mem-per-cpu=1G", ""},
		{SlurmOptions{}, "--mem=8G", `"--mem=8G" sets --mem: use gradbench slurm's --mem`},
	} {
		o := tc.o
		o.JobName, o.Extra = "gradbench", []string{tc.line}
		err := o.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v, --sbatch %q: %v, want it kept", tc.o, tc.line, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v, --sbatch %q: error %v, want %q", tc.o, tc.line, err, tc.want)
		}
	}
}

// TestSbatchLineSpace: white space around an --sbatch line (" --qos=short",
// "--qos=short\n") and more than one space after "#SBATCH" were trimmed
// and the line written otherwise than given. A value is used as given or
// refused: they are refused, with the line to write; the spaces between
// an option and its value are sbatch's, and stay.
func TestSbatchLineSpace(t *testing.T) {
	for line, want := range map[string]string{
		" --qos=short":         `suite: bad --sbatch " --qos=short": white space is not allowed around the line: remove it, as in "--qos=short"`,
		"--qos=short ":         `suite: bad --sbatch "--qos=short ": white space is not allowed around the line: remove it, as in "--qos=short"`,
		"--qos=short\n":        `suite: bad --sbatch "--qos=short\n": white space is not allowed around the line: remove it, as in "--qos=short"`,
		" #SBATCH --qos=short": `suite: bad --sbatch " #SBATCH --qos=short": white space is not allowed around the line: remove it, as in "#SBATCH --qos=short"`,
		"#SBATCH  --qos=short": `suite: bad --sbatch "#SBATCH  --qos=short": want one space between #SBATCH and the option, as in "#SBATCH --qos=short", or the option alone, "--qos=short"`,
		"#SBATCH\t--qos=short": `suite: bad --sbatch "#SBATCH\t--qos=short": want one space between #SBATCH and the option, as in "#SBATCH --qos=short", or the option alone, "--qos=short"`,
		"#SBATCH--qos=short":   `suite: bad --sbatch "#SBATCH--qos=short": want one space between #SBATCH and the option, as in "#SBATCH --qos=short", or the option alone, "--qos=short"`,
		"#SBATCH":              `suite: bad --sbatch "#SBATCH": want an sbatch option after #SBATCH, such as #SBATCH --account=proj`,
	} {
		o := SlurmOptions{JobName: "gradbench", Extra: []string{line}}
		if err := o.Validate(); err == nil || err.Error() != want {
			t.Errorf("--sbatch %q: error %v\nwant %s", line, err, want)
		}
	}
	for line, want := range map[string]string{
		"--qos=short":            "--qos=short",
		"#SBATCH --qos=short":    "--qos=short",
		"--account proj  --hold": "--account proj  --hold",
	} {
		o := SlurmOptions{JobName: "gradbench", Extra: []string{line}}
		if err := o.Validate(); err != nil || o.Extra[0] != want {
			t.Errorf("--sbatch %q: kept as %q, %v; want %q", line, o.Extra[0], err, want)
		}
	}
}

// TestPartitionList: tried as a new user would, --partition cpu, and
// cpu,,gpu and cpu,cpu were written into the scripts as given, for sbatch
// to skip the empty item or the repeat. A list is used as given or
// refused, as --seeds is.
func TestPartitionList(t *testing.T) {
	for part, want := range map[string]string{
		"cpu,":        `suite: bad --partition "cpu,": it ends with a comma: remove it, as in "cpu"`,
		",cpu":        `suite: bad --partition ",cpu": it starts with a comma: remove it, as in "cpu"`,
		"cpu,,gpu":    `suite: bad --partition "cpu,,gpu": an empty item between two commas: remove one comma, as in "cpu,gpu"`,
		"cpu,gpu,cpu": `suite: bad --partition "cpu,gpu,cpu": a partition is given twice: give each once, as in "cpu,gpu"`,
	} {
		o := SlurmOptions{JobName: "gradbench", Partition: part}
		if err := o.Validate(); err == nil || err.Error() != want {
			t.Errorf("--partition %q: error %v\nwant %s", part, err, want)
		}
	}
	for _, part := range []string{"cpu", "cpu,gpu", "a.b_c-d"} {
		o := SlurmOptions{JobName: "gradbench", Partition: part}
		if err := o.Validate(); err != nil || o.Partition != part {
			t.Errorf("--partition %q: %v, kept as %q", part, err, o.Partition)
		}
	}
}
