package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
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
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	app, q, err := s.openQuestion(c, tok, ct, c.Params("question"), "video")
	if err != nil {
		return err
	}
	if ok, err := s.Store.ConsentGiven(c.UserContext(), tok.OrgID, app.ID, "recording"); err != nil {
		return err
	} else if !ok {
		return hireflow.Errorf(hireflow.KindForbidden, "consent_required", "recording", "recorded answers need your consent first").
			ZH("录制回答前需要您的同意")
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
	obj, err := s.Objects.Prepare(tok.OrgID, app.ID, "answer", objKey, ctype, body)
	if err != nil {
		return err
	}
	if err := s.Objects.Upload(c.UserContext(), obj); err != nil {
		return err
	}
	objID, err := s.Store.ObjectRecord(c.UserContext(), obj.Row)
	if err != nil {
		_ = s.Objects.Delete(context.WithoutCancel(c.UserContext()), objKey)
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
