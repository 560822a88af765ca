package api

import (
	"context"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// Field visibility: one role × field matrix (visible, masked, hidden) with per-organisation
// overrides set by admins. Every output of a candidate's personal data asks fieldPolicy.show;
// a field that is not in the matrix is hidden.
const (
	fieldVisible = "visible"
	fieldMasked  = "masked"
	fieldHidden  = "hidden"
)

// Personal fields an output may carry.
const (
	fName       = "candidate.name"
	fEmail      = "candidate.email"
	fPhone      = "candidate.phone"
	fRecording  = "answer.recording"
	fTranscript = "report.transcript"
	fResumeText = "resume.text"
	fAge        = "candidate.age" // date of birth and age bands: never shown to managers
	fBirthplace = "candidate.birthplace"
	fMarital    = "candidate.marital_status"
	fPhoto      = "candidate.photo"
	fIDNumber   = "candidate.id_number"
	fBank       = "candidate.bank_account"
)

// visibilityFields lists the matrix's fields in a stable order.
var visibilityFields = []string{fName, fEmail, fPhone, fResumeText, fRecording, fTranscript, fAge, fBirthplace, fMarital, fPhoto, fIDNumber, fBank}

// defaultVisibility: recruiters see scores and contact but not videos; hiring managers see
// videos and reports and never age, birthplace (籍贯), marital status, photo or ID numbers;
// interviewers see names and their rounds' material with a masked email; analysts work on
// pseudonyms only; admins configure and see no candidate data; integrations see the contact
// the HR system syncs. Anything not listed is hidden.
var defaultVisibility = map[hireflow.Role]map[string]string{
	hireflow.RoleRecruiter: {fName: fieldVisible, fEmail: fieldVisible, fPhone: fieldVisible, fResumeText: fieldVisible, fTranscript: fieldVisible,
		fRecording: fieldHidden},
	hireflow.RoleHiringManager: {fName: fieldVisible, fEmail: fieldMasked, fPhone: fieldHidden, fResumeText: fieldVisible, fTranscript: fieldVisible,
		fRecording: fieldVisible},
	hireflow.RoleInterviewer: {fName: fieldVisible, fEmail: fieldMasked, fPhone: fieldHidden, fResumeText: fieldVisible, fTranscript: fieldVisible,
		fRecording: fieldVisible},
	hireflow.RoleIntegration: {fName: fieldVisible, fEmail: fieldVisible, fPhone: fieldVisible},
	hireflow.RoleAnalyst:     {},
	hireflow.RoleAdmin:       {},
}

// neverFor are cells no override may open: the protected characteristics for hiring managers,
// and any candidate data for admins and analysts.
func neverFor(r hireflow.Role, field string) bool {
	switch r {
	case hireflow.RoleAdmin, hireflow.RoleAnalyst:
		return true
	case hireflow.RoleHiringManager:
		switch field {
		case fAge, fBirthplace, fMarital, fPhoto, fIDNumber:
			return true
		}
	}
	return false
}

// fieldPolicy is one viewer's row of the matrix.
type fieldPolicy map[string]string

func (s *Server) fieldPolicy(ctx context.Context, p hireflow.Principal) fieldPolicy {
	out := fieldPolicy{}
	for f, l := range defaultVisibility[p.Role] {
		out[f] = l
	}
	if ov, err := s.Store.FieldVisibility(ctx, p.OrgID); err == nil {
		for _, o := range ov {
			if hireflow.Role(o.Role) == p.Role && !neverFor(p.Role, o.Field) {
				out[o.Field] = o.Level
			}
		}
	}
	// An API token sees at most the fields its scopes name.
	if p.Scopes != nil {
		for f := range out {
			if !slices.Contains(p.Scopes, f) {
				out[f] = fieldHidden
			}
		}
	}
	return out
}

func (fp fieldPolicy) level(field string) string {
	if l, ok := fp[field]; ok {
		return l
	}
	return fieldHidden
}

// sees reports whether the field is shown at all (visible or masked).
func (fp fieldPolicy) sees(field string) bool { return fp.level(field) != fieldHidden }

// show is the one function outputs of personal data go through: the value, its masked form,
// or nothing.
func (fp fieldPolicy) show(field, value string) string {
	switch fp.level(field) {
	case fieldVisible:
		return value
	case fieldMasked:
		return maskField(field, value)
	}
	return ""
}

// maskField keeps enough to recognise a value one already knows: the first letter of a name, an
// email's first letter and domain, a phone's last four digits.
func maskField(field, v string) string {
	if v == "" {
		return ""
	}
	r := []rune(v)
	switch field {
	case fEmail:
		local, domain, ok := strings.Cut(v, "@")
		if !ok || local == "" {
			return "***"
		}
		return string([]rune(local)[:1]) + "***@" + domain
	case fPhone:
		if len(r) <= 4 {
			return "***"
		}
		return "***" + string(r[len(r)-4:])
	}
	return string(r[:1]) + "***"
}

// applyContact applies the policy to an application's contact fields.
func (fp fieldPolicy) applyContact(a *hireflow.Application) {
	a.CandidateName = fp.show(fName, a.CandidateName)
	a.CandidateEmail = fp.show(fEmail, a.CandidateEmail)
}

// seesContact reports whether the viewer sees any contact field (reads are then audited).
func (fp fieldPolicy) seesContact() bool { return fp.sees(fName) || fp.sees(fEmail) || fp.sees(fPhone) }

type visibilityCell struct {
	Role  string `json:"role"`
	Field string `json:"field"`
	Level string `json:"level"`
	Fixed bool   `json:"fixed,omitempty"` // no override may open it
}

// getFieldVisibility answers the organisation's effective matrix.
func (s *Server) getFieldVisibility(c *fiber.Ctx) error {
	p := principal(c)
	var cells []visibilityCell
	for _, r := range hireflow.Roles {
		fp := s.fieldPolicy(c.UserContext(), hireflow.Principal{OrgID: p.OrgID, Role: r})
		for _, f := range visibilityFields {
			cells = append(cells, visibilityCell{Role: string(r), Field: f, Level: fp.level(f), Fixed: neverFor(r, f)})
		}
	}
	return c.JSON(fiber.Map{"cells": cells})
}

// setFieldVisibilityBody is the JSON body of setFieldVisibility.
type setFieldVisibilityBody struct {
	Overrides []store.FieldOverride `json:"overrides"`
}

// setFieldVisibility replaces the organisation's overrides (audited); cells no override may
// open are refused.
func (s *Server) setFieldVisibility(c *fiber.Ctx) error {
	var body setFieldVisibilityBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if len(body.Overrides) > 200 {
		return hireflow.Errorf(hireflow.KindInvalid, "too_many", "overrides", "at most 200 overrides")
	}
	known := map[string]bool{}
	for _, f := range visibilityFields {
		known[f] = true
	}
	for _, o := range body.Overrides {
		if !slicesContainsRole(o.Role) {
			return hireflow.Errorf(hireflow.KindInvalid, "invalid_role", "role", "unknown role %q", o.Role).ZH("未知角色")
		}
		if !known[o.Field] {
			return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "field", "unknown field %q: use one of %v", o.Field, visibilityFields).ZH("未知字段")
		}
		if o.Level != fieldVisible && o.Level != fieldMasked && o.Level != fieldHidden {
			return hireflow.Errorf(hireflow.KindInvalid, "invalid_level", "level", "level is visible, masked or hidden").ZH("级别只能是 visible、masked 或 hidden")
		}
		if neverFor(hireflow.Role(o.Role), o.Field) && o.Level != fieldHidden {
			return hireflow.Errorf(hireflow.KindForbidden, "field_protected", "field", "%s may never see %s", o.Role, o.Field).ZH("该角色永远不能查看此字段")
		}
	}
	p := principal(c)
	if err := s.Store.FieldVisibilitySet(c.UserContext(), p.OrgID, p.UserID, body.Overrides); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "field_visibility.set", "organisation", p.OrgID, map[string]any{"overrides": body.Overrides})
	return s.getFieldVisibility(c)
}

func slicesContainsRole(r string) bool {
	for _, x := range hireflow.Roles {
		if string(x) == r {
			return true
		}
	}
	return false
}

// assignedOnly is object-level access: interviewers and hiring managers reach only the
// applications they take part in (store.Assigned); any other is not found, exactly as an ID
// of another organisation (no existence oracle).
func (s *Server) assignedOnly(ctx context.Context, p hireflow.Principal, appID string) error {
	if p.Role != hireflow.RoleInterviewer && p.Role != hireflow.RoleHiringManager {
		return nil
	}
	ok, err := s.Store.Assigned(ctx, p.OrgID, appID, p.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return hireflow.NotFound("application_not_found", "application")
	}
	return nil
}

// assignedSet is the applications an interviewer or hiring manager takes part in; nil for the
// roles that are not limited to them.
func (s *Server) assignedSet(ctx context.Context, p hireflow.Principal) (map[string]bool, error) {
	if p.Role != hireflow.RoleInterviewer && p.Role != hireflow.RoleHiringManager {
		return nil, nil
	}
	return s.Store.AssignedApplications(ctx, p.OrgID, p.UserID)
}
