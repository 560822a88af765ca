package api

import (
	"cmp"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/sdk/client"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/passwd"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// Admin: users and roles (invite by email, change a role, deactivate), API tokens (list,
// revoke, last used). Admins configure; none of this shows candidate data.

var assignableRoles = []hireflow.Role{admin, recruiter, manager, interviewer, analyst, integ}

func (s *Server) listUsers(c *fiber.Ctx) error {
	users, err := s.Store.UserList(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": users})
}

// inviteUserBody is the JSON body of inviteUser.
type inviteUserBody struct {
	Email       string        `json:"email"`
	DisplayName string        `json:"display_name"`
	Role        hireflow.Role `json:"role"`
}

// inviteUser creates the user without a password and emails the set-password link.
func (s *Server) inviteUser(c *fiber.Ctx) error {
	p := principal(c)
	var req inviteUserBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	req.Email = strings.TrimSpace(req.Email)
	if addr, err := mail.ParseAddress(req.Email); err != nil || addr.Address != req.Email || len(req.Email) > 254 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_email", "email", "the email address is not valid").ZH("邮箱地址无效")
	}
	if err := textField("display_name", req.DisplayName, 1, 100); err != nil {
		return err
	}
	if err := plainName("display_name", req.DisplayName); err != nil {
		return err
	}
	if !slices.Contains(assignableRoles, req.Role) {
		return invalid("role", "role is one of admin, recruiter, hiring_manager, interviewer, analyst, integration")
	}
	u, err := s.Store.UserInvite(c.UserContext(), p.OrgID, req.Email, strings.TrimSpace(req.DisplayName), req.Role)
	if err != nil {
		return err
	}
	if err := s.sendInvite(c, p.OrgID, u.ID); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "user.invited", "user", u.ID, map[string]any{"role": u.Role})
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"user": u, "invited": true})
}

func (s *Server) sendInvite(c *fiber.Ctx, orgID, userID string) error {
	key := strconv.FormatInt(time.Now().Unix()/600, 10) // one email per ten minutes
	_, err := s.Workflows.ExecuteWorkflow(c.UserContext(), client.StartWorkflowOptions{ID: "staff-invite/" + userID + "/" + key, TaskQueue: s.Cfg.TaskQueue},
		workflows.StaffInviteWorkflowName, activities.StaffInviteInput{OrgID: orgID, UserID: userID, Key: key})
	if err != nil && !strings.Contains(err.Error(), "already started") {
		return workflowError(err)
	}
	return nil
}

// resendInvite emails a new set-password link to a user who has not set one.
func (s *Server) resendInvite(c *fiber.Ctx) error {
	p := principal(c)
	u, err := s.adminTarget(c)
	if err != nil {
		return err
	}
	if !u.Invited {
		return hireflow.Errorf(hireflow.KindConflict, "already_active", "", "this user has already set a password").ZH("该用户已设置密码")
	}
	if err := s.sendInvite(c, p.OrgID, u.ID); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "user.invite_resent", "user", u.ID, nil)
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"invited": true})
}

// adminTarget is the user named in the path, in the caller's organisation.
func (s *Server) adminTarget(c *fiber.Ctx) (store.StaffMember, error) {
	users, err := s.Store.UserList(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return store.StaffMember{}, err
	}
	for _, u := range users {
		if u.ID == c.Params("id") {
			return u, nil
		}
	}
	return store.StaffMember{}, hireflow.NotFound("user_not_found", "user")
}

// updateUserBody is the JSON body of updateUser.
type updateUserBody struct {
	Role     *hireflow.Role `json:"role"`
	Disabled *bool          `json:"disabled"`
}

// updateUser changes a role or (de)activates; an admin cannot lock themselves out.
func (s *Server) updateUser(c *fiber.Ctx) error {
	p := principal(c)
	var req updateUserBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Role == nil && req.Disabled == nil {
		return hireflow.Errorf(hireflow.KindInvalid, "field_required", "role", "send role or disabled").ZH("请提供 role 或 disabled")
	}
	if req.Role != nil && !slices.Contains(assignableRoles, *req.Role) {
		return invalid("role", "role is one of admin, recruiter, hiring_manager, interviewer, analyst, integration")
	}
	target, err := s.adminTarget(c)
	if err != nil {
		return err
	}
	if target.ID == p.UserID {
		return hireflow.Errorf(hireflow.KindConflict, "own_account", "", "ask another admin to change your own role or to deactivate you").
			ZH("请由另一位管理员修改您自己的角色或停用您的账号")
	}
	u, err := s.Store.UserUpdate(c.UserContext(), p.OrgID, target.ID, req.Role, req.Disabled)
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "user.updated", "user", u.ID, map[string]any{"role": req.Role, "disabled": req.Disabled})
	return c.JSON(fiber.Map{"user": u})
}

func (s *Server) listAPITokens(c *fiber.Ctx) error {
	p := principal(c)
	mine := ""
	if p.Role != admin {
		mine = p.UserID // others see their own
	}
	list, err := s.Store.APITokenList(c.UserContext(), p.OrgID, mine)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tokens": list})
}

func (s *Server) revokeAPIToken(c *fiber.Ctx) error {
	p := principal(c)
	mine := ""
	if p.Role != admin {
		mine = p.UserID
	}
	if err := s.Store.APITokenRevoke(c.UserContext(), p.OrgID, mine, c.Params("id")); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "api_token.revoke", "api_token", c.Params("id"), nil)
	return c.SendStatus(fiber.StatusNoContent)
}

// setPasswordPage is the invitation link's page (public): the form, or why the link is dead.
func (s *Server) setPasswordPage(c *fiber.Ctx) error {
	l := lang(c)
	u, err := s.Store.StaffTokenPeek(c.UserContext(), s.Box.Hash("staff_token", c.Params("token")))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "setpassword.html", pageData{Lang: l, Title: translate(l, "setpw.title"), Name: u.DisplayName, Token: c.Params("token")})
}

// MinPasswordLength is the shortest password a staff member may set.
const MinPasswordLength = 12

func (s *Server) setPassword(c *fiber.Ctx) error {
	l := lang(c)
	pw, again := c.FormValue("password"), c.FormValue("confirm")
	d := pageData{Lang: l, Title: translate(l, "setpw.title"), Token: c.Params("token")}
	hash := s.Box.Hash("staff_token", c.Params("token"))
	u, err := s.Store.StaffTokenPeek(c.UserContext(), hash)
	if err != nil {
		return err
	}
	d.Name = u.DisplayName
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength || len(pw) > 200:
		d.WithdrawError = translate(l, "setpw.short")
	case pw != again:
		d.WithdrawError = translate(l, "setpw.mismatch")
	case strings.Contains(strings.ToLower(pw), strings.ToLower(u.Email[:strings.Index(u.Email, "@")])):
		d.WithdrawError = translate(l, "setpw.email")
	}
	if d.WithdrawError != "" {
		return s.render(c, fiber.StatusUnprocessableEntity, "setpassword.html", d)
	}
	h, err := passwd.Hash(pw)
	if err != nil {
		return err
	}
	if u, err = s.Store.StaffSetPassword(c.UserContext(), hash, h); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), u.OrgID, "user", u.ID, "user.password_set", "user", u.ID, nil)
	org, err := s.Store.OrgGet(c.UserContext(), u.OrgID)
	if err != nil {
		return err
	}
	return c.Redirect("/console/login?org="+org.Slug+"&lang="+l, fiber.StatusSeeOther)
}

// adminUsersPage lists the users with their role, state and what an admin may do about them,
// and the API tokens.
func (s *Server) adminUsersPage(c *fiber.Ctx) error {
	p := principal(c)
	d, err := s.consoleData(c, "nav.admin", "/console/admin")
	if err != nil {
		return err
	}
	users, err := s.Store.UserList(c.UserContext(), p.OrgID)
	if err != nil {
		return err
	}
	tokens, err := s.Store.APITokenList(c.UserContext(), p.OrgID, "")
	if err != nil {
		return err
	}
	v := &adminView{Me: p.UserID}
	for _, u := range users {
		last := "—"
		if u.LastSignIn != nil {
			last = fmtTime(d.Lang, *u.LastSignIn)
		}
		v.Users = append(v.Users, adminUserRow{StaffMember: u, RoleName: translateValue(d.Lang, "role.", string(u.Role)), Last: last})
	}
	for _, t := range tokens {
		used := "—"
		if t.LastUsedAt != nil {
			used = fmtTime(d.Lang, *t.LastUsedAt)
		}
		v.Tokens = append(v.Tokens, adminTokenRow{APITokenInfo: t, Created: fmtTime(d.Lang, t.CreatedAt), Used: used, Scopes: strings.Join(t.Scopes, ", ")})
	}
	for _, r := range assignableRoles {
		v.Roles = append(v.Roles, roleOption{Value: string(r), Name: translateValue(d.Lang, "role.", string(r))})
	}
	if err := s.adminSettings(c, v); err != nil {
		return err
	}
	d.Console.Admin = v
	return s.render(c, fiber.StatusOK, "admin.html", d)
}

type adminView struct {
	Me          string
	Users       []adminUserRow
	Tokens      []adminTokenRow
	Roles       []roleOption
	Scopes      []string
	Brand       hireflow.Organisation
	WebhookURL  string
	Timings     []timingRow
	Departments []store.Department
	Managers    []directoryEntry // who may manage a department
	LLMScoring  bool             // the organisation lets the language model score answers
	LLMModel    string           // the deployment's model ("" when none is configured)
}

// timingRow is one default timing: the organisation's value ("" for the deployment's) and the
// deployment's beside it.
type timingRow struct {
	Key, Value, Deployment string
}

type adminUserRow struct {
	store.StaffMember
	RoleName, Last string
}

type adminTokenRow struct {
	store.APITokenInfo
	Created, Used, Scopes string
}

type roleOption struct{ Value, Name string }

// adminSettings fills the organisation's settings: branding, webhook, timings, departments.
func (s *Server) adminSettings(c *fiber.Ctx, v *adminView) error {
	ctx, org := c.UserContext(), principal(c).OrgID
	var err error
	if v.Brand, err = s.Store.OrgGet(ctx, org); err != nil {
		return err
	}
	if v.WebhookURL, _, _, err = s.Store.WebhookGet(ctx, org); err != nil {
		return err
	}
	t, err := s.Store.OrgTimings(ctx, org)
	if err != nil {
		return err
	}
	ov, dv, ty := reflect.ValueOf(t), reflect.ValueOf(s.deploymentTimings()), reflect.TypeOf(t)
	for i := range ov.NumField() {
		key, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
		row := timingRow{Key: key, Deployment: time.Duration(dv.Field(i).Int()).String()}
		if n := ov.Field(i).Int(); n != 0 {
			row.Value = time.Duration(n).String()
		}
		v.Timings = append(v.Timings, row)
	}
	if v.Departments, err = s.Store.Departments(ctx, org); err != nil {
		return err
	}
	for _, u := range v.Users {
		if !u.Disabled && u.Role != hireflow.RoleIntegration {
			v.Managers = append(v.Managers, directoryEntry{ID: u.ID, DisplayName: u.DisplayName, Role: u.Role})
		}
	}
	v.Scopes = visibilityFields
	if v.LLMScoring, err = s.Store.OrgLLMScoring(ctx, org); err != nil {
		return err
	}
	if s.Cfg != nil && s.Cfg.LLMURL != "" {
		v.LLMModel = cmp.Or(s.Cfg.LLMModel, s.Cfg.LLMURL)
	}
	return nil
}
