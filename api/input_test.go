package api

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
)

func TestCheckJSON(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxJSONDepth+1) + "1" + strings.Repeat("}", MaxJSONDepth+1)
	for _, tc := range []struct{ name, body, code, field string }{
		{"NULInValue", `{"rule":"\u0000"}`, "invalid_text", "rule"},
		{"NULInNestedValue", `{"rules":{"screening":"\"pa\u0000ss\""}}`, "invalid_text", "screening"},
		{"NULInKey", `{"a\u0000":1}`, "invalid_text", ""},
		{"NULInArray", `{"must":["go","\u0000"]}`, "invalid_text", "must"},
		{"LoneSurrogateIsReplacedNotNUL", `{"name":"\ud800"}`, "", ""},
		{"RawInvalidUTF8", "{\"name\":\"\xff\xfe\"}", "invalid_text", ""},
		{"DuplicateKey", `{"salary":1,"salary":2}`, "duplicate_key", "salary"},
		{"DuplicateNestedKey", `{"a":{"b":1,"b":1}}`, "duplicate_key", "b"},
		{"SameKeyInSiblings", `{"a":{"b":1},"c":{"b":2}}`, "", ""},
		{"TooDeep", deep, "json_too_deep", "a"},
		{"DeepArrays", strings.Repeat("[", 100) + strings.Repeat("]", 100), "json_too_deep", ""},
		{"Fine", `{"title":"Go 工程师","must":["go"],"n":1e400}`, "", ""},
		{"SyntaxErrorLeftToDecoder", `{"a":`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSON([]byte(tc.body))
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			herr := hireflow.AsError(err)
			require.NotNil(t, herr, "%v", err)
			require.Equal(t, tc.code, herr.Code)
			require.Equal(t, hireflow.KindBadRequest, herr.Kind)
			require.Equal(t, tc.field, herr.Field)
			require.NotEmpty(t, herr.MessageZH)
		})
	}
}

func TestActionsFollowStageAndRole(t *testing.T) {
	const (
		rec = hireflow.RoleRecruiter
		mgr = hireflow.RoleHiringManager
		itv = hireflow.RoleInterviewer
		ana = hireflow.RoleAnalyst
		adm = hireflow.RoleAdmin
	)
	active := hireflow.StatusActive
	for _, tc := range []struct {
		name   string
		role   hireflow.Role
		stage  hireflow.Stage
		status hireflow.Status
		offer  string
		want   stageActions
	}{
		{"InterviewShowsNothing", rec, hireflow.StageInterview, active, "", stageActions{}},
		{"HoldRecruiterDecides", rec, hireflow.StageHold, active, "", stageActions{Decide: true}},
		{"HoldManagerNothing", mgr, hireflow.StageHold, active, "", stageActions{}},
		{"ReviewManager", mgr, hireflow.StageReview, active, "", stageActions{Review: true}},
		{"ReviewInterviewer", itv, hireflow.StageReview, active, "", stageActions{Review: true}},
		{"ReviewAnalystNothing", ana, hireflow.StageReview, active, "", stageActions{}},
		{"OfferRecruiterDrafts", rec, hireflow.StageOffer, active, "", stageActions{Offer: true}},
		{"OfferRedraftAfterRejection", rec, hireflow.StageOffer, active, "rejected", stageActions{Offer: true}},
		{"OfferApprovingRecruiterApproves", rec, hireflow.StageOffer, active, "approving", stageActions{Approve: true}},
		{"OfferApprovingManager", mgr, hireflow.StageOffer, active, "approving", stageActions{Approve: true}},
		{"OfferApprovingAnalystNothing", ana, hireflow.StageOffer, active, "approving", stageActions{}},
		{"OfferApprovedWaitsForCandidate", rec, hireflow.StageOffer, active, "approved", stageActions{}},
		{"ProbationHired", mgr, hireflow.StageProbation, hireflow.StatusHired, "accepted", stageActions{Probation: true}},
		{"ProbationAdminNothing", adm, hireflow.StageProbation, hireflow.StatusHired, "accepted", stageActions{}},
		{"WithdrawnNothing", rec, hireflow.StageHold, hireflow.StatusWithdrawn, "", stageActions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, actionsFor(tc.role, tc.stage, tc.status, tc.offer))
		})
	}
}

func TestDependencyErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		kind hireflow.Kind
		code string
	}{
		{"NULText", fmt.Errorf("store: %w", &pgconn.PgError{Code: "22P05"}), hireflow.KindBadRequest, "invalid_text"},
		{"BadEncoding", &pgconn.PgError{Code: "22021"}, hireflow.KindBadRequest, "invalid_text"},
		{"NotAUUID", &pgconn.PgError{Code: "22P02"}, hireflow.KindBadRequest, "invalid_value"},
		{"TooLongForIndex", &pgconn.PgError{Code: "54000"}, hireflow.KindInvalid, "text_too_long"},
		{"ServerShuttingDown", &pgconn.PgError{Code: "57P01"}, hireflow.KindUnavailable, "database_unavailable"},
		{"ConnectionFailure", &pgconn.PgError{Code: "08006"}, hireflow.KindUnavailable, "database_unavailable"},
		{"Refused", fmt.Errorf("store: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), hireflow.KindUnavailable, "dependency_unavailable"},
		{"TemporalDown", serviceerror.NewUnavailable("down"), hireflow.KindUnavailable, "workflow_unavailable"},
		{"WrappedInternal", hireflow.Errorf(hireflow.KindInternal, "internal", "", "x").Wrap(io.ErrUnexpectedEOF), hireflow.KindUnavailable, "dependency_unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := dependencyError(tc.err)
			require.NotNil(t, e)
			require.Equal(t, tc.kind, e.Kind)
			require.Equal(t, tc.code, e.Code)
			require.NotEmpty(t, e.MessageZH)
		})
	}
	require.Nil(t, dependencyError(errors.New("something else")), "other errors stay internal")
	require.Nil(t, dependencyError(&pgconn.PgError{Code: "23505"}))
}

// The upload sniffers and the input checks take any bytes without panicking, and decide the
// same way twice.
func FuzzSniffRecording(f *testing.F) {
	f.Add([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f})
	f.Add([]byte("\x00\x00\x00\x18ftypmp42"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c1, ok1 := sniffRecording(b)
		c2, ok2 := sniffRecording(b)
		if c1 != c2 || ok1 != ok2 || (ok1 && c1 != "video/webm" && c1 != "video/mp4") {
			t.Fatalf("sniff %q/%v then %q/%v", c1, ok1, c2, ok2)
		}
	})
}

func FuzzCheckJSON(f *testing.F) {
	f.Add([]byte(`{"a":"b","c":[1,2,{"d":null}]}`))
	f.Add([]byte(`{"a":"\u0000"}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(strings.Repeat("[", 40)))
	f.Fuzz(func(t *testing.T, b []byte) {
		e1, e2 := checkJSON(b), checkJSON(b)
		if (e1 == nil) != (e2 == nil) {
			t.Fatal("not deterministic")
		}
		if e1 != nil {
			if h := hireflow.AsError(e1); h == nil || h.Kind != hireflow.KindBadRequest || h.Code == "" {
				t.Fatalf("uncoded: %v", e1)
			}
		}
	})
}
