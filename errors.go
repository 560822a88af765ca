// Package hireflow holds the domain types and the one application error type shared by every
// layer: the store returns these errors, the API maps their kinds to HTTP statuses in one place.
package hireflow

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the transport layer; each kind maps to one HTTP status.
type Kind string

const (
	KindInvalid      Kind = "invalid"      // 422: the input is well-formed but wrong
	KindBadRequest   Kind = "bad_request"  // 400: the input could not be read
	KindNotFound     Kind = "not_found"    // 404
	KindUnauthorized Kind = "unauthorized" // 401
	KindForbidden    Kind = "forbidden"    // 403
	KindConflict     Kind = "conflict"     // 409
	KindGone         Kind = "gone"         // 410: expired or revoked
	KindTooLarge     Kind = "too_large"    // 413
	KindUnsupported  Kind = "unsupported"  // 415
	KindRateLimited  Kind = "rate_limited" // 429
	KindUnavailable  Kind = "unavailable"  // 503
	KindInternal     Kind = "internal"     // 500: logged, never shown
)

// Error is the application error. Code is a stable machine-readable string (e.g.
// "resume_unreadable"); Message is English, MessageZH Chinese; Field names the input at fault.
type Error struct {
	Kind      Kind
	Code      string
	Message   string
	MessageZH string
	Field     string
	Details   any   // optional structured detail shown to clients (e.g. every rule error)
	Err       error // wrapped cause, never shown to clients
}

func (e *Error) Error() string {
	s := string(e.Kind) + "/" + e.Code + ": " + e.Message
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an application error with an English message; use ZH to add the Chinese one.
func Errorf(kind Kind, code, field, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ZH sets the Chinese message and returns the error for chaining.
func (e *Error) ZH(format string, args ...any) *Error {
	e.MessageZH = fmt.Sprintf(format, args...)
	return e
}

// Wrap attaches a cause that is logged but never shown.
func (e *Error) Wrap(err error) *Error {
	e.Err = err
	return e
}

// AsError returns the application error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorKind returns the kind of err, KindInternal for foreign errors.
func ErrorKind(err error) Kind {
	if e := AsError(err); e != nil {
		return e.Kind
	}
	return KindInternal
}

// ErrorCode returns the code of err, "internal" for foreign errors.
func ErrorCode(err error) string {
	if e := AsError(err); e != nil {
		return e.Code
	}
	return "internal"
}

// NotFound is a shorthand for the common "no such thing in this organisation" error.
func NotFound(code, what string) *Error {
	return Errorf(KindNotFound, code, "", "%s not found", what)
}
