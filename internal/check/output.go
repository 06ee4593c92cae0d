package check

import (
	"io"
	"sort"
	"strings"
)

// MaxDefaultOutput keeps the default output within what NRPE 2 passes on
// (1024 bytes, the performance data being last and cut first).
const MaxDefaultOutput = 1000

// maxSummary and maxSummaryBytes bound line 1 whatever the server sent;
// the byte bound keeps wide scripts from crowding out the perfdata.
const (
	maxSummary      = 200
	maxSummaryBytes = 400
)

// Write prints a result as plugin output: line 1 "STATE: summary", one line
// per judged part in the layout f, the long output, the performance data.
// With verbose 0 the lines under line 1 are trimmed so the whole stays
// under MaxDefaultOutput bytes. The password must already be
// scrubbed out of the result (package secret says where and when): Write
// cannot tell our words and performance data from server text.
func Write(w io.Writer, r Result, verbose int, f Format) error {
	r.Summary = cutBytes(Shorten(Text(r.Summary), maxSummary), maxSummaryBytes)
	if r.Summary == "" {
		r.Summary = "no result"
	}
	// Evaluators sanitise what they take from the server; doing it again
	// here makes "no '|' or control character before the performance
	// data" hold for every line, whoever built it.
	long := make([]string, 0, len(r.Parts)+len(r.Long))
	for _, p := range r.Parts {
		if l := Text(p.Line); l != "" {
			long = append(long, f.mark(p.State)+l)
		}
	}
	for _, l := range r.Long {
		if l = Text(l); l != "" {
			long = append(long, l)
		}
	}
	r.Parts, r.Long = nil, long
	r, perf := plainPerf(r)
	out := render(r, perf)
	if verbose == 0 && len(out) > MaxDefaultOutput {
		out = render(trimLong(r, MaxDefaultOutput-(len(out)-longSize(r))), perf)
	}
	if !strings.HasSuffix(out, "\n") {
		// The layout ends with a newline only after performance data.
		out += "\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

// eol ends each line but the last, with a space before the newline as
// go-nagios writes it (Nagios' web UI once read a bare "\n" literally).
const eol = " \n"

// render lays a result out as go-nagios (v0.20) does, the layout Nagios,
// Icinga 2 and Naemon parse and the one the plugins have always printed:
// line 1; with long output, a spacer line, the long output and then the
// performance data on the last line; each metric as
// " 'label'=valueUOM;warn;crit;min;max", sorted by lower-cased label (the
// last of two alike wins). Written here rather than through the library,
// whose debug logging, payload encoding and section machinery the plugins
// never use but every start would map in; TestRenderAsGoNagios holds the
// two to the same bytes.
func render(r Result, perf []perfValue) string {
	var b strings.Builder
	line1 := r.State.String() + ": " + r.Summary
	long := strings.Join(r.Long, eol)
	if long == "" {
		line1 = strings.TrimRight(line1, " \t\n")
	}
	b.WriteString(line1)
	if long != "" {
		b.WriteString(eol + eol + long + eol)
	}
	if strings.TrimSpace(line1) == "" || len(perf) == 0 {
		return b.String()
	}
	byLabel := make(map[string]perfValue, len(perf))
	for _, m := range perf {
		byLabel[strings.ToLower(m.Label)] = m
	}
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	b.WriteString(" |")
	for _, l := range labels {
		m := byLabel[l]
		b.WriteString(" '" + m.Label + "'=" + m.value + m.UOM + ";" + m.Warn + ";" + m.Crit + ";" + m.Min + ";" + m.Max)
	}
	b.WriteString(eol)
	return b.String()
}

// perfValue is a metric whose value has been written for performance data.
type perfValue struct {
	Perf
	value string
}

// plainPerf writes each metric's value as a plain decimal. A value that
// has no plain form of reasonable length (1.7976931348623157e308) is left
// out of the performance data, which graphs would misread or which would
// crowd out the rest, and said in the long output, first so that trimming
// keeps it.
func plainPerf(r Result) (Result, []perfValue) {
	var notes []string
	perf := make([]perfValue, 0, len(r.Perf))
	for _, m := range r.Perf {
		v, ok := perfNumber(m.Value)
		if !ok {
			notes = append(notes, m.Label+" left out of the performance data: "+FormatNumber(m.Value)+" has no plain decimal form of at most 20 characters")
			continue
		}
		perf = append(perf, perfValue{m, v})
	}
	if len(notes) > 0 {
		r.Long = append(notes, r.Long...)
	}
	return r, perf
}

func longSize(r Result) int {
	n := 0
	for _, l := range r.Long {
		n += len(l) + len(eol)
	}
	return n
}

const trimMarker = "… (output trimmed; -v shows all)"

// trimLong keeps as much of the long output as fits in budget bytes.
func trimLong(r Result, budget int) Result {
	budget -= len(trimMarker) + len(eol) + 8
	var kept []string
	for _, l := range r.Long {
		need := len(l) + len(eol)
		if need > budget {
			if budget > 40 {
				kept = append(kept, cutBytes(l, budget-len(eol)-3)+"…")
			}
			break
		}
		kept = append(kept, l)
		budget -= need
	}
	r.Long = append(kept, trimMarker)
	return r
}

// cutBytes cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
