package web

import (
	"io/fs"
	"os"
	"sync"
	"time"
)

// fileCache keeps the contents of a static route's small files in memory,
// as fasthttp.FS and nginx's open_file_cache do, but checks every use
// against the file: one stat of the path, whose device, inode, size,
// modification and change times must be those of the version read. So a
// request for an unchanged small file costs one system call, and a
// changed file is never served stale. The kernel's change time cannot be
// set by anyone and moves with every write; a file changed in the last
// cacheSettle is not kept, so that a second change within one tick of
// the file system's clock cannot go unnoticed.
type fileCache struct {
	mu    sync.RWMutex
	files map[string]*cachedFile // by clean relative name
	bytes int                    // content held
	limit int                    // most content held: maxCacheBytes
}

// cachedFile is the content of a file a static route keeps, with what
// identifies the version it was read from.
type cachedFile struct {
	id   fileID
	data []byte
	validators
}

const (
	// maxCachedFile is the largest file a static route keeps in memory;
	// larger ones go out with sendfile.
	maxCachedFile = 64 << 10
	// maxCacheBytes bounds the content a static route keeps; past it,
	// files are dropped at random to make room.
	maxCacheBytes = 32 << 20
)

// cacheSettle is how long ago a file must have last changed for its
// content to be kept (a variable for the tests).
var cacheSettle = 2 * time.Second

// newFileCache returns a cache, or nil where the platform cannot check a
// file's identity by path.
func newFileCache() *fileCache {
	if !fileIDSupported {
		return nil
	}
	return &fileCache{files: make(map[string]*cachedFile), limit: maxCacheBytes}
}

// get returns the kept content of name, below the directory dirfd, if the
// file is still the version it was read from; a changed or missing file
// is dropped.
func (c *fileCache) get(dirfd int, name string) *cachedFile {
	c.mu.RLock()
	cf := c.files[name]
	c.mu.RUnlock()
	if cf == nil {
		return nil
	}
	if id, ok := statID(dirfd, name); ok && id == cf.id {
		return cf
	}
	c.mu.Lock()
	if c.files[name] == cf {
		delete(c.files, name)
		c.bytes -= len(cf.data)
	}
	c.mu.Unlock()
	return nil
}

// load reads the regular file f, opened as name and described by fi, and
// keeps its content when it is small, settled, and did not change while
// it was read. It returns the content kept, or nil.
func (c *fileCache) load(name string, f *os.File, fi fs.FileInfo) *cachedFile {
	id, ok := fileIDOf(fi)
	if !ok || fi.Size() > maxCachedFile || time.Since(id.changed()) < cacheSettle {
		return nil
	}
	data := make([]byte, fi.Size())
	if n, _ := f.ReadAt(data, 0); n != len(data) {
		return nil
	}
	if after, err := f.Stat(); err != nil {
		return nil
	} else if id2, ok := fileIDOf(after); !ok || id2 != id {
		return nil
	}
	cf := &cachedFile{id: id, data: data, validators: validatorsOf(fi)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.files[name]; old != nil {
		delete(c.files, name)
		c.bytes -= len(old.data)
	}
	for other, ocf := range c.files { // map order is random: a random victim
		if c.bytes+len(data) <= c.limit {
			break
		}
		delete(c.files, other)
		c.bytes -= len(ocf.data)
	}
	c.files[name] = cf
	c.bytes += len(data)
	return cf
}

// fileID identifies a version of a file: the same values mean the same
// inode with the same size, modification and change times.
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // nanoseconds since 1970
}

// changed returns when the file last changed.
func (id fileID) changed() time.Time { return time.Unix(0, id.ctime) }
