package suite

import "strings"

// wrapErr returns err behind prefix ("suite: export"), naming each layer of
// the chain once: the leading segments of prefix that err's text already
// starts with are not repeated, so that an error this package made ("suite:
// record …") wrapped by another of its functions reads "suite: export:
// record …", not "suite: export: suite: record …". errors.Is and errors.As
// see err as fmt.Errorf's %w would.
func wrapErr(prefix string, err error) error {
	msg := err.Error()
	for _, seg := range strings.Split(prefix, ": ") {
		rest, ok := strings.CutPrefix(msg, seg+": ")
		if !ok {
			break
		}
		msg = rest
	}
	return &wrappedErr{msg: prefix + ": " + msg, err: err}
}

type wrappedErr struct {
	msg string
	err error
}

func (e *wrappedErr) Error() string { return e.msg }
func (e *wrappedErr) Unwrap() error { return e.err }
