package api

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/scoring"
)

// reportAnswer is one answer as the report page shows it.
type reportAnswer struct {
	AnswerID, Question, Kind, Scorer string
	Overall                          float64
	Scores                           []dimScore
	Highlights, Flags                []string
	Evidence                         []reportEvidence
	Words                            []reportWord
	Features                         map[string]any
	Transcript, Limits, Method       string
	Recording                        bool
	Review                           []string // why a person should look (the language-model adapter's checks)
}

type dimScore struct {
	Name  string
	Score float64
	Parts string // how the score adds up
	By    string // the scorer that produced it, when the answer's dimensions had more than one
}

// reportEvidence is one phrase a score rests on: when it was said (recordings), what it shows.
type reportEvidence struct {
	Time, What, Phrase string
	S                  float64
}

type reportWord struct {
	W    string
	S    float64
	Time string
}

// reportPage shows every answer's scores, timestamped highlights, flags, speech features and
// transcript; roles that may see videos can click a time to jump in the recording.
func (s *Server) reportPage(c *fiber.Ctx) error {
	p := principal(c)
	v, err := s.staffPage(c, false)
	if err != nil {
		return err
	}
	app, job, l := v.app, v.job, v.d.Lang
	reports, err := s.Store.AnswerReports(c.UserContext(), p.OrgID, app.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, d := range job.Dimensions {
		names[d.Key] = d.NameEN
		if l == "zh" && d.NameZH != "" {
			names[d.Key] = d.NameZH
		}
	}
	questions := map[string]string{}
	for _, q := range job.Questions {
		questions[q.ID] = q.TextEN
		if l == "zh" && q.TextZH != "" {
			questions[q.ID] = q.TextZH
		}
	}
	fp := s.fieldPolicy(c.UserContext(), p)
	var answers []reportAnswer
	for _, r := range reports {
		var rep struct {
			Transcript string `json:"transcript"`
			Words      []struct {
				W string  `json:"w"`
				S float64 `json:"s"`
			} `json:"words"`
			Features   map[string]any  `json:"features"`
			Highlights []string        `json:"highlights"`
			Flags      map[string]bool `json:"flags"`
			Limits     string          `json:"limits"`
			Method     string          `json:"method"`
			// A typed answer's report is the content scorer's result itself.
			Parts    map[string]scoring.Parts `json:"parts"`
			Evidence []scoring.Evidence       `json:"evidence"`
			ScoredBy map[string]string        `json:"scored_by"`
			Review   []string                 `json:"review"`
			Content  struct {
				ScoredBy   map[string]string        `json:"scored_by"`
				Review     []string                 `json:"review"`
				Highlights []string                 `json:"highlights"`
				Method     string                   `json:"method"`
				Parts      map[string]scoring.Parts `json:"parts"`
				Evidence   []scoring.Evidence       `json:"evidence"`
			} `json:"content"`
		}
		_ = json.Unmarshal(r.Report, &rep)
		a := reportAnswer{AnswerID: r.AnswerID, Question: questions[r.QuestionID], Kind: r.Kind, Scorer: r.Scorer, Overall: r.Overall,
			Highlights: rep.Highlights, Features: rep.Features, Transcript: fp.show(fTranscript, rep.Transcript), Limits: rep.Limits, Method: rep.Method,
			Recording: r.HasRecording && seesVideo(p.Role) && fp.sees(fRecording)}
		if a.Method == "" {
			a.Method, a.Highlights = rep.Content.Method, rep.Content.Highlights
		}
		a.Method = strings.Replace(a.Method, scoring.Method, translate(l, "report.method_v3"), 1)
		if rep.Content.Parts == nil {
			rep.Content.Parts, rep.Content.Evidence = rep.Parts, rep.Evidence
		}
		if rep.Content.ScoredBy == nil {
			rep.Content.ScoredBy, rep.Content.Review = rep.ScoredBy, rep.Review
		}
		a.Review = rep.Content.Review
		for _, k := range sortedKeys(r.Scores) {
			ds := dimScore{Name: names[k], Score: r.Scores[k]}
			if ds.Name == "" {
				ds.Name = k
			}
			if pt, ok := rep.Content.Parts[k]; ok {
				if pt.Base != 0 { // content-v5 and later: what each part added to the fitted model's base
					ds.Parts = fmt.Sprintf(translate(l, "report.parts_v5"), pt.Base, pt.Competency, pt.STAR, pt.Quantified, pt.Length, pt.Relevance, pt.Vague)
				} else {
					ds.Parts = fmt.Sprintf(translate(l, "report.parts"), pt.Competency, pt.STAR, pt.Quantified, pt.Length, pt.Relevance, pt.Vague)
				}
			}
			ds.By = rep.Content.ScoredBy[k]
			a.Scores = append(a.Scores, ds)
		}
		for _, e := range rep.Content.Evidence {
			re := reportEvidence{What: translate(l, "report.kind."+e.Kind), Phrase: e.Phrase, S: e.At}
			if e.Dim != "" {
				re.What += " · " + names[e.Dim]
			}
			if e.At >= 0 {
				re.Time = fmt.Sprintf("%02d:%02d", int(e.At)/60, int(e.At)%60)
			}
			a.Evidence = append(a.Evidence, re)
		}
		for _, k := range sortedKeys(rep.Flags) {
			if rep.Flags[k] {
				a.Flags = append(a.Flags, k)
			}
		}
		for _, w := range rep.Words {
			a.Words = append(a.Words, reportWord{W: w.W, S: w.S, Time: fmt.Sprintf("%02d:%02d", int(w.S)/60, int(w.S)%60)})
		}
		answers = append(answers, a)
	}
	d := v.d
	d.Title, d.Report = translate(l, "report.title"), answers
	return s.render(c, fiber.StatusOK, "report.html", d)
}

// seesVideo: managers and interviewers watch recordings; recruiters see scores, not videos.
func seesVideo(r hireflow.Role) bool { return r == manager || r == interviewer }

// recording streams a decrypted answer recording to roles that may see videos; each view is
// audited.
func (s *Server) recording(c *fiber.Ctx) error {
	p := principal(c)
	if !seesVideo(p.Role) || !s.fieldPolicy(c.UserContext(), p).sees(fRecording) {
		return hireflow.Errorf(hireflow.KindForbidden, "forbidden", "", "your role does not watch recordings")
	}
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return hireflow.NotFound("answer_not_found", "answer")
	}
	ans, err := s.Store.AnswerGet(c.UserContext(), p.OrgID, id)
	if err != nil {
		return err
	}
	if err := s.assignedOnly(c.UserContext(), p, ans.ApplicationID); err != nil {
		return hireflow.NotFound("recording_not_found", "recording")
	}
	if ans.ObjectID == "" {
		return hireflow.NotFound("recording_not_found", "recording")
	}
	o, err := s.Store.StoredObjectGet(c.UserContext(), p.OrgID, ans.ObjectID)
	if err != nil {
		return err
	}
	data, err := s.Objects.Read(c.UserContext(), o)
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "candidate.recording.view", "answer", id, nil)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("webm")
	c.Set(fiber.HeaderContentType, o.ContentType)
	return c.Send(data)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// resumeDownload sends the résumé as uploaded, decrypted, always as an attachment (never shown
// inline, so a crafted file cannot run in the console's origin), to the roles whose row of the
// matrix shows it and, for interviewers and managers, only on applications they take part in.
// Each download is audited.
func (s *Server) resumeDownload(c *fiber.Ctx) error {
	p := principal(c)
	id, err := appIDParam(c)
	if err != nil {
		return err
	}
	if err := s.assignedOnly(c.UserContext(), p, id); err != nil {
		return err
	}
	if !s.fieldPolicy(c.UserContext(), p).sees(fResumeText) {
		return hireflow.Errorf(hireflow.KindForbidden, "forbidden", "resume", "your role does not see résumés").ZH("您的角色无权查看简历")
	}
	o, err := s.Store.ObjectForApplication(c.UserContext(), p.OrgID, id, "resume")
	if err != nil {
		return hireflow.NotFound("resume_not_found", "resume")
	}
	data, err := s.Objects.Read(c.UserContext(), o)
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "candidate.resume.download", "application", id,
		map[string]any{"fields": []string{fResumeText}, "route": c.Method() + " " + c.Route().Path})
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'")
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="resume-`+id[:8]+extFor(o.ContentType)+`"`)
	return c.Send(data)
}
