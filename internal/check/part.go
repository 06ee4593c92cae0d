package check

import (
	"slices"
	"strings"
)

// Part is one thing a check judged: an element, a threshold, a switch.
// Evaluators return their parts and Combine joins them, so that line 1
// can lead with what decided the state whichever evaluator found it.
type Part struct {
	State State
	// Phrase is what line 1 says of the part; "" says nothing.
	Phrase string
	// Line is the part's line under line 1, without its state marker;
	// "" gives it no line.
	Line string
}

// Combine returns the worst state of the parts and line 1 from their
// phrases: the phrases of the most severe parts first, then the others,
// each group in the evaluator's order. Line 1 is cut at a fixed length
// when printed; leading with what decided the state keeps that in view
// however many other things alert at once.
func Combine(parts ...Part) (State, string) {
	var states []State
	for _, p := range parts {
		states = append(states, p.State)
	}
	worst := Worst(states...)
	ordered := slices.Clone(parts)
	slices.SortStableFunc(ordered, func(a, b Part) int { return b.State.severity() - a.State.severity() })
	var phrases []string
	for _, p := range ordered {
		if p.Phrase != "" {
			phrases = append(phrases, p.Phrase)
		}
	}
	return worst, strings.Join(phrases, ", ")
}
