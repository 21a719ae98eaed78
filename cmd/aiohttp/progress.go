package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is the live progress bar of the fetch command on a terminal:
// URLs done out of those known so far, the rate, the errors and the time
// left. On anything but a terminal it shows nothing.
type progress struct {
	w      io.Writer // the terminal; nil: show nothing
	bar    *progressbar.ProgressBar
	errors int
}

// newProgress returns the progress bar for w, which shows only when w is
// a terminal.
func newProgress(w io.Writer) *progress {
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{w: w}
}

// add counts one more URL to fetch: the bar, made with the first one,
// grows as URLs come in. Until inputEnd it counts one URL more than it
// knows of: a bar that reached its end stays finished, and would not show
// the URLs that came after a moment when every known one was done.
func (p *progress) add() {
	switch {
	case p.w == nil:
	case p.bar == nil:
		p.bar = progressbar.NewOptions64(2,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("fetch"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("URL"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionFullWidth(),
		)
	default:
		p.bar.AddMax(1)
	}
}

// inputEnd says that no more URLs come: the bar ends at the URLs known,
// and shows its last state if they are all done.
func (p *progress) inputEnd() {
	if p.bar == nil {
		return
	}
	p.bar.ChangeMax64(p.bar.GetMax64() - 1)
	_ = p.bar.Add(0)
}

// done counts one URL finished, failed or not.
func (p *progress) done(failed bool) {
	if p.bar == nil {
		return
	}
	if failed {
		p.errors++
		p.bar.Describe(fmt.Sprintf("fetch (%d errors)", p.errors))
	}
	_ = p.bar.Add(1) // writes to the terminal: nothing to do about an error
}

// finish draws the bar a last time and ends its line.
func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}
