package api

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/idcheck"
)

// onboardingFields are what the new employee completes; the rest is prefilled.
var onboardingFields = []string{"phone", "address", "emergency_name", "emergency_phone", "id_type", "id_number", "bank_name", "bank_account"}

func mask(s string) string {
	if n := len(s); n > 4 {
		return strings.Repeat("•", 6) + s[n-4:]
	}
	return s
}

func (s *Server) onboardingData(c *fiber.Ctx) (pageData, map[string]string, string, error) {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return pageData{}, nil, "", err
	}
	d := s.candidateView(c, tok, ct)
	if ct.Status != hireflow.StatusHired {
		return d, nil, "", hireflow.Errorf(hireflow.KindConflict, "not_hired", "", "the onboarding form opens once you accepted an offer").
			ZH("接受录用后才能填写入职表")
	}
	_, form, err := s.Store.EmployeeForm(c.UserContext(), tok.OrgID, tok.ApplicationID)
	if err != nil {
		return d, nil, "", err
	}
	d.Title = translate(d.Lang, "ob.title")
	d.AppID = tok.ApplicationID
	return d, form, tok.OrgID, nil
}

func (s *Server) onboardingPage(c *fiber.Ctx) error {
	d, form, _, err := s.onboardingData(c)
	if err != nil {
		return err
	}
	d.Form = viewForm(form)
	return s.render(c, fiber.StatusOK, "onboarding.html", d)
}

// viewForm shows sensitive numbers masked.
func viewForm(form map[string]string) map[string]string {
	v := map[string]string{}
	for k, x := range form {
		v[k] = x
	}
	for _, k := range []string{"id_number", "bank_account"} {
		if v[k] != "" {
			v[k+"_masked"], v[k] = mask(v[k]), ""
		}
	}
	return v
}

// onboardingSubmit validates and stores the form; the whole form is sealed at rest.
func (s *Server) onboardingSubmit(c *fiber.Ctx) error {
	d, form, orgID, err := s.onboardingData(c)
	if err != nil {
		return err
	}
	in := map[string]string{}
	for _, k := range onboardingFields {
		in[k] = strings.TrimSpace(c.FormValue(k))
	}
	fail := func(field, key string) error {
		d.Form, d.WithdrawError, d.Code = viewForm(form), translate(d.Lang, key), field
		for _, k := range onboardingFields {
			if in[k] != "" && k != "id_number" && k != "bank_account" {
				d.Form[k] = in[k]
			}
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "onboarding.html", d)
	}
	for _, k := range onboardingFields {
		if utf8.RuneCountInString(in[k]) > 200 || strings.ContainsAny(in[k], "<>\x00") {
			return fail(k, "ob.err.text")
		}
	}
	if in["phone"] != "" && !phoneRe.MatchString(in["phone"]) || in["emergency_phone"] != "" && !phoneRe.MatchString(in["emergency_phone"]) {
		return fail("phone", "ob.err.phone")
	}
	switch in["id_type"] {
	case "cn_resident":
		if in["id_number"] != "" && !idcheck.ChinaResidentID(in["id_number"]) {
			return fail("id_number", "ob.err.cn_id")
		}
		in["id_number"] = strings.ToUpper(in["id_number"])
	case "passport":
		if in["id_number"] != "" && (len(in["id_number"]) < 5 || len(in["id_number"]) > 20) {
			return fail("id_number", "ob.err.passport")
		}
	case "":
	default:
		return fail("id_type", "ob.err.text")
	}
	if in["bank_account"] != "" && !idcheck.BankAccount(in["bank_account"]) {
		return fail("bank_account", "ob.err.bank")
	}
	for _, k := range onboardingFields {
		if in[k] != "" { // an empty field keeps what was there (masked numbers are never resent)
			form[k] = in[k]
		}
	}
	if err := s.Store.EmployeeFormSave(c.UserContext(), orgID, d.AppID, form); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), orgID, "candidate", d.AppID, "employee.onboarding_form", "application", d.AppID, nil)
	d.Form, d.Notice = viewForm(form), translate(d.Lang, "ob.saved")
	return s.render(c, fiber.StatusOK, "onboarding.html", d)
}
