// Package api serves hireflow's HTTP interface with Fiber: the staff REST API, the public apply
// endpoint, the candidate pages behind magic links, health and metrics. Handlers decode,
// validate, call the store or the Temporal client, and respond; they never run workflows.
package api

import (
	"context"
	"embed"
	"errors"
	"github.com/getkin/kin-openapi/openapi3"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/converter"

	"github.com/hireflow/hireflow"
)

//go:embed templates/*.html
var templateFS embed.FS

// Server is the HTTP layer over its dependencies (Deps).
type Server struct {
	Deps
	// routes lists every staff route with its one action, for the role tests.
	routes []staffRoute
	// The OpenAPI document of the API, built from the routes once they are all registered.
	openapi     *openapi3.T
	openapiJSON []byte
	pages       *template.Template
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
}

// staffRoute is a route that needs a signed-in staff member allowed the action.
type staffRoute struct {
	method, path string
	act          action
	page         bool // a console page (signed-out staff are sent to the sign-in page)
}

// staff registers an API route behind sign-in and the action's roles.
func (s *Server) staff(r fiber.Router, method, path string, act action, h fiber.Handler) {
	r.Add(method, path, s.authenticate, s.csrf, s.allow(act), h)
	s.routes = append(s.routes, staffRoute{method: method, path: "/api/v1" + path, act: act})
}

// consolePage registers a console page behind sign-in and the action's roles.
func (s *Server) consolePage(r fiber.Router, path string, act action, h fiber.Handler) {
	r.Get(path, s.consoleAuth, s.allow(act), h)
	s.routes = append(s.routes, staffRoute{method: fiber.MethodGet, path: path, act: act, page: true})
}

// New builds the Fiber app.
func New(d Deps) *fiber.App {
	_, f := newServer(d)
	return f
}

func newServer(d Deps, extra ...func(*Server, *fiber.App)) (*Server, *fiber.App) {
	s := &Server{Deps: d}
	a := d
	s.pages = template.Must(template.New("").Funcs(template.FuncMap{"t": translate, "tv": translateValue}).ParseFS(templateFS, "templates/*.html"))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_http_requests_total",
		Help: "HTTP requests by route and status."}, []string{"route", "method", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hireflow_http_request_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route", "method"})
	_ = a.Registry.Register(s.requests)
	_ = a.Registry.Register(s.latency)

	f := fiber.New(fiber.Config{
		AppName:      "hireflow",
		ErrorHandler: s.errorHandler,
		// Generous, so that an oversize résumé gets a coded 413 from the handler rather than a
		// connection reset from the HTTP server; bodies beyond this are cut off.
		BodyLimit:   max(4*int(a.Cfg.MaxResumeBytes), MaxRecordingBytes) + 1<<20,
		ReadTimeout: 60 * time.Second,
		// Room for a long URL and a session cookie (an 8 KB query string gets the handler's
		// coded answer, not a connection closed by the HTTP server).
		ReadBufferSize: 32 << 10,
		// Multipart bodies are parsed by checkInput, so that a broken one gets its own coded error
		// rather than the HTTP server's generic 400.
		DisablePreParseMultipartForm: true,
		DisableStartupMessage:        true,
	})
	f.Use(recover.New())
	f.Use(s.observe)
	f.Use(s.checkInput)

	f.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	f.Get("/readyz", s.readyz)

	off := func(*fiber.Ctx) bool { return a.Cfg.RateLimitPerMin == 0 }
	publicLimit := limiter.New(limiter.Config{Max: a.Cfg.RateLimitPerMin, Expiration: time.Minute, LimitReached: rateLimited, Next: off})
	linkLimit := limiter.New(limiter.Config{Max: 2 * a.Cfg.RateLimitPerMin, Expiration: time.Minute, LimitReached: rateLimited, Next: off})

	v1 := f.Group("/api/v1")
	v1.Post("/auth/login", publicLimit, s.login)
	v1.Post("/auth/logout", s.logout)
	v1.Get("/me", s.authenticate, s.me)
	s.staff(v1, fiber.MethodPost, "/api-tokens", actTokensCreate, s.createAPIToken)
	s.staff(v1, fiber.MethodPost, "/jobs", actJobsWrite, s.createJob)
	s.staff(v1, fiber.MethodGet, "/jobs", actJobsRead, s.listJobs)
	s.staff(v1, fiber.MethodGet, "/analytics/funnel", actAnalyticsRead, s.analyticsFunnel)
	s.staff(v1, fiber.MethodGet, "/analytics/stage-durations", actAnalyticsRead, s.analyticsDurations)
	s.staff(v1, fiber.MethodGet, "/analytics/metrics/:name", actAnalyticsRead, s.analyticsMetric)
	s.staff(v1, fiber.MethodGet, "/analytics/bias-audits", actAnalyticsRead, s.listBiasAudits)
	s.staff(v1, fiber.MethodGet, "/analytics/calibration", actAnalyticsRead, s.calibration)
	s.staff(v1, fiber.MethodPost, "/analytics/bias-audits", actBiasAuditRun, s.runBiasAudit)
	s.staff(v1, fiber.MethodGet, "/analytics/bias-audits/:id/alerts", actAnalyticsRead, s.biasAuditAlerts)
	s.staff(v1, fiber.MethodPut, "/analytics/bias-audits/publication", actAuditPublish, s.publishAudits)
	s.staff(v1, fiber.MethodGet, "/analytics/calibration/proposals", actAnalyticsRead, s.listCalibrationProposals)
	s.staff(v1, fiber.MethodPost, "/analytics/calibration/proposals", actCalibrationPropose, s.proposeCalibration)
	s.staff(v1, fiber.MethodGet, "/organisation/alert-chat", actAlertsWrite, s.getAlertChat)
	s.staff(v1, fiber.MethodGet, "/audit-log", actAuditLogRead, s.auditLogList)
	s.staff(v1, fiber.MethodPut, "/organisation/alert-chat", actAlertsWrite, s.setAlertChat)
	s.staff(v1, fiber.MethodGet, "/jobs/:id", actJobsRead, s.getJob)
	s.staff(v1, fiber.MethodGet, "/applications", actApplicationsRead, s.listApplications)
	s.staff(v1, fiber.MethodGet, "/applications/:id", actApplicationsRead, s.getApplication)
	s.staff(v1, fiber.MethodGet, "/applications/:id/decisions", actDecisionsRead, s.listDecisions)
	s.staff(v1, fiber.MethodPost, "/applications/:id/decision", actApplicationsDecide, s.decideApplication)
	s.staff(v1, fiber.MethodPost, "/jobs/:id/bulk-decision", actApplicationsDecide, s.bulkDecision)

	s.staff(v1, fiber.MethodGet, "/rulesets", actRulesRead, s.listRuleSets)
	s.staff(v1, fiber.MethodPost, "/rulesets", actRulesPublish, s.createDefaultRuleSet)
	s.staff(v1, fiber.MethodPost, "/rulesets/check", actRulesWrite, s.checkRuleSet)
	s.staff(v1, fiber.MethodGet, "/rules/environment", actRulesRead, s.ruleEnvironment)
	s.staff(v1, fiber.MethodPost, "/rules/approval/try", actRulesRead, s.tryApproval)
	s.staff(v1, fiber.MethodGet, "/rulesets/:id", actRulesRead, s.getRuleSet)
	s.staff(v1, fiber.MethodGet, "/rulesets/:id/versions/:version", actRulesRead, s.getRuleSetVersion)
	s.staff(v1, fiber.MethodGet, "/rulesets/:id/diff", actRulesRead, s.diffRuleSet)
	s.staff(v1, fiber.MethodPut, "/rulesets/:id/draft", actRulesWrite, s.saveDraft)
	s.staff(v1, fiber.MethodPost, "/rulesets/:id/simulate", actRulesRead, s.simulateRuleSet)
	s.staff(v1, fiber.MethodPost, "/rulesets/:id/publish", actRulesPublish, s.publishRuleSet)
	s.staff(v1, fiber.MethodPost, "/applications/:id/migrate-rules", actApplicationsMigrate, s.migrateApplication)

	s.staff(v1, fiber.MethodPost, "/applications/:id/feedback", actFeedback, s.submitFeedback)
	s.staff(v1, fiber.MethodPost, "/applications/:id/reviews", actReview, s.submitReview)
	s.staff(v1, fiber.MethodPost, "/applications/:id/offers", actOfferDraft, s.draftOffer)
	s.staff(v1, fiber.MethodGet, "/applications/:id/offer", actOfferRead, s.getOffer)
	s.staff(v1, fiber.MethodPost, "/applications/:id/offer/preview", actOfferDraft, s.previewOffer)
	s.staff(v1, fiber.MethodPost, "/offers/:id/decision", actOfferApprove, s.decideOffer)
	s.staff(v1, fiber.MethodPost, "/applications/:id/probation", actProbation, s.submitProbation)
	s.staff(v1, fiber.MethodPost, "/applications/:id/cancel", actCancel, s.cancelApplication)
	s.staff(v1, fiber.MethodPut, "/webhook", actWebhook, s.setWebhook)
	s.staff(v1, fiber.MethodPut, "/organisation/branding", actBranding, s.setBranding)
	s.staff(v1, fiber.MethodGet, "/webhook", actWebhookRead, s.getWebhook)
	s.staff(v1, fiber.MethodPost, "/webhook/secret", actWebhook, s.rotateWebhookSecret)
	s.staff(v1, fiber.MethodGet, "/organisation/timings", actOrgSettings, s.getTimings)
	s.staff(v1, fiber.MethodPut, "/organisation/timings", actOrgSettings, s.setTimings)
	s.staff(v1, fiber.MethodPut, "/organisation/llm-scoring", actOrgSettings, s.setLLMScoring)
	s.staff(v1, fiber.MethodGet, "/organisation/departments", actDirectoryRead, s.getDepartments)
	s.staff(v1, fiber.MethodPut, "/organisation/departments", actOrgSettings, s.setDepartments)
	s.staff(v1, fiber.MethodGet, "/staff-directory", actDirectoryRead, s.staffDirectory)
	s.staff(v1, fiber.MethodPost, "/practice", actPracticeRun, s.startPractice)
	s.staff(v1, fiber.MethodPost, "/practice/role", actAccountSelf, s.practiceRole)
	s.staff(v1, fiber.MethodGet, "/users", actUsersAdmin, s.listUsers)
	s.staff(v1, fiber.MethodPost, "/users", actUsersAdmin, s.inviteUser)
	s.staff(v1, fiber.MethodPatch, "/users/:id", actUsersAdmin, s.updateUser)
	s.staff(v1, fiber.MethodPost, "/users/:id/invitation", actUsersAdmin, s.resendInvite)
	s.staff(v1, fiber.MethodGet, "/api-tokens", actTokensRead, s.listAPITokens)
	s.staff(v1, fiber.MethodDelete, "/api-tokens/:id", actTokensRead, s.revokeAPIToken)
	s.staff(v1, fiber.MethodPut, "/organisation/oidc", actOIDCConfig, s.setOIDC)
	s.staff(v1, fiber.MethodGet, "/organisation/oidc", actOIDCConfig, s.getOIDC)
	s.staff(v1, fiber.MethodPost, "/auth/totp/setup", actAccountSelf, s.totpSetup)
	s.staff(v1, fiber.MethodPost, "/auth/totp/enable", actAccountSelf, s.totpEnable)
	s.staff(v1, fiber.MethodPost, "/auth/totp/disable", actAccountSelf, s.totpDisable)
	s.staff(v1, fiber.MethodGet, "/auth/sessions", actAccountSelf, s.listSessions)
	s.staff(v1, fiber.MethodDelete, "/auth/sessions", actAccountSelf, s.endSessions)
	s.staff(v1, fiber.MethodDelete, "/auth/sessions/:id", actAccountSelf, s.endSession)
	s.staff(v1, fiber.MethodGet, "/applications/:id/resume", actResumeRead, s.resumeDownload)
	s.staff(v1, fiber.MethodGet, "/organisation/field-visibility", actFieldVisibility, s.getFieldVisibility)
	s.staff(v1, fiber.MethodPut, "/organisation/field-visibility", actFieldVisibility, s.setFieldVisibility)
	s.staff(v1, fiber.MethodGet, "/organisation/retention", actRetentionConfig, s.getRetention)
	s.staff(v1, fiber.MethodPut, "/organisation/retention", actRetentionConfig, s.setRetention)
	s.staff(v1, fiber.MethodPost, "/retention/run", actRetentionConfig, s.runRetention)
	s.staff(v1, fiber.MethodPost, "/applications/:id/legal-hold", actLegalHold, s.placeLegalHold)
	s.staff(v1, fiber.MethodDelete, "/applications/:id/legal-hold", actLegalHold, s.releaseLegalHold)
	s.staff(v1, fiber.MethodGet, "/applications/:id/deletion-proof", actLegalHold, s.deletionProof)
	s.staff(v1, fiber.MethodGet, "/organisation/scheduling", actSchedulingConfig, s.getSchedulingSettings)
	s.staff(v1, fiber.MethodPut, "/organisation/scheduling", actSchedulingConfig, s.setSchedulingSettings)
	s.staff(v1, fiber.MethodGet, "/organisation/roster-connector", actRosterConnector, s.getRosterConnector)
	s.staff(v1, fiber.MethodPut, "/organisation/roster-connector", actRosterConnector, s.setRosterConnector)
	s.staff(v1, fiber.MethodPost, "/rosters/sync", actRosterWrite, s.syncRosters)
	s.staff(v1, fiber.MethodPost, "/rosters/upload", actRosterWrite, s.uploadRoster)
	s.staff(v1, fiber.MethodPut, "/rosters", actRosterWrite, s.pushRoster)
	s.staff(v1, fiber.MethodPut, "/interviewers/:id/settings", actRosterWrite, s.setInterviewerSettings)
	s.staff(v1, fiber.MethodPut, "/interviewers/:id/busy", actScheduleRead, s.putBusyFeed)
	s.staff(v1, fiber.MethodGet, "/interviewers/:id/week", actScheduleRead, s.interviewerWeek)
	s.staff(v1, fiber.MethodGet, "/applications/:id/interview", actInterviewRead, s.getInterview)
	s.staff(v1, fiber.MethodPost, "/applications/:id/interview/book", actInterviewBook, s.bookForCandidate)
	s.staff(v1, fiber.MethodPost, "/applications/:id/interview/reschedule", actInterviewReschedule, s.staffReschedule)
	s.staff(v1, fiber.MethodPost, "/applications/:id/interview/cancel", actInterviewBook, s.staffCancelInterview)
	v1.Post("/candidate/:token/consent", linkLimit, s.candidateConsent)
	v1.Post("/candidate/:token/answers", linkLimit, s.candidateAnswer)
	v1.Post("/candidate/:token/answers/:question/recording", linkLimit, s.candidateRecording)
	v1.Put("/candidate/:token/answers/:question/pieces/:seq", linkLimit, s.candidateRecordingPiece)
	v1.Post("/candidate/:token/offer", linkLimit, s.candidateOfferResponse)
	v1.Post("/candidate/:token/deletion", linkLimit, s.candidateDeletion)
	v1.Post("/candidate/:token/automated-decisions", linkLimit, s.candidateHumanOnly)

	v1.Get("/public/jobs/:id", s.publicJob)
	v1.Post("/public/jobs/:id/applications", publicLimit, s.apply)
	v1.Get("/candidate/:token/status", linkLimit, s.candidateStatusJSON)

	f.Get("/jobs/:id/apply", s.applyPage)
	f.Get("/console/login", s.loginPage)
	f.Get("/console/login/oidc", linkLimit, s.oidcStart)
	f.Get("/console/set-password/:token", linkLimit, s.setPasswordPage)
	f.Post("/console/set-password/:token", linkLimit, s.setPassword)
	f.Get("/console/login/oidc/callback", linkLimit, s.oidcCallback)
	s.consolePage(f, "/console", actJobsRead, s.consoleHome)
	s.consolePage(f, "/console/analytics", actAnalyticsRead, s.analyticsPage)
	s.consolePage(f, "/console/jobs", actBoardRead, s.jobsPage)
	s.consolePage(f, "/console/jobs/new", actJobsWrite, s.jobNewPage)
	s.consolePage(f, "/console/audit-log", actAuditLogRead, s.auditLogPage)
	s.consolePage(f, "/console/account", actAccountSelf, s.accountPage)
	s.consolePage(f, "/console/help", actAccountSelf, s.helpPage)
	s.consolePage(f, "/console/offers/:id", actOfferApprove, s.offerPage)
	s.consolePage(f, "/console/admin", actUsersAdmin, s.adminUsersPage)
	s.consolePage(f, "/console/rulesets", actRulesRead, s.ruleSetsPage)
	s.consolePage(f, "/console/rulesets/:id", actRulesRead, s.ruleEditorPage)
	s.consolePage(f, "/console/schedule", actScheduleRead, s.schedulePage)
	s.consolePage(f, "/console/jobs/:id/board", actBoardRead, s.boardPage)
	s.consolePage(f, "/console/analytics/audits", actAnalyticsRead, s.auditsPage)
	f.Get("/audits/:slug", publicLimit, s.publicAuditPage)
	s.consolePage(f, "/console/applications/:id", actApplicationsRead, s.applicationPage)
	s.consolePage(f, "/console/applications/:id/decisions", actDecisionsRead, s.decisionsPage)
	s.consolePage(f, "/console/applications/:id/timeline", actDecisionsRead, s.timelinePage)
	s.consolePage(f, "/console/applications/:id/report", actReportRead, s.reportPage)
	s.consolePage(f, "/console/answers/:id/recording", actRecordingRead, s.recording)
	f.Get("/c/:token", linkLimit, s.candidatePage)
	f.Post("/c/:token/withdraw", linkLimit, s.candidateWithdraw)
	f.Get("/c/:token/interview", linkLimit, s.interviewPage)
	f.Post("/c/:token/offer", linkLimit, s.candidateOfferPage)
	f.Post("/c/:token/renew", publicLimit, s.renewLink)
	f.Get("/c/:token/onboarding", linkLimit, s.onboardingPage)
	f.Post("/c/:token/onboarding", linkLimit, s.onboardingSubmit)
	f.Post("/c/:token/delete", linkLimit, s.candidateDeletionPage)
	f.Post("/c/:token/access", linkLimit, s.candidateAccessRequest)
	f.Get("/c/:token/data", linkLimit, s.candidateAccessPage)
	f.Post("/c/:token/data", linkLimit, s.candidateAccessDownload)
	f.Post("/c/:token/schedule", linkLimit, s.candidateChoose)
	f.Post("/c/:token/schedule/propose", linkLimit, s.candidatePropose)
	f.Post("/c/:token/schedule/reschedule", linkLimit, s.candidateReschedule)
	f.Post("/c/:token/schedule/cancel", linkLimit, s.candidateCancelInterview)
	f.Get("/c/:token/interview.ics", linkLimit, s.candidateICS)
	f.Get("/api/openapi.json", s.openAPIJSON)
	f.Get("/api/docs", s.apiDocs)
	for _, x := range extra {
		x(s, f)
	}
	if doc, err := s.buildOpenAPI(f); err != nil {
		s.Log.Error("the OpenAPI document does not validate", "err", err.Error())
	} else {
		s.openapi, s.openapiJSON = doc, marshalDoc(doc)
	}
	f.Use(func(c *fiber.Ctx) error {
		return hireflow.Errorf(hireflow.KindNotFound, "route_not_found", "", "no such endpoint: %s %s", c.Method(), c.Path())
	})
	return s, f
}

// NewMetrics serves /metrics alone, for a separate listen address (HIREFLOW_METRICS_ADDR) that
// only the monitoring network reaches: the public API port exposes no operational data.
func NewMetrics(reg prometheus.Gatherer) *fiber.App {
	return NewOps(reg, nil, "", nil)
}

// NewOps is the operations listener: /metrics and, given a codec and the API's dependencies,
// the Temporal UI's and CLI's codec server at /codec (POST /codec/decode, /codec/encode),
// answering CORS for the UI's origin. The codec server decodes only for a signed-in analyst:
// the staff session cookie (the UI with "include cross-origin credentials") or an analyst's
// API token (the UI's "pass the access token", `temporal --codec-auth 'Bearer hf_…'`); anyone
// else gets the API's coded 401/403. It is bound to the monitoring network
// (HIREFLOW_METRICS_ADDR, loopback by default), never to the public API port.
func NewOps(reg prometheus.Gatherer, codec converter.PayloadCodec, uiOrigin string, d *Deps) *fiber.App {
	f := fiber.New(fiber.Config{AppName: "hireflow-ops", DisableStartupMessage: true, BodyLimit: 16 << 20, ErrorHandler: opsError})
	f.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	if codec != nil && d != nil {
		s := &Server{Deps: *d}
		h := http.StripPrefix("/codec", converter.NewPayloadCodecHTTPHandler(codec))
		cors := func(c *fiber.Ctx) error {
			if uiOrigin != "" && c.Get(fiber.HeaderOrigin) == uiOrigin {
				c.Set(fiber.HeaderAccessControlAllowOrigin, uiOrigin)
				c.Set(fiber.HeaderAccessControlAllowMethods, "POST, OPTIONS")
				c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type, X-Namespace, Authorization")
				c.Set(fiber.HeaderAccessControlAllowCredentials, "true")
				c.Set(fiber.HeaderVary, fiber.HeaderOrigin)
			}
			if c.Method() == fiber.MethodOptions {
				return c.SendStatus(fiber.StatusNoContent) // a preflight carries no credentials
			}
			return c.Next()
		}
		f.All("/codec/*", cors, s.authenticate, s.allow(actTemporalDecode), func(c *fiber.Ctx) error {
			p := principal(c)
			_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "temporal.decode", "codec", c.Params("*"), nil)
			return adaptor.HTTPHandler(h)(c)
		})
	}
	return f
}

// opsError answers the operations listener's errors in the API's coded shape.
func opsError(c *fiber.Ctx, err error) error {
	herr := hireflow.AsError(err)
	if herr == nil {
		var ferr *fiber.Error
		if errors.As(err, &ferr) {
			return c.Status(ferr.Code).JSON(fiber.Map{"error": fiber.Map{"code": "http_" + itoa(ferr.Code), "message": ferr.Message}})
		}
		herr = hireflow.Errorf(hireflow.KindInternal, "internal", "", "internal error")
	}
	body := fiber.Map{"code": herr.Code, "message": herr.Message}
	if herr.Field != "" {
		body["field"] = herr.Field
	}
	return c.Status(statusOf(herr.Kind)).JSON(fiber.Map{"error": body})
}

func rateLimited(*fiber.Ctx) error {
	return hireflow.Errorf(hireflow.KindRateLimited, "rate_limited", "", "too many requests; wait a minute and retry").
		ZH("请求过于频繁，请一分钟后再试")
}

// observe records metrics and logs each request; candidate links are never logged.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	// Fiber reuses its buffers: labels kept by Prometheus must be copies.
	route, method := strings.Clone(c.Route().Path), strings.Clone(c.Method())
	status := c.Response().StatusCode()
	s.requests.WithLabelValues(route, method, itoa(status)).Inc()
	s.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	path := c.Path()
	if strings.HasPrefix(path, "/c/") || strings.HasPrefix(path, "/api/v1/candidate/") {
		path = route // never log a token
	}
	s.Log.Info("http", "method", c.Method(), "path", path, "status", status, "ms", time.Since(start).Milliseconds())
	return nil
}

// errorHandler is the one place errors become HTTP responses.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	herr := hireflow.AsError(err)
	var ferr *fiber.Error
	if herr == nil && errors.As(err, &ferr) {
		switch ferr.Code {
		case fiber.StatusRequestEntityTooLarge:
			herr = hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "resume", "the upload is larger than %d MB", s.Cfg.MaxResumeBytes>>20).
				ZH("上传文件超过 %d MB", s.Cfg.MaxResumeBytes>>20)
		case fiber.StatusNotFound:
			herr = hireflow.Errorf(hireflow.KindNotFound, "route_not_found", "", "no such endpoint")
		case fiber.StatusMethodNotAllowed:
			herr = hireflow.Errorf(hireflow.KindNotFound, "method_not_allowed", "", "method not allowed")
		default:
			// Fiber's own messages can quote the parser's internals or the raw request: not shown.
			if ferr.Code >= 400 && ferr.Code < 500 {
				herr = hireflow.Errorf(hireflow.KindBadRequest, "bad_request", "", "the request could not be read").
					ZH("无法读取该请求")
			}
		}
	}
	if herr == nil || herr.Kind == hireflow.KindInternal {
		if d := dependencyError(err); d != nil {
			herr = d
		}
	}
	if herr == nil {
		if errors.Is(err, context.DeadlineExceeded) {
			herr = hireflow.Errorf(hireflow.KindUnavailable, "timeout", "", "the service took too long; retry shortly")
		} else {
			herr = hireflow.Errorf(hireflow.KindInternal, "internal", "", "internal error; it has been logged")
		}
		s.Log.Error("request failed", "method", c.Method(), "route", c.Route().Path, "err", err.Error())
	} else if herr.Kind == hireflow.KindInternal || herr.Kind == hireflow.KindUnavailable {
		s.Log.Error("request failed", "method", c.Method(), "route", c.Route().Path, "code", herr.Code, "err", err.Error())
	}
	msg := herr.Message
	if lang(c) == "zh" && herr.MessageZH != "" {
		msg = herr.MessageZH
	}
	status := statusOf(herr.Kind)
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if wantsHTML(c) {
		return s.renderError(c, status, herr.Code, msg)
	}
	body := fiber.Map{"code": herr.Code, "message": msg}
	if herr.Field != "" {
		body["field"] = herr.Field
	}
	if herr.Details != nil {
		body["details"] = herr.Details
	}
	return c.Status(status).JSON(fiber.Map{"error": body})
}

// statusOf is the HTTP status of each kind of error; anything else is a 500.
var statusOfKind = map[hireflow.Kind]int{
	hireflow.KindInvalid: fiber.StatusUnprocessableEntity, hireflow.KindBadRequest: fiber.StatusBadRequest,
	hireflow.KindNotFound: fiber.StatusNotFound, hireflow.KindUnauthorized: fiber.StatusUnauthorized,
	hireflow.KindForbidden: fiber.StatusForbidden, hireflow.KindConflict: fiber.StatusConflict,
	hireflow.KindGone: fiber.StatusGone, hireflow.KindTooLarge: fiber.StatusRequestEntityTooLarge,
	hireflow.KindUnsupported: fiber.StatusUnsupportedMediaType, hireflow.KindRateLimited: fiber.StatusTooManyRequests,
	hireflow.KindUnavailable: fiber.StatusServiceUnavailable,
}

func statusOf(k hireflow.Kind) int {
	if st, ok := statusOfKind[k]; ok {
		return st
	}
	return fiber.StatusInternalServerError
}

// wantsHTML is true for the candidate pages (not their JSON twins).
func wantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/c/") || p == "/console" || strings.HasPrefix(p, "/console/") || strings.HasPrefix(p, "/audits/") ||
		(strings.HasPrefix(p, "/jobs/") && strings.HasSuffix(p, "/apply"))
}

// lang picks zh or en: ?lang=, then the hf_lang cookie, then Accept-Language.
func lang(c *fiber.Ctx) string {
	for _, v := range []string{c.Query("lang"), c.Cookies("hf_lang")} {
		if v == "zh" || v == "en" {
			return v
		}
	}
	al := strings.ToLower(c.Get(fiber.HeaderAcceptLanguage))
	if strings.HasPrefix(al, "zh") {
		return "zh"
	}
	return "en"
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	parts := fiber.Map{}
	ok := true
	check := func(name string, err error) {
		if err != nil {
			parts[name] = fiber.Map{"ok": false, "error": err.Error()}
			ok = false
		} else {
			parts[name] = fiber.Map{"ok": true}
		}
	}
	check("postgres", s.Store.Ping(ctx))
	_, err := s.Workflows.CheckHealth(ctx, nil)
	check("temporal", err)
	check("object_store", s.Objects.Ping(ctx))
	check("smtp", s.Mail.Ping(ctx))
	status := fiber.StatusOK
	if !ok {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(fiber.Map{"ready": ok, "parts": parts})
}
