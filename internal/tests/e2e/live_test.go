package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestTranscribedWhileRecording sends a recording in pieces as the interview page does while
// the candidate speaks: the scoring worker transcribes the finished stretches as they arrive,
// so after the whole recording is uploaded only its last seconds are decoded. Broken pieces
// are refused with coded errors; once the answer is scored its pieces and their transcript are
// deleted, objects included. Both decode with the job's domain language model.
func TestTranscribedWhileRecording(t *testing.T) {
	e := testenv.StartWith(t, map[string]string{"HIREFLOW_DOMAIN_LM": "on"})
	r, p := applyToRecordedJob(t, e, "Lina Live", "live", []map[string]any{
		{"id": "q1", "text_en": "An incident you resolved?", "kind": "video", "max_seconds": 120, "dimensions": []string{"problem_solving", "ownership"}},
	})
	link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
	token := link[strings.LastIndex(link, "/")+1:]

	whole := spokenWebM(t, strings.Repeat("When I was on call a customer reported that checkout failed. I took ownership, analysed the logs, "+
		"found the root cause and we reduced errors by sixty percent. ", 3))

	const take = "a1b2c3d4e5f60718"
	put := func(seq string, take string, data []byte) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPut, e.BaseURL+"/api/v1/candidate/"+token+"/answers/q1/pieces/"+seq+"?take="+take, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := e.HTTP.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code := func(out map[string]any) string { return out["error"].(map[string]any)["code"].(string) }
	status, res := put("0", take, whole[:1000])
	require.Equal(t, 403, status, "pieces need the recording consent too")
	require.Equal(t, "consent_required", code(res))
	var consent map[string]any
	require.Equal(t, 200, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/consent", map[string]any{"recording": true, "notice_version": "2026-11"}, &consent))

	n := 6
	pieces := make([][]byte, n)
	for k := range n {
		pieces[k] = whole[len(whole)*k/n : len(whole)*(k+1)/n]
	}
	for _, tc := range []struct {
		name, seq, take string
		data            []byte
		status          int
		code            string
	}{
		{"BadTake", "0", "Robert'); DROP", pieces[0], 422, "invalid_take"},
		{"NoTake", "0", "", pieces[0], 422, "invalid_take"},
		{"NegativeSeq", "-1", take, pieces[0], 422, "invalid_seq"},
		{"HugeSeq", "99999", take, pieces[0], 422, "invalid_seq"},
		{"PaddedSeq", "01", take, pieces[0], 422, "invalid_seq"},
		{"Empty", "0", take, nil, 422, "file_empty"},
		{"NotAVideo", "0", take, []byte("\x89PNG\r\n\x1a\nnot a recording"), 415, "unsupported_media_type"},
	} {
		status, res := put(tc.seq, tc.take, tc.data)
		require.Equal(t, tc.status, status, "%s: %v", tc.name, res)
		require.Equal(t, tc.code, code(res), tc.name)
	}
	var stored int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM recording_pieces WHERE application_id = $1`, r.ApplicationID).Scan(&stored))
	require.Zero(t, stored, "refused pieces store nothing")

	// The pieces arrive as the candidate speaks (one a second here); one is sent twice.
	for k := range n {
		status, res := put(fmt.Sprint(k), take, pieces[k])
		require.Equal(t, 201, status, "%v", res)
		require.Equal(t, true, res["transcribing"])
		if k == 1 {
			status, _ = put("1", take, pieces[1])
			require.Equal(t, 201, status, "sending a piece again is idempotent")
			status, res = put("1", take, pieces[2])
			require.Equal(t, 409, status, "another piece under a number already used")
			require.Equal(t, "piece_conflict", code(res))
		}
		time.Sleep(time.Second)
	}
	var until float64
	var speaker int
	testenv.Eventually(t, 3*time.Minute, "the stretches to be transcribed as they arrive, and the speaker transform fitted from them", func() bool {
		_ = e.Store.Pool().QueryRow(ctx, `SELECT coalesce(max(until_s), 0), count(speaker) FROM live_transcripts WHERE application_id = $1`, r.ApplicationID).Scan(&until, &speaker)
		return until > 10 && speaker > 0
	})

	// The whole recording: only the rest is decoded, and the report says so.
	req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/answers/q1/recording", bytes.NewReader(whole))
	req.Header.Set("Content-Type", "video/webm")
	resp, err := e.HTTP.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	var raw []byte
	testenv.Eventually(t, 90*time.Second, "the answer to be scored", func() bool {
		return e.Store.Pool().QueryRow(ctx, `SELECT s.report FROM answer_scores s JOIN answers a ON a.id = s.answer_id WHERE a.application_id = $1`, r.ApplicationID).Scan(&raw) == nil
	})
	var rep struct {
		Live       float64 `json:"live_seconds"`
		Method     string
		Transcript string
		Words      []struct {
			S float64 `json:"s"`
		}
	}
	require.NoError(t, json.Unmarshal(raw, &rep))
	require.Greater(t, rep.Live, 10.0, "the stretches transcribed while recording were used")
	require.Contains(t, rep.Method, "transcribed while recording")
	require.Contains(t, rep.Method, "with the job's language model")
	require.Contains(t, rep.Method, "adapted to the speaker", "the rest was decoded with the transform fitted while recording")
	require.Contains(t, rep.Transcript, "customer")
	require.Greater(t, rep.Words[len(rep.Words)-1].S, rep.Live, "the rest was decoded after the upload, with its times in the whole recording")

	// Scored: the pieces, their transcript (with the speaker transform) and their objects are gone.
	testenv.Eventually(t, 30*time.Second, "the pieces to be deleted", func() bool {
		var left, objects int
		_ = e.Store.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM recording_pieces WHERE application_id = $1) + (SELECT count(*) FROM live_transcripts WHERE application_id = $1)`, r.ApplicationID).Scan(&left)
		_ = e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM stored_objects WHERE application_id = $1 AND kind = 'piece' AND (deleted_at IS NULL OR key_enc <> '\x')`, r.ApplicationID).Scan(&objects)
		return left == 0 && objects == 0
	})
}
