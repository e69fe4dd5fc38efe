package suite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// checkStrictJSON checks what encoding/json lets pass silently in the
// files gradbench reads (recipes, records): b must hold exactly one JSON
// value, with nothing but white space after it, and no object in it may
// give a key twice (encoding/json keeps the last value). Its error names
// the key by its path, such as final.test_top1 or epochs[2].lr.
func checkStrictJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	// One frame per open object or array: an object's keys so far and
	// whether its next token is a key; an array's next index.
	type frame struct {
		keys    map[string]bool
		wantKey bool
		index   int
		path    string // of the object or array
		key     string // the object's current key
	}
	var stack []*frame
	// valuePath is the path of the value about to be read.
	valuePath := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.keys == nil {
			return f.path + "[" + strconv.Itoa(f.index) + "]"
		}
		if f.path == "" {
			return f.key
		}
		return f.path + "." + f.key
	}
	// valueDone advances the enclosing object or array past a value.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.keys == nil {
			f.index++
		} else {
			f.wantKey = true
		}
	}
	started := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !started {
				return errors.New("no JSON value")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if started && len(stack) == 0 {
			return errors.New("more than one JSON value")
		}
		started = true
		if len(stack) > 0 {
			if f := stack[len(stack)-1]; f.keys != nil && f.wantKey {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:len(stack)-1]
					valueDone()
					continue
				}
				k := tok.(string) // the decoder checks that keys are strings
				if f.keys[k] {
					f.key = k
					return fmt.Errorf("key %q given twice", valuePath())
				}
				f.keys[k] = true
				f.key, f.wantKey = k, false
				continue
			}
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			stack = append(stack, &frame{keys: map[string]bool{}, wantKey: true, path: valuePath()})
		case '[':
			stack = append(stack, &frame{path: valuePath()})
		case ']':
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
