package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/mail"
)

// StaffNoticeInput emails staff about a human step: by role, or named users.
type StaffNoticeInput struct {
	AppRef
	Kind    string
	Key     string // idempotency: one email per recipient per key
	Roles   []hireflow.Role
	UserIDs []string
	Detail  string
}

// NotifyStaff emails every addressed staff member once per key; it returns how many were sent.
func (a *Activities) NotifyStaff(ctx context.Context, in StaffNoticeInput) (int, error) {
	c, err := a.Store.ApplicationContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return 0, permanent(err)
	}
	var users []hireflow.User
	for _, r := range in.Roles {
		us, err := a.Store.UsersByRole(ctx, in.OrgID, r)
		if err != nil {
			return 0, err
		}
		users = append(users, us...)
	}
	for _, id := range in.UserIDs {
		u, err := a.Store.UserGet(ctx, in.OrgID, id)
		if err != nil {
			continue // a delegate who left: the escalation covers it
		}
		users = append(users, u)
	}
	n := 0
	for _, u := range users {
		key := fmt.Sprintf("%s:%s:%s:%s", in.Kind, in.Key, in.ApplicationID, u.ID)
		sent, msgID, err := a.Store.EmailClaimTo(ctx, in.OrgID, in.ApplicationID, u.ID, key, in.Kind, "en", "<"+hexHash(key)+"@hireflow>")
		if err != nil {
			return n, err
		}
		if sent {
			continue
		}
		r, err := mail.RenderNotice(in.Kind, mail.Data{Lang: "en", ToName: u.DisplayName, OrgName: c.OrgName, Color: c.Color,
			JobTitle: c.JobTitle, Link: a.ConsoleURL + "/applications/" + in.ApplicationID}, in.Detail)
		if err != nil {
			return n, permanent(err)
		}
		if err := a.Mail.Send(ctx, u.DisplayName, u.Email, msgID, r); err != nil {
			a.Metrics.email(in.OrgID, in.Kind, "failed")
			return n, err
		}
		a.Metrics.email(in.OrgID, in.Kind, "sent")
		if err := a.markSent(ctx, key); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func hexHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

// CandidateNoticeInput emails the candidate a notice, optionally with a fresh link.
type CandidateNoticeInput struct {
	AppRef
	Kind     string
	Key      string
	WithLink bool
	LinkTTL  time.Duration
	// LinkPurpose is the link's purpose: the application link unless set (the data download).
	LinkPurpose string `json:",omitempty"`
	// ExpiresAt, when set, is the link's fixed expiry, also shown in the email (the invitation).
	ExpiresAt time.Time `json:",omitempty"`
	Detail    string
	// RevokeOld makes the new link replace the earlier ones.
	RevokeOld bool
	// ledger and msgID name the email in the ledger instead of Kind:Key:application; the first
	// shape's invitation and rejection used these names, kept so that a retry never resends.
	ledger, msgID string
}

// NotifyCandidate sends a candidate notice once per key.
func (a *Activities) NotifyCandidate(ctx context.Context, in CandidateNoticeInput) (bool, error) {
	return a.notifyCandidate(ctx, in)
}

// fullTemplates are the candidate emails with a template of their own; the others are notices.
var fullTemplates = map[string]bool{hireflow.NoticeInvitation: true, hireflow.NoticeRejection: true}

func (a *Activities) notifyCandidate(ctx context.Context, in CandidateNoticeInput) (bool, error) {
	c, err := a.Store.ApplicationContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return false, permanent(err)
	}
	key, msgID := in.ledger, in.msgID
	if key == "" {
		key = in.Kind + ":" + in.Key + ":" + in.ApplicationID
		msgID = "<" + hexHash(key) + "@hireflow>"
	}
	sent, msgID, err := a.Store.EmailClaim(ctx, in.OrgID, in.ApplicationID, key, in.Kind, c.Language, msgID)
	if err != nil || sent {
		if sent {
			a.Metrics.email(in.OrgID, in.Kind, "duplicate")
		}
		return false, err
	}
	title := c.JobTitle
	if c.Language == "zh" && c.JobTitleZH != "" {
		title = c.JobTitleZH
	}
	d := mail.Data{Lang: c.Language, ToName: c.Name, OrgName: c.OrgName, BrandLine: c.BrandLine, Color: c.Color, LogoURL: c.LogoURL, JobTitle: title}
	if in.WithLink {
		expires := in.ExpiresAt
		if expires.IsZero() {
			ttl := in.LinkTTL
			if ttl <= 0 {
				ttl = 14 * 24 * time.Hour
			}
			expires = time.Now().Add(ttl)
		} else {
			d.ExpiresAt = expires
		}
		if d.Link, err = a.issueLink(ctx, in.AppRef, in.LinkPurpose, expires, in.RevokeOld); err != nil {
			return false, err
		}
	}
	var r mail.Rendered
	if fullTemplates[in.Kind] {
		r, err = mail.Render(in.Kind, d)
	} else {
		r, err = mail.RenderNotice(in.Kind, d, in.Detail)
	}
	if err != nil {
		return false, permanent(hireflow.Errorf(hireflow.KindInvalid, "template", "", "%v", err))
	}
	if err := a.Mail.Send(ctx, c.Name, c.Email, msgID, r); err != nil {
		a.Metrics.email(in.OrgID, in.Kind, "failed")
		return false, err
	}
	a.Metrics.email(in.OrgID, in.Kind, "sent")
	return true, a.markSent(ctx, key)
}

// StaffInviteInput names an invited user (IDs only) and the invitation's key.
type StaffInviteInput struct {
	OrgID, UserID, Key string
}

// StaffInviteTTL is how long an invitation's set-password link works.
const StaffInviteTTL = 7 * 24 * time.Hour

// InviteStaff emails an invited user a one-time link to set their password (once per key).
func (a *Activities) InviteStaff(ctx context.Context, in StaffInviteInput) (bool, error) {
	u, err := a.Store.UserGet(ctx, in.OrgID, in.UserID)
	if err != nil {
		return false, permanent(err)
	}
	org, err := a.Store.OrgGet(ctx, in.OrgID)
	if err != nil {
		return false, err
	}
	key := hireflow.NoticeStaffInvite + ":" + in.UserID + ":" + in.Key
	sent, msgID, err := a.Store.EmailClaimTo(ctx, in.OrgID, "", u.ID, key, hireflow.NoticeStaffInvite, "en", "<"+hexHash(key)+"@hireflow>")
	if err != nil || sent {
		return false, err
	}
	raw := newToken()
	if err := a.Store.StaffTokenIssue(ctx, in.OrgID, u.ID, a.Store.Box().Hash("staff_token", raw), time.Now().Add(StaffInviteTTL)); err != nil {
		return false, err
	}
	role := strings.ReplaceAll(string(u.Role), "_", " ")
	r, err := mail.RenderNotice(hireflow.NoticeStaffInvite, mail.Data{Lang: "en", ToName: u.DisplayName, OrgName: org.Name, Color: org.Color,
		Link: a.ConsoleURL + "/set-password/" + raw}, role)
	if err != nil {
		return false, permanent(err)
	}
	if err := a.Mail.Send(ctx, u.DisplayName, u.Email, msgID, r); err != nil {
		a.Metrics.email(in.OrgID, hireflow.NoticeStaffInvite, "failed")
		return false, err
	}
	a.Metrics.email(in.OrgID, hireflow.NoticeStaffInvite, "sent")
	return true, a.markSent(ctx, key)
}
