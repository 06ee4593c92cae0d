package integration

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Browser is headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe): one process for every page, no port to pick.
type Browser struct {
	cmd     *exec.Cmd
	in      *os.File // our end of Chromium's fd 3: commands
	out     *bufio.Reader
	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  chan cdpMessage
	done    chan struct{}
	err     error
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// StartBrowser starts Chromium with a private profile under dir; stop it
// with Close.
func StartBrowser(dir string) (*Browser, error) {
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(dir + "/chromium.log")
	if err != nil {
		return nil, err
	}
	args := []string{"--headless=new", "--remote-debugging-pipe", "--user-data-dir=" + dir + "/profile",
		"--disable-gpu", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--disable-sync",
		"--disable-component-update", "--metrics-recording-only", "--mute-audio",
		"--proxy-server=direct://", "--proxy-bypass-list=*", "about:blank"}
	if os.Geteuid() == 0 {
		// Chromium's sandbox refuses to run as root.
		args = append([]string{"--no-sandbox"}, args...)
	}
	cmd := exec.Command("chromium", args...)
	// The run's fixed environment, with a HOME of its own: Chromium writes
	// there besides the profile.
	cmd.Env = append(DaemonEnv(), "HOME="+dir)
	cmd.ExtraFiles = []*os.File{cmdR, resW}
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group: the renderers and helpers go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	cmdR.Close()
	resW.Close()
	log.Close()
	b := &Browser{cmd: cmd, in: cmdW, out: bufio.NewReaderSize(resR, 1<<20),
		pending: map[int]chan cdpMessage{}, events: make(chan cdpMessage, 256), done: make(chan struct{})}
	go b.read()
	return b, nil
}

func (b *Browser) read() {
	defer close(b.done)
	for {
		raw, err := b.out.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.err = fmt.Errorf("chromium closed its pipe: %w", err)
			for _, c := range b.pending {
				close(c)
			}
			b.pending = map[int]chan cdpMessage{}
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			c := b.pending[m.ID]
			delete(b.pending, m.ID)
			b.mu.Unlock()
			if c != nil {
				c <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // nobody waits for this event
		}
	}
}

// call sends one command and waits for its answer.
func (b *Browser) call(ctx context.Context, session, method string, params any, result any) error {
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return b.err
	}
	b.nextID++
	id := b.nextID
	c := make(chan cdpMessage, 1)
	b.pending[id] = c
	b.mu.Unlock()
	if params == nil {
		params = struct{}{}
	}
	p, _ := json.Marshal(params)
	msg, _ := json.Marshal(cdpMessage{ID: id, Method: method, SessionID: session, Params: p})
	if _, err := b.in.Write(append(msg, 0)); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	case m, ok := <-c:
		if !ok {
			return b.err
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	}
}

// Page is what a test reads from one loaded page.
type Page struct {
	// Value is what the page's script returned (JSON).
	Value json.RawMessage
	// PNG is a screenshot of the viewport.
	PNG []byte
}

// Visit opens url in a fresh tab of width x height, waits for the load
// event and for every image to finish (with images, for at least one, up
// to 8 s: a page's script may add them late), evaluates script (an
// expression whose value is returned as JSON) and takes a screenshot.
func (b *Browser) Visit(ctx context.Context, url string, width, height int, images bool, script string) (*Page, error) {
	var target struct{ TargetID string }
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	defer b.call(context.Background(), "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	var att struct{ SessionID string }
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	s := att.SessionID
	if err := b.call(ctx, s, "Page.enable", nil, nil); err != nil {
		return nil, err
	}
	if err := b.call(ctx, s, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	var nav struct{ ErrorText string }
	if err := b.call(ctx, s, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("opening %s: %s", url, nav.ErrorText)
	}
	if err := b.waitEvent(ctx, s, "Page.loadEventFired"); err != nil {
		return nil, fmt.Errorf("loading %s: %w", url, err)
	}
	// The load event covers the images of the first render; Icinga Web's
	// script may replace them (graph widths follow the column), so wait
	// until every image on the page is complete.
	settle := fmt.Sprintf(`new Promise(r => { const t0 = Date.now(); (function w() {
	  const imgs = [...document.images]; if (((imgs.length || !%t) && imgs.every(i => i.complete)) || Date.now() - t0 > 8000) { setTimeout(r, 300); return }
	  setTimeout(w, 100) })() })`, images)
	if err := b.call(ctx, s, "Runtime.evaluate", map[string]any{"expression": settle, "awaitPromise": true}, nil); err != nil {
		return nil, err
	}
	var ev struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct{ Text string }
	}
	if err := b.call(ctx, s, "Runtime.evaluate", map[string]any{"expression": script, "returnByValue": true, "awaitPromise": true}, &ev); err != nil {
		return nil, err
	}
	if ev.ExceptionDetails != nil {
		return nil, fmt.Errorf("page script: %s", ev.ExceptionDetails.Text)
	}
	var shot struct{ Data string }
	if err := b.call(ctx, s, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		return nil, err
	}
	return &Page{Value: ev.Result.Value, PNG: png}, nil
}

func (b *Browser) waitEvent(ctx context.Context, session, method string) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.done:
			return errors.New("chromium exited")
		case m := <-b.events:
			if m.Method == method && m.SessionID == session {
				return nil
			}
		}
	}
}

// Close asks Chromium to quit and waits for it, killing it after a while.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	b.in.Close()
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	// Helpers that outlived the browser process.
	_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	return nil
}
