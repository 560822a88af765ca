package api

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"

	"github.com/hireflow/hireflow"
)

// dependencyError classifies an error from PostgreSQL, Temporal or the object store that no
// handler turned into an application error: a dependency that is down or restarting is 503
// with Retry-After (the client may retry; nothing was kept), and text the database refused is
// the client's 4xx. Anything else stays internal.
func dependencyError(err error) *hireflow.Error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "22P05" || pe.Code == "22021":
			return hireflow.Errorf(hireflow.KindBadRequest, "invalid_text", pe.ColumnName, "the text contains characters that cannot be stored").
				ZH("文本包含无法保存的字符")
		case pe.Code == "22001" || pe.Code == "54000":
			return hireflow.Errorf(hireflow.KindInvalid, "text_too_long", pe.ColumnName, "a text is too long").ZH("文本过长")
		case pe.Code == "22P02" || pe.Code == "22007" || pe.Code == "22008":
			return hireflow.Errorf(hireflow.KindBadRequest, "invalid_value", pe.ColumnName, "a value does not have the expected form").ZH("某个值的格式不正确")
		case pe.Code == "22003":
			return hireflow.Errorf(hireflow.KindInvalid, "number_out_of_range", pe.ColumnName, "a number is out of range").ZH("数值超出范围")
		case strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300":
			return unavailable("database_unavailable", "the database")
		}
		return nil
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) {
		return unavailable("database_unavailable", "the database")
	}
	var su *serviceerror.Unavailable
	var dl *serviceerror.DeadlineExceeded
	if errors.As(err, &su) || errors.As(err, &dl) {
		return unavailable("workflow_unavailable", "the workflow service")
	}
	var ne *net.OpError
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) {
		return unavailable("dependency_unavailable", "a service we depend on")
	}
	return nil
}

func unavailable(code, what string) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindUnavailable, code, "", "%s is not reachable right now; nothing was changed, retry in a few seconds", what).
		ZH("服务暂时不可用，未做任何更改，请几秒后重试")
}
