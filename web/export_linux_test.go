package web

// DisableOpenat2 makes static routes open files with os.Root, as where
// openat2 is missing, until the test ends.
func DisableOpenat2(t interface{ Cleanup(func()) }) {
	old := noOpenat2.Load()
	noOpenat2.Store(true)
	t.Cleanup(func() { noOpenat2.Store(old) })
}
