package api

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
)

// requestBodies names the JSON body each route reads. The OpenAPI document's request schemas
// are generated from these types, and decodeJSON checks every body against its route's schema
// before the handler reads it, so the document is what the server enforces.
var requestBodies = map[string]any{
	"POST /api/v1/auth/login":                            loginRequest{},
	"POST /api/v1/api-tokens":                            createAPITokenBody{},
	"POST /api/v1/jobs":                                  jobRequest{},
	"PUT /api/v1/analytics/bias-audits/publication":      publishAuditsBody{},
	"POST /api/v1/analytics/calibration/proposals":       proposeCalibrationBody{},
	"PUT /api/v1/organisation/alert-chat":                setAlertChatBody{},
	"POST /api/v1/applications/:id/decision":             decideRequest{},
	"POST /api/v1/jobs/:id/bulk-decision":                bulkDecisionBody{},
	"POST /api/v1/rulesets":                              rules.RuleSet{},
	"POST /api/v1/rulesets/check":                        rules.RuleSet{},
	"PUT /api/v1/rulesets/:id/draft":                     rules.RuleSet{},
	"POST /api/v1/rules/approval/try":                    tryApprovalBody{},
	"POST /api/v1/rulesets/:id/simulate":                 simulateRequest{},
	"POST /api/v1/rulesets/:id/publish":                  publishRequest{},
	"POST /api/v1/applications/:id/migrate-rules":        migrateApplicationBody{},
	"POST /api/v1/applications/:id/feedback":             feedbackRequest{},
	"POST /api/v1/applications/:id/reviews":              reviewRequest{},
	"POST /api/v1/applications/:id/offers":               offerRequest{},
	"POST /api/v1/applications/:id/offer/preview":        store.OfferTerms{},
	"POST /api/v1/offers/:id/decision":                   approvalRequest{},
	"POST /api/v1/applications/:id/probation":            probationRequest{},
	"POST /api/v1/applications/:id/cancel":               cancelApplicationBody{},
	"PUT /api/v1/webhook":                                setWebhookBody{},
	"PUT /api/v1/organisation/branding":                  setBrandingBody{},
	"PUT /api/v1/organisation/timings":                   setTimingsBody{},
	"PUT /api/v1/organisation/llm-scoring":               setLLMScoringBody{},
	"PUT /api/v1/organisation/departments":               setDepartmentsBody{},
	"POST /api/v1/users":                                 inviteUserBody{},
	"PATCH /api/v1/users/:id":                            updateUserBody{},
	"PUT /api/v1/organisation/oidc":                      setOIDCBody{},
	"POST /api/v1/auth/totp/enable":                      codeRequest{},
	"POST /api/v1/auth/totp/disable":                     codeRequest{},
	"PUT /api/v1/organisation/field-visibility":          setFieldVisibilityBody{},
	"PUT /api/v1/organisation/retention":                 store.RetentionPolicy{},
	"POST /api/v1/applications/:id/legal-hold":           placeLegalHoldBody{},
	"PUT /api/v1/organisation/scheduling":                store.SchedulingSettings{},
	"PUT /api/v1/organisation/roster-connector":          connectorRequest{},
	"PUT /api/v1/rosters":                                pushRosterBody{},
	"PUT /api/v1/interviewers/:id/settings":              interviewerSettingsRequest{},
	"POST /api/v1/applications/:id/interview/book":       bookForCandidateBody{},
	"POST /api/v1/applications/:id/interview/reschedule": staffRescheduleBody{},
	"POST /api/v1/applications/:id/interview/cancel":     staffCancelInterviewBody{},
	"POST /api/v1/candidate/:token/consent":              candidateConsentBody{},
	"POST /api/v1/candidate/:token/answers":              candidateAnswerBody{},
	"POST /api/v1/candidate/:token/offer":                candidateOfferResponseBody{},
	"POST /api/v1/practice":                              startPracticeBody{},
	"POST /api/v1/practice/role":                         practiceRoleBody{},
}

// otherBodies are the writes that take no JSON body, and what they take instead.
var otherBodies = map[string]string{
	"POST /api/v1/auth/logout":                                   "no body",
	"POST /api/v1/analytics/bias-audits":                         "no body",
	"POST /api/v1/webhook/secret":                                "no body",
	"POST /api/v1/users/:id/invitation":                          "no body",
	"POST /api/v1/auth/totp/setup":                               "no body",
	"POST /api/v1/retention/run":                                 "no body",
	"POST /api/v1/rosters/sync":                                  "no body",
	"POST /api/v1/rosters/upload":                                "multipart/form-data: file (CSV or XLSX)",
	"PUT /api/v1/interviewers/:id/busy":                          "text/calendar: an RFC 5545 busy feed",
	"POST /api/v1/candidate/:token/answers/:question/recording":  "video/webm, video/mp4 or audio/*: the recording",
	"PUT /api/v1/candidate/:token/answers/:question/pieces/:seq": "one piece of the recording as it is made (MediaRecorder's timeslice), with ?take=",
	"POST /api/v1/candidate/:token/deletion":                     "no body",
	"POST /api/v1/candidate/:token/automated-decisions":          "no body",
	"POST /api/v1/public/jobs/:id/applications":                  "multipart/form-data: the application form and the résumé file",
}

// yamlBodies also take the rule-set file format (application/yaml), which is checked by the
// rule compiler rather than the schema.
var yamlBodies = map[string]bool{"POST /api/v1/rulesets": true, "POST /api/v1/rulesets/check": true, "PUT /api/v1/rulesets/:id/draft": true}

var (
	durationType     = reflect.TypeOf(hireflow.Duration(0))
	stdDurationType  = reflect.TypeOf(time.Duration(0))
	jsonUnmarshaler  = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	rawMessageType   = reflect.TypeOf(json.RawMessage(nil))
	bodySchemasBuilt = sync.OnceValues(buildBodySchemas)
)

// bodySchema is the generated schema of one request type: objects refuse unknown properties
// (as the decoder does), pointers may be null, durations are strings ("48h") and a type that
// reads its own JSON is described by what it accepts.
func bodySchema(v any) (*openapi3.Schema, error) {
	ref, err := openapi3gen.NewSchemaRefForValue(v, nil, openapi3gen.SchemaCustomizer(
		func(_ string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
			switch {
			case t == durationType || t == stdDurationType:
				*s = *openapi3.NewStringSchema().WithNullable()
				s.Description = `a duration such as "48h" or "90m"`
			case t == rawMessageType:
				*s = openapi3.Schema{}
			case t.Kind() == reflect.Struct && t != reflect.TypeOf(time.Time{}) && reflect.PointerTo(t).Implements(jsonUnmarshaler):
				*s = openapi3.Schema{} // its own UnmarshalJSON decides, with its own message
			case t.Kind() == reflect.Struct && len(s.Properties) > 0:
				no := false
				s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
			}
			return nil
		}))
	if err != nil {
		return nil, err
	}
	return ref.Value, nil
}

func buildBodySchemas() (map[string]*openapi3.Schema, error) {
	out := make(map[string]*openapi3.Schema, len(requestBodies))
	for route, v := range requestBodies {
		s, err := bodySchema(v)
		if err != nil {
			return nil, err
		}
		out[route] = s
	}
	return out, nil
}

// checkBody validates a JSON body against its route's schema, answering like the decoder does:
// 400 invalid_json with the field's path for a wrong type, 400 unknown_field for a property
// the endpoint does not have. want is the handler's own type; a route whose registered type is
// another is a programming error, reported as such rather than validated wrongly.
func checkBody(route string, body []byte, want reflect.Type) error {
	schemas, err := bodySchemasBuilt()
	if err != nil {
		return err
	}
	schema, ok := schemas[route]
	if !ok {
		return nil
	}
	if reg := reflect.TypeOf(requestBodies[route]); reg != want {
		return hireflow.Errorf(hireflow.KindInternal, "body_schema_mismatch", "", "route %s reads %s but its schema is %s", route, want, reg)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil // the decoder explains malformed JSON
	}
	err = schema.VisitJSON(v, openapi3.DisableReadOnlyValidation(), openapi3.DisableWriteOnlyValidation())
	if err == nil {
		return nil
	}
	se, ok := err.(*openapi3.SchemaError)
	if !ok {
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", "", "the body does not match this endpoint's schema")
	}
	field := pointerField(se.JSONPointer())
	if strings.HasSuffix(se.Reason, "is unsupported") {
		if name := unsupportedProperty(se.Reason); name != "" {
			if field != "" {
				name = field + "." + name
			}
			return hireflow.Errorf(hireflow.KindBadRequest, "unknown_field", name, "this endpoint has no field %q", name).
				ZH("此接口没有字段 %q", name)
		}
	}
	want2 := map[string]string{"string": "a string", "boolean": "true or false", "array": "a list", "object": "an object",
		"integer": "a whole number", "number": "a number"}
	msg := se.Reason
	if se.Schema != nil && se.Schema.Type != nil && se.SchemaField == "type" {
		if w := want2[se.Schema.Type.Slice()[0]]; w != "" {
			msg = fieldName(field) + " must be " + w
		}
	} else if field != "" {
		msg = field + ": " + msg
	}
	return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", field, "%s", msg).ZH("%s 的类型不对", fieldName(field))
}

// pointerField writes a JSON pointer as the API's field paths: offer.band_max, questions[2].kind.
func pointerField(ptr []string) string {
	var b strings.Builder
	for _, p := range ptr {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// unsupportedProperty reads the property's name out of the validator's reason
// (`property "x" is unsupported`).
func unsupportedProperty(reason string) string {
	_, rest, ok := strings.Cut(reason, `property "`)
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, `"`)
	if !ok {
		return ""
	}
	return name
}
