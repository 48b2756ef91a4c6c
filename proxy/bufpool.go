package proxy

import "sync"

// bodyBuffers is httputil.ReverseProxy's BufferPool: the 32 KiB buffers
// that copy response bodies are reused instead of allocated (and zeroed)
// for every request.
type bodyBuffers struct{ p sync.Pool }

const bodyBufferSize = 32 << 10

// The pool holds array pointers: a slice converts back to one without
// allocating, where boxing a *[]byte for Put cost an allocation per
// request.
func (b *bodyBuffers) Get() []byte {
	if v, ok := b.p.Get().(*[bodyBufferSize]byte); ok {
		return v[:]
	}
	return make([]byte, bodyBufferSize)
}

func (b *bodyBuffers) Put(buf []byte) {
	if cap(buf) != bodyBufferSize {
		return
	}
	b.p.Put((*[bodyBufferSize]byte)(buf[:bodyBufferSize]))
}
