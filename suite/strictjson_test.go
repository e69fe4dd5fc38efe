package suite

import "testing"

func TestCheckStrictJSON(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"a": 1, "b": {"c": [1, {"d": 2}]}}`, ""},
		{`[]`, ""},
		{`{"a": {}, "b": [], "c": [[], {}]}`, ""},
		{`{"a": 1, "a": 2}`, `key "a" given twice`},
		{`{"a": {"b": 1, "c": 2, "b": 3}}`, `key "a.b" given twice`},
		{`{"e": [{"x": 1}, {"x": 1, "y": 2, "x": 3}]}`, `key "e[1].x" given twice`},
		{`{"a": 1, "b": [1, 2], "b": 3}`, `key "b" given twice`},
		{`{"a": 1} {"a": 1}`, "more than one JSON value"},
		{``, "no JSON value"},
		{`{"a": 1}x`, "invalid character 'x' looking for beginning of value"},
		{`{"a": }`, "invalid character '}' looking for beginning of value"},
	} {
		err := checkStrictJSON([]byte(tt.in))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("checkStrictJSON(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
