package api

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// The right of access (PIPL art. 45, GDPR art. 15): from the status page the candidate asks
// for a copy; a workflow emails a fresh link (24 h, its own purpose, so the application link
// alone never downloads anything); the link's page downloads one ZIP of data.json and the files.

// candidateAccessRequest takes the status page's "email me a copy" form.
func (s *Server) candidateAccessRequest(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	d := s.candidateView(c, tok, ct)
	bucket := strconv.FormatInt(time.Now().Unix()/600, 10)
	id := "access/" + tok.ApplicationID + "/" + bucket
	_, err = s.Workflows.ExecuteWorkflow(c.UserContext(), client.StartWorkflowOptions{ID: id, TaskQueue: s.Cfg.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SAOrg.ValueSet(tok.OrgID))},
		workflows.AccessWorkflowName, workflows.AccessInput{OrgID: tok.OrgID, ApplicationID: tok.ApplicationID, Bucket: bucket})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return workflowError(err)
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "candidate.access_request", "application", tok.ApplicationID, nil)
	d.Notice = translate(d.Lang, "access.sent")
	return s.render(c, fiber.StatusAccepted, "status.html", d)
}

// accessToken resolves the download link (the access purpose only).
func (s *Server) accessToken(c *fiber.Ctx) (store.CandidateToken, store.Contact, error) {
	return s.useTokenFor(c, activities.TokenPurposeAccess)
}

// candidateAccessPage is the download link's page: what the file holds and the button.
func (s *Server) candidateAccessPage(c *fiber.Ctx) error {
	_, ct, err := s.accessToken(c)
	if err != nil {
		return err
	}
	l := lang(c)
	d := pageData{Lang: l, Title: translate(l, "access.title"), OrgName: ct.OrgName, BrandLine: ct.BrandLine, Color: ct.Color,
		LogoURL: ct.LogoURL, Token: c.Params("token"), JobTitle: ct.JobTitle}
	if l == "zh" && ct.JobTitleZH != "" {
		d.JobTitle = ct.JobTitleZH
	}
	return s.render(c, fiber.StatusOK, "access.html", d)
}

// candidateAccessDownload streams the ZIP: data.json, the résumé and each recording, decrypted.
func (s *Server) candidateAccessDownload(c *fiber.Ctx) error {
	tok, _, err := s.accessToken(c)
	if err != nil {
		return err
	}
	data, err := s.Store.SubjectAccess(c.UserContext(), tok.OrgID, tok.ApplicationID)
	if err != nil {
		return err
	}
	ds, err := s.explainedDecisions(c, tok.OrgID, tok.ApplicationID)
	if err != nil {
		return err
	}
	zh := data.Application.Language == "zh"
	for _, x := range ds {
		e := x.Explanation
		if zh && x.ExplanationZH != "" {
			e = x.ExplanationZH
		}
		data.Decisions = append(data.Decisions, store.SubjectDecision{Kind: x.Kind, Outcome: x.Outcome, Explanation: e,
			Reason: x.Reason, Automated: x.DecidedBy == "", At: x.CreatedAt})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	answerFile := map[string]string{}
	files := map[string]store.StoredObject{}
	for i, o := range data.Files {
		name := fmt.Sprintf("resume/resume%s", extFor(o.ContentType))
		if o.Kind == "answer" {
			name = fmt.Sprintf("recordings/answer-%02d%s", i, extFor(o.ContentType))
		}
		files[name] = o
		answerFile[o.ID] = name
	}
	for i := range data.Answers {
		if obj := data.Answers[i].File; obj != "" {
			data.Answers[i].File = answerFile[obj]
		}
	}
	body, err := json.MarshalIndent(struct {
		Generated time.Time `json:"generated_at"`
		store.SubjectData
	}{time.Now().UTC(), data}, "", "  ")
	if err != nil {
		return err
	}
	if err := addZip(zw, "data.json", body); err != nil {
		return err
	}
	for _, n := range sortedKeys(files) {
		b, err := s.Objects.Read(c.UserContext(), files[n])
		if err != nil {
			return err
		}
		if err := addZip(zw, n, b); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "candidate.access_download", "application", tok.ApplicationID,
		map[string]any{"files": len(files), "bytes": buf.Len()})
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-data-`+time.Now().UTC().Format("2006-01-02")+`.zip"`)
	return c.Send(buf.Bytes())
}

func addZip(zw *zip.Writer, name string, b []byte) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Clean(name), Method: zip.Deflate, Modified: time.Now().UTC()})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// extFor names a file by its stored content type.
func extFor(ct string) string {
	switch strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0])) {
	case "application/pdf":
		return ".pdf"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx"
	case "text/plain":
		return ".txt"
	case "video/webm", "audio/webm":
		return ".webm"
	case "video/mp4":
		return ".mp4"
	}
	return ".bin"
}
