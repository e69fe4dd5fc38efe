package suite

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Training computes in float32 (package nn converts the learning rate,
// momentum and weight decay when it steps), so a float64 setting that
// float32 cannot hold would train with another value than the one given
// and keyed: a nonzero value that rounds to 0 (lr 1e-50 trains with lr 0),
// a finite value beyond float32's range (lr 1e300 becomes +Inf), a
// momentum below 1 that rounds to 1. These checks refuse them, each
// naming the setting and its value.

// adamFirstStep is the factor of the learning rate in Adam's first step,
// lr/(1 − β1) with nn.NewAdam's default β1 = 0.9 (the β of every run
// here): the largest step size Adam computes in float32.
var adamFirstStep = 1 / (1 - math.Pow(0.9, 1))

// maxMomentum32 is the largest momentum below 1 that float32 holds.
const maxMomentum32 = 1 - 1.0/(1<<24)

// shortFloat formats a float64 in Go's shortest form.
func shortFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// minNormal32 is float32's smallest normal magnitude, 1.1754944e-38.
const minNormal32 = 0x1p-126

// float32Problem says why float32 cannot hold v as given, or "". A value
// is held as its nearest float32 (0.1 trains as 0.100000001): to within
// float32's precision, but for a nonzero magnitude below its smallest
// normal one, which float32 holds with fewer digits (1.2345678e-40 would
// train as 1.23457e-40), as an estimator's spec refuses it too.
func float32Problem(v float64) string {
	f := float64(float32(v))
	switch {
	case v != 0 && f == 0:
		return "it is 0 as float32, the precision training computes in"
	case !math.IsInf(v, 0) && math.IsInf(f, 0):
		return fmt.Sprintf("it is infinite as float32, the precision training computes in (want at most %s)", shortFloat(math.MaxFloat32))
	case v != 0 && math.Abs(f) < minNormal32: // as float32: 1.1754943e-38 is the normal 1.1754944e-38
		return fmt.Sprintf("it is %s as float32, the precision training computes in: a subnormal, which holds fewer digits (want 0 or a magnitude at least %s)",
			strconv.FormatFloat(f, 'g', -1, 32), strconv.FormatFloat(minNormal32, 'g', -1, 32))
	}
	return ""
}

// checkFloat32Settings checks the learning rate (the peak one a run trains
// at), momentum and weight decay of an optimizer ("sgd", "adam" or "bop",
// whose other parameters Adam trains) as float32; what names the source
// of the values in the error, such as "suite: recipe fmnist-10", which
// names a value as written holds it by its recipe key (asWritten: a
// recipe file's keys), else in Go's shortest form.
func checkFloat32Settings(what, optimizer string, lr, momentum, weightDecay float64, written map[string]json.RawMessage) error {
	for _, s := range []struct {
		key string
		v   float64
	}{{"lr", lr}, {"momentum", momentum}, {"weight_decay", weightDecay}} {
		if p := float32Problem(s.v); p != "" {
			return fmt.Errorf("%s: bad %s %s: %s", what, s.key, asWritten(written, s.key, s.v), p)
		}
	}
	if float32(momentum) >= 1 && momentum < 1 {
		return fmt.Errorf("%s: bad momentum %s: it is 1 as float32, the precision training computes in (want at most %s)", what, asWritten(written, "momentum", momentum), shortFloat(maxMomentum32))
	}
	if optimizer == "adam" || optimizer == "bop" {
		if step := lr * adamFirstStep; math.IsInf(float64(float32(step)), 0) {
			return fmt.Errorf("%s: bad lr %s: Adam's first step, lr/(1 − β1) = %s, is infinite as float32, the precision training computes in (want lr at most %s)",
				what, asWritten(written, "lr", lr), shortFloat(step), shortFloat(math.MaxFloat32/adamFirstStep))
		}
	}
	return nil
}
