package pipeline

import "errors"

// ErrPermanent marks an error no redelivery can fix. Wrap with [Permanent];
// test with errors.Is. Any error without it is transient.
var ErrPermanent = errors.New("permanent failure")

// Reason is the bounded classification of a permanent failure, used in dead
// letters and as a metric label.
type Reason string

// Reasons a raw message is dead-lettered.
const (
	ReasonTooLarge      Reason = "too_large"
	ReasonEmpty         Reason = "empty"
	ReasonInvalidUTF8   Reason = "invalid_utf8"
	ReasonMalformed     Reason = "malformed"
	ReasonUnprocessable Reason = "unprocessable"
	ReasonMaxDeliveries Reason = "max_deliveries"
)

// Reasons lists every [Reason], for zeroing metric labels.
var Reasons = []Reason{ReasonTooLarge, ReasonEmpty, ReasonInvalidUTF8, ReasonMalformed, ReasonUnprocessable, ReasonMaxDeliveries}

type permanentError struct {
	reason Reason
	err    error
}

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() []error { return []error{ErrPermanent, e.err} }

// Permanent wraps err as a permanent failure for the given reason.
func Permanent(reason Reason, err error) error {
	return &permanentError{reason: reason, err: err}
}

// ReasonOf returns the [Reason] of a permanent error, [ReasonUnprocessable]
// for one wrapped without a reason, and "" for a transient error.
func ReasonOf(err error) Reason {
	var pe *permanentError
	if errors.As(err, &pe) {
		return pe.reason
	}
	if errors.Is(err, ErrPermanent) {
		return ReasonUnprocessable
	}
	return ""
}
