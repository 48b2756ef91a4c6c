package logsink

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParsePiped(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`|/usr/bin/rotatelogs /var/log/a.%Y 86400`, []string{"/usr/bin/rotatelogs", "/var/log/a.%Y", "86400"}},
		{`||/bin/cat "a b" 'c d' e\ f`, []string{"/bin/cat", "a b", "c d", "e f"}},
		{`|$cat > /tmp/x`, []string{"/bin/sh", "-c", "cat > /tmp/x"}},
	} {
		got, ok := ParsePiped(tc.in)
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.in, got, tc.want)
		}
	}
	if _, ok := ParsePiped("/var/log/x"); ok {
		t.Error("a file is not piped")
	}
}

// waitFor polls until the file holds want.
func waitFor(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if string(b) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q, want %q", path, b, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPipeReceivesLinesAndRestarts(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	target := "|$cat >> " + out
	p, err := AcquirePipe(target, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := AcquirePipe(target, os.Stderr)
	if p2 != p {
		t.Fatal("the same target shares one program")
	}
	p2.Close()
	p.Write([]byte("one\n"))
	waitFor(t, out, "one\n")
	// The program dies: a new one is started, as Apache restarts piped
	// loggers.
	p.mu.Lock()
	p.cmd.Process.Kill()
	p.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for p.Starts() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if p.Starts() != 2 {
		t.Fatalf("restarted %d times", p.Starts()-1)
	}
	p.Write([]byte("two\n"))
	p.Close()
	waitFor(t, out, "one\ntwo\n")
	if _, err := p.Write([]byte("x\n")); err == nil {
		t.Error("write after close")
	}
}

func TestPipeNotInPath(t *testing.T) {
	// "|cat" is not looked up in PATH, as in Apache (AH00104).
	if _, err := AcquirePipe("|cat", os.Stderr); err == nil || !strings.Contains(err.Error(), "cat") {
		t.Errorf("err %v", err)
	}
}

func TestFileReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "error.log")
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write([]byte("a\n"))
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("b\n")) // still the renamed file
	if err := f.Reopen(); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("c\n"))
	waitFor(t, path+".1", "a\nb\n")
	waitFor(t, path, "c\n")
}
