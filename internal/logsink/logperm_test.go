package logsink

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNewLogFileMode: a log file oidcgate creates (or re-creates after a
// rotation) gets Apache's mode, 0666 less the umask (0644 under 022), not
// 0640: Debian's log readers in group adm read Apache's files.
func TestNewLogFileMode(t *testing.T) {
	mask := syscall.Umask(0)
	syscall.Umask(mask)
	want := os.FileMode(0o666 &^ mask)
	dir := t.TempDir()
	f, err := OpenFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Rename(f.Path(), filepath.Join(dir, "access.log.1")); err != nil {
		t.Fatal(err)
	}
	if err := f.Reopen(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"access.log.1", "access.log"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (umask %03o)", name, st.Mode().Perm(), want, mask)
		}
	}
}
