package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// MaxRecordingBytes bounds one recorded answer.
const MaxRecordingBytes = 64 << 20

// sniffRecording accepts WebM (EBML) and MP4 (ftyp) only.
func sniffRecording(b []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0x1a, 0x45, 0xdf, 0xa3}):
		return "video/webm", true
	case len(b) > 12 && string(b[4:8]) == "ftyp":
		return "video/mp4", true
	}
	return "", false
}

// candidateRecording stores a recorded answer: the body is the WebM/MP4 file (as MediaRecorder
// makes it). It is sniffed, decoded once to check it plays and how long, encrypted, stored, and
// the workflow gets its ID. Re-sending the same file is idempotent.
func (s *Server) candidateRecording(c *fiber.Ctx) error {
	tok, ct, app, q, err := s.openRecording(c)
	if err != nil {
		return err
	}
	body := c.Body()
	if len(body) == 0 {
		return hireflow.Errorf(hireflow.KindInvalid, "file_empty", "recording", "the recording is empty").ZH("录制内容为空")
	}
	if len(body) > MaxRecordingBytes {
		return hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "recording", "the recording is larger than %d MB", MaxRecordingBytes>>20)
	}
	ctype, ok := sniffRecording(body)
	if !ok {
		return hireflow.Errorf(hireflow.KindUnsupported, "unsupported_media_type", "recording", "upload the recording as WebM or MP4").
			ZH("请以 WebM 或 MP4 格式上传录制内容")
	}
	sum := sha256.Sum256(body)
	key := "video:" + app.ID + ":" + q.ID + ":" + hex.EncodeToString(sum[:8])
	if id, found, err := s.Store.AnswerByKey(c.UserContext(), tok.OrgID, key); err != nil {
		return err
	} else if found {
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"answer_id": id})
	}
	n, err := s.Store.AnswerCount(c.UserContext(), tok.OrgID, app.ID, q.ID)
	if err != nil {
		return err
	}
	if n > q.Retakes {
		return hireflow.Errorf(hireflow.KindConflict, "no_retakes_left", "question_id", "no retakes are left for this question").ZH("此题已没有重答次数")
	}
	dur, err := s.recordingDuration(c.UserContext(), body)
	if err != nil {
		return err
	}
	if limit := float64(q.MaxSecs) + 5; q.MaxSecs > 0 && dur > limit {
		return hireflow.Errorf(hireflow.KindInvalid, "recording_too_long", "recording", "the recording lasts %.0f s; this question allows %d s", dur, q.MaxSecs).
			ZH("录制时长 %.0f 秒，超过本题允许的 %d 秒", dur, q.MaxSecs)
	}
	if dur < 1 {
		return hireflow.Errorf(hireflow.KindInvalid, "recording_too_short", "recording", "the recording is shorter than a second")
	}
	objKey := tok.OrgID + "/applications/" + app.ID + "/answers/" + q.ID + "-" + hex.EncodeToString(sum[:8])
	objID, err := s.storeObject(c.UserContext(), tok.OrgID, app.ID, "answer", objKey, ctype, body)
	if err != nil {
		return err
	}
	id, _, err := s.Store.AnswerCreate(c.UserContext(), tok.OrgID, app.ID, q.ID, "video", ct.Language, "", objID, key)
	if err != nil {
		return err
	}
	if err := s.signal(c.UserContext(), app.ID, workflows.SignalAnswerSubmitted, workflows.AnswerSignal{AnswerID: id, QuestionID: q.ID}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"answer_id": id, "seconds": dur})
}

// storeObject encrypts and uploads an application's object and records its row (the upload is
// removed if the row cannot be written).
func (s *Server) storeObject(ctx context.Context, orgID, appID, kind, key, ctype string, body []byte) (string, error) {
	obj, err := s.Objects.Prepare(orgID, appID, kind, key, ctype, body)
	if err != nil {
		return "", err
	}
	if err := s.Objects.Upload(ctx, obj); err != nil {
		return "", err
	}
	id, err := s.Store.ObjectRecord(ctx, obj.Row)
	if err != nil {
		_ = s.Objects.Delete(context.WithoutCancel(ctx), key)
	}
	return id, err
}

// openRecording opens the link's recorded question: a video question of an interview that is
// open, with the candidate's consent to record.
func (s *Server) openRecording(c *fiber.Ctx) (store.CandidateToken, store.Contact, hireflow.Application, *hireflow.Question, error) {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return tok, ct, hireflow.Application{}, nil, err
	}
	app, q, err := s.openQuestion(c, tok, ct, c.Params("question"), "video")
	if err != nil {
		return tok, ct, app, nil, err
	}
	if ok, err := s.Store.ConsentGiven(c.UserContext(), tok.OrgID, app.ID, "recording"); err != nil {
		return tok, ct, app, nil, err
	} else if !ok {
		return tok, ct, app, nil, hireflow.Errorf(hireflow.KindForbidden, "consent_required", "recording", "recorded answers need your consent first").
			ZH("录制回答前需要您的同意")
	}
	return tok, ct, app, q, nil
}

func (s *Server) recordingDuration(ctx context.Context, body []byte) (float64, error) {
	dir, err := os.MkdirTemp("", "hireflow-upload-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "recording")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	d, err := s.Media.Seconds(ctx, path)
	if errors.Is(err, ErrUnreadableMedia) {
		return 0, hireflow.Errorf(hireflow.KindInvalid, "recording_unreadable", "recording", "the recording is damaged or incomplete; record it again").
			ZH("录制文件已损坏或不完整，请重新录制")
	}
	return d, err
}

// MaxPieceBytes bounds one piece of a recording uploaded while the candidate speaks.
const MaxPieceBytes = 8 << 20

// MaxPieces bounds the pieces of one take.
const MaxPieces = 2000

// takeRe is a take's ID, drawn by the interview page for each recording attempt.
var takeRe = regexp.MustCompile(`^[a-z0-9]{8,32}$`)

// candidateRecordingPiece stores one piece of a recording while it is being made (the interview
// page sends MediaRecorder's timeslices as they come, numbered from 0, with the take's ID) and
// tells the take's transcription that it arrived. Sending a piece again is idempotent; a
// different piece under a number already used is refused. The pieces are a head start only:
// the whole recording, uploaded at the end, is the answer.
func (s *Server) candidateRecordingPiece(c *fiber.Ctx) error {
	tok, _, app, q, err := s.openRecording(c)
	if err != nil {
		return err
	}
	take := c.Query("take")
	if !takeRe.MatchString(take) {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_take", "take", "take is the recording attempt's ID: 8 to 32 lower-case letters or digits").
			ZH("take 是本次录制的 ID：8 到 32 个小写字母或数字")
	}
	seq, err := strconv.Atoi(c.Params("seq"))
	if err != nil || seq < 0 || seq >= MaxPieces || strconv.Itoa(seq) != c.Params("seq") {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_seq", "seq", "a piece's number is a whole number from 0 to %d", MaxPieces-1).
			ZH("片段编号须为 0 到 %d 的整数", MaxPieces-1)
	}
	body := c.Body()
	switch {
	case len(body) == 0:
		return hireflow.Errorf(hireflow.KindInvalid, "file_empty", "recording", "the piece is empty").ZH("片段为空")
	case len(body) > MaxPieceBytes:
		return hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "recording", "a piece is at most %d MB", MaxPieceBytes>>20)
	}
	if _, ok := sniffRecording(body); seq == 0 && !ok {
		return hireflow.Errorf(hireflow.KindUnsupported, "unsupported_media_type", "recording", "the first piece begins a WebM or MP4 recording").
			ZH("第一个片段必须是 WebM 或 MP4 录制的开头")
	}
	n, total, err := s.Store.PieceTotals(c.UserContext(), tok.OrgID, app.ID, q.ID, take)
	if err != nil {
		return err
	}
	if n >= MaxPieces || total+int64(len(body)) > MaxRecordingBytes {
		return hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "recording", "the recording is larger than %d MB", MaxRecordingBytes>>20)
	}
	sum := sha256.Sum256(body)
	// Each upload its own object (and data key): a repeat or a race never overwrites a stored piece.
	objKey := tok.OrgID + "/applications/" + app.ID + "/pieces/" + q.ID + "-" + take + "-" + strconv.Itoa(seq) + "-" + uuid.NewString()
	objID, err := s.storeObject(c.UserContext(), tok.OrgID, app.ID, "piece", objKey, "application/octet-stream", body)
	if err != nil {
		return err
	}
	existing, found, err := s.Store.PieceRecord(c.UserContext(), tok.OrgID, app.ID, q.ID, take, store.Piece{Seq: seq, ObjectID: objID, Bytes: len(body), SHA256: sum[:]})
	if err != nil {
		return err
	}
	if found {
		// Sent before: this copy is not needed.
		_ = s.Store.ObjectDiscard(context.WithoutCancel(c.UserContext()), tok.OrgID, objID)
		_ = s.Objects.Delete(context.WithoutCancel(c.UserContext()), objKey)
	}
	if found && !bytes.Equal(existing.SHA256, sum[:]) {
		return hireflow.Errorf(hireflow.KindConflict, "piece_conflict", "seq", "piece %d of this take was already sent with other content", seq).
			ZH("本次录制的第 %d 个片段已以不同内容上传过", seq)
	}
	// The transcription is a head start: if it cannot be reached, the piece is kept and the whole
	// recording is transcribed when it arrives.
	ctx, cancel := context.WithTimeout(c.UserContext(), 5*time.Second)
	defer cancel()
	id := workflows.LiveTranscriptID(app.ID, q.ID, take)
	_, serr := s.Workflows.SignalWithStartWorkflow(ctx, id, workflows.SignalPiece, seq, client.StartWorkflowOptions{ID: id, TaskQueue: s.Cfg.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SAOrg.ValueSet(tok.OrgID))}, workflows.LiveTranscriptWorkflowName,
		workflows.LiveTranscriptInput{LiveInput: activities.LiveInput{AppRef: activities.AppRef{OrgID: tok.OrgID, ApplicationID: app.ID}, QuestionID: q.ID, Take: take},
			ScoringQueue: s.Cfg.ScoringTaskQueue})
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"seq": seq, "take": take, "transcribing": serr == nil})
}
