package flagsread

import "testing"

func TestUnread(t *testing.T) {
	s := New("bench", map[string]string{"a.impl": "BenchmarkA", "b.impl": "BenchmarkB and BenchmarkC"})
	given := map[string]string{"b.impl": "go", "a.impl": "avx2", "test.count": "1"}
	want := `bench: -a.impl "avx2" was given, but no benchmark that reads it ran (BenchmarkA), so it was ignored; ` +
		`-b.impl "go" was given, but no benchmark that reads it ran (BenchmarkB and BenchmarkC), so it was ignored: give it with a -bench pattern that selects one of them`
	if got := s.Unread(given); got != want {
		t.Errorf("nothing read:\n got %s\nwant %s", got, want)
	}
	s.Read("a.impl")
	if got, want := s.Unread(given), `bench: -b.impl "go" was given, but no benchmark that reads it ran (BenchmarkB and BenchmarkC), so it was ignored: give it with a -bench pattern that selects one of them`; got != want {
		t.Errorf("a.impl read:\n got %s\nwant %s", got, want)
	}
	s.Read("b.impl")
	if got := s.Unread(given); got != "" {
		t.Errorf("every flag read: %q, want none", got)
	}
	if got := New("gemm", nil).Unread(given); got != "" {
		t.Errorf("flags not of the set: %q, want none", got)
	}
}
