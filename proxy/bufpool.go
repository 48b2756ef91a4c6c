package proxy

import "sync"

// bodyBuffers is httputil.ReverseProxy's BufferPool: the 32 KiB buffers
// that copy response bodies are reused instead of allocated (and zeroed)
// for every request.
type bodyBuffers struct{ p sync.Pool }

const bodyBufferSize = 32 << 10

func (b *bodyBuffers) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, bodyBufferSize)
}

func (b *bodyBuffers) Put(buf []byte) {
	if cap(buf) != bodyBufferSize {
		return
	}
	buf = buf[:bodyBufferSize]
	b.p.Put(&buf)
}
