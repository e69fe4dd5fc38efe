package estimators

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// A Factory makes a new Estimator from the parameters of a spec string. It
// reads every hyperparameter through p (which validates values and records
// defaults) and returns p.Err() if one was bad. It must return a fresh,
// independent value on every call.
type Factory func(p *Params) (Estimator, error)

// registry maps each estimator name to its factory. The built-in estimators
// are listed here, one line each, sorted; Register adds others.
var registry = map[string]Factory{
	"approxsign": newApproxSign,
	"biper":      newBiPer,
	"bnnplus":    newBNNPlus,
	"dsq":        newDSQ,
	"ede":        newEDE,
	"expr":       newExpr,
	"fda":        newFDA,
	"identity":   newIdentity,
	"rbnn":       newRBNN,
	"reste":      newReSTE,
	"ste":        newSTE,
}

var registryMu sync.RWMutex

// Register makes an estimator available under name, in spec strings and so
// everywhere a built-in estimator is: `gradbench curves`, the benchmarks and
// training runs. It is meant to be called from an init function. Register
// panics if name is already registered, if factory is nil, or if name is not
// a lowercase word (letters, digits, '-' and '_', starting with a letter),
// like database/sql.Register.
func Register(name string, factory Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if factory == nil {
		panic("estimators: Register factory is nil for " + name)
	}
	if !validName(name) {
		panic(fmt.Sprintf("estimators: Register name %q is not a lowercase word", name))
	}
	if _, dup := registry[name]; dup {
		panic("estimators: Register called twice for estimator " + name)
	}
	registry[name] = factory
}

func validName(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' || name == "na" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func lookup(name string) (Factory, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	f, ok := registry[name]
	return f, ok
}

// Names returns the registered estimator names, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New parses spec and returns a new Estimator. A "+na" suffix is accepted and
// ignored here: noise adaptation is a layer (see Spec.NA).
func New(spec string) (Estimator, error) {
	s, err := Parse(spec)
	if err != nil {
		return nil, err
	}
	return s.New()
}

// ErrUnknown is wrapped by the error of a spec or name no estimator is
// registered under: "estimators: unknown estimator "x" (have ...)". A
// record or model file that names one was made by a build of gradbench
// with an estimator this one lacks (see Register).
var ErrUnknown = errors.New("unknown estimator")

// Defaults returns the hyperparameters of the named estimator with their
// defaults and allowed values, sorted by key.
func Defaults(name string) ([]Param, error) {
	f, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("estimators: %w %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	p := newParams(name, nil)
	if _, err := f(p); err != nil {
		return nil, err
	}
	ps := append([]Param(nil), p.asked...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
	return ps, nil
}

// Describe returns the doc of the named estimator, made at its defaults:
// the zero Doc if it is not a Documenter.
func Describe(name string) (Doc, error) {
	f, ok := lookup(name)
	if !ok {
		return Doc{}, fmt.Errorf("estimators: %w %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	e, err := f(newParams(name, nil))
	if err != nil {
		return Doc{}, err
	}
	if d, ok := e.(Documenter); ok {
		return d.Doc(), nil
	}
	return Doc{}, nil
}

// NADoc returns the one-line description of the "+na" suffix that the
// registered reader's settings give (a Doc() string method), or "".
func NADoc() string {
	read := lookupNA()
	if read == nil {
		return ""
	}
	v, err := read(newParams("+na", nil))
	if d, ok := v.(interface{ Doc() string }); ok && err == nil {
		return d.Doc()
	}
	return ""
}

// NADefaults returns the settings of the "+na" suffix with their defaults
// and allowed values, sorted by key, as the registered reader (RegisterNA)
// states them; nil if no package registered one.
func NADefaults() []Param {
	read := lookupNA()
	if read == nil {
		return nil
	}
	p := newParams("+na", nil)
	if _, err := read(p); err != nil {
		return nil
	}
	ps := append([]Param(nil), p.asked...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
	return ps
}
