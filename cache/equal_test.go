package cache

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoryEqual(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m, err := NewMemory(MemoryOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if err := m.Set(ctx, "k", []byte("value"), time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, value string
		want       bool
		err        error
	}{
		{"k", "value", true, nil},
		{"k", "valuE", false, nil},
		{"k", "value2", false, nil},
		{"k", "", false, nil},
		{"other", "value", false, ErrNotFound},
	} {
		got, err := m.Equal(ctx, c.key, []byte(c.value))
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("Equal(%q, %q) = %v, %v; want %v, %v", c.key, c.value, got, err, c.want, c.err)
		}
	}
	now = now.Add(2 * time.Minute)
	if got, err := m.Equal(ctx, "k", []byte("value")); got || !errors.Is(err, ErrNotFound) {
		t.Errorf("expired: %v, %v", got, err)
	}
}
