// Package config reads hireflow's configuration from HIREFLOW_* environment variables and an
// optional KEY=VALUE file (HIREFLOW_CONFIG_FILE); the environment wins over the file.
package config

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Dev-only secrets: fine on a laptop, refused in production.
const (
	devDataKey  = "aGlyZWZsb3ctZGV2LWRhdGEta2V5LW5vdC1wcm9kISE=" // 32 bytes
	devHashKey  = "aGlyZWZsb3ctZGV2LWhhc2gta2V5LW5vdC1wcm9kISE="
	devS3Secret = "hireflow-dev-secret"
)

// Config is every setting; README.md lists each key with its default.
type Config struct {
	Env               string // development | test | production
	HTTPAddr          string
	MetricsAddr       string // "" serves no metrics
	PublicURL         string
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TemporalUIURL     string
	TemporalGzip      bool // gRPC gzip to Temporal: worth it across networks, wasted CPU on loopback
	TaskQueue         string
	ScoringTaskQueue  string
	S3Endpoint        string
	S3AccessKey       string
	S3SecretKey       string
	S3Bucket          string
	S3UseTLS          bool
	S3SSE             bool
	SMTPAddr          string
	SMTPUser          string
	SMTPPassword      string
	SMTPTLS           string // none | starttls | tls
	MailFrom          string
	MailUIURL         string
	DataKey           []byte // 32 bytes: encrypts personal columns and objects
	HashKey           []byte // 32 bytes: keys token hashes and blind indexes
	// Temporal payload encryption: on by default, under PayloadKey (the data key unless set);
	// PayloadOldKeys only decrypt (histories written before a rotation).
	PayloadEncryption bool
	PayloadKey        []byte
	PayloadOldKeys    [][]byte
	LogLevel          string
	SessionTTL        time.Duration
	TokenTTL          time.Duration
	MaxResumeBytes    int64
	ScorerURL         string // optional external model service for answer content
	ScorerToken       string
	// The large-language-model rubric scorer (an OpenAI-compatible chat-completions endpoint):
	// used only for organisations that turn it on, with the offline scorer as the fallback.
	LLMURL     string
	LLMKey     string
	LLMModel   string
	LLMTimeout time.Duration
	// DomainLM decodes recorded answers with each job's domain language model (speech/lm).
	DomainLM bool
	// SpeakerAdapt decodes recorded answers a second time with the acoustic model adapted to
	// the speaker (speech/adapt.go); HIREFLOW_SPEAKER_ADAPT=off turns it off.
	SpeakerAdapt    bool
	RateLimitPerMin int // per client IP on public endpoints; 0 disables

	InviteReminderAfter time.Duration
	InviteExpiresAfter  time.Duration
	RejectionDelay      time.Duration
	HoldSLA             time.Duration
	FeedbackSLA         time.Duration
	ReviewSLA           time.Duration
	ApprovalSLA         time.Duration
	OfferExpiresAfter   time.Duration
	ProbationLength     time.Duration
	ProbationSLA        time.Duration
}

// Load reads the configuration from the environment and validates it.
func Load() (*Config, error) { return LoadWith(os.LookupEnv) }

// LoadWith reads the configuration through lookup (tests pass their own) and validates it.
func LoadWith(lookup func(string) (string, bool)) (*Config, error) {
	file := map[string]string{}
	if p, _ := lookup("HIREFLOW_CONFIG_FILE"); p != "" {
		var err error
		if file, err = readFile(p); err != nil {
			return nil, err
		}
	}
	get := func(key, def string) string {
		if v, ok := lookup(key); ok {
			return v
		}
		if v, ok := file[key]; ok {
			return v
		}
		return def
	}
	var errs []error
	dur := func(key string, def time.Duration) time.Duration {
		s := get(key, "")
		if s == "" {
			return def
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration like 48h", key, s))
			return def
		}
		return d
	}
	boolean := func(key string, def bool) bool {
		s := get(key, "")
		if s == "" {
			return def
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not true/false", key, s))
		}
		return b
	}
	key32 := func(key, def string) []byte {
		s := get(key, def)
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("%s must be 32 bytes, base64 (head -c32 /dev/urandom | base64)", key))
		}
		return b
	}
	c := &Config{
		Env:               get("HIREFLOW_ENV", "development"),
		HTTPAddr:          get("HIREFLOW_HTTP_ADDR", "127.0.0.1:8080"),
		MetricsAddr:       get("HIREFLOW_METRICS_ADDR", "127.0.0.1:9464"),
		DatabaseURL:       get("HIREFLOW_DATABASE_URL", "postgres://postgres@127.0.0.1:55432/hireflow?sslmode=disable"),
		TemporalAddress:   get("HIREFLOW_TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: get("HIREFLOW_TEMPORAL_NAMESPACE", "default"),
		TemporalUIURL:     get("HIREFLOW_TEMPORAL_UI_URL", "http://127.0.0.1:8233"),
		TemporalGzip:      boolean("HIREFLOW_TEMPORAL_GZIP", true),
		TaskQueue:         get("HIREFLOW_TASK_QUEUE", "hireflow"),
		ScoringTaskQueue:  get("HIREFLOW_SCORING_TASK_QUEUE", "scoring"),
		S3Endpoint:        get("HIREFLOW_S3_ENDPOINT", "127.0.0.1:9000"),
		S3AccessKey:       get("HIREFLOW_S3_ACCESS_KEY", "hireflow"),
		S3SecretKey:       get("HIREFLOW_S3_SECRET_KEY", devS3Secret),
		S3Bucket:          get("HIREFLOW_S3_BUCKET", "hireflow"),
		S3UseTLS:          boolean("HIREFLOW_S3_TLS", false),
		S3SSE:             boolean("HIREFLOW_S3_SSE", false),
		SMTPAddr:          get("HIREFLOW_SMTP_ADDR", "127.0.0.1:1025"),
		SMTPUser:          get("HIREFLOW_SMTP_USER", ""),
		SMTPPassword:      get("HIREFLOW_SMTP_PASSWORD", ""),
		SMTPTLS:           get("HIREFLOW_SMTP_TLS", "none"),
		MailFrom:          get("HIREFLOW_MAIL_FROM", "hireflow <no-reply@hireflow.local>"),
		MailUIURL:         get("HIREFLOW_MAIL_UI_URL", "http://127.0.0.1:1080"),
		DataKey:           key32("HIREFLOW_DATA_KEY", devDataKey),
		HashKey:           key32("HIREFLOW_HASH_KEY", devHashKey),
		LogLevel:          get("HIREFLOW_LOG_LEVEL", "info"),
		ScorerURL:         get("HIREFLOW_SCORER_URL", ""),
		ScorerToken:       get("HIREFLOW_SCORER_TOKEN", ""),
		LLMURL:            get("HIREFLOW_LLM_URL", ""),
		LLMKey:            get("HIREFLOW_LLM_KEY", ""),
		LLMModel:          get("HIREFLOW_LLM_MODEL", ""),
		LLMTimeout:        dur("HIREFLOW_LLM_TIMEOUT", 30*time.Second),
		DomainLM:          get("HIREFLOW_DOMAIN_LM", "on") != "off",
		SpeakerAdapt:      get("HIREFLOW_SPEAKER_ADAPT", "on") != "off",
		SessionTTL:        dur("HIREFLOW_SESSION_TTL", 12*time.Hour),
		TokenTTL:          dur("HIREFLOW_CANDIDATE_TOKEN_TTL", 14*24*time.Hour),

		InviteReminderAfter: dur("HIREFLOW_INVITE_REMINDER_AFTER", 48*time.Hour),
		InviteExpiresAfter:  dur("HIREFLOW_INVITE_EXPIRES_AFTER", 7*24*time.Hour),
		RejectionDelay:      dur("HIREFLOW_REJECTION_DELAY", 24*time.Hour),
		HoldSLA:             dur("HIREFLOW_HOLD_SLA", 48*time.Hour),
		FeedbackSLA:         dur("HIREFLOW_FEEDBACK_SLA", 48*time.Hour),
		ReviewSLA:           dur("HIREFLOW_REVIEW_SLA", 72*time.Hour),
		ApprovalSLA:         dur("HIREFLOW_APPROVAL_SLA", 48*time.Hour),
		OfferExpiresAfter:   dur("HIREFLOW_OFFER_EXPIRES_AFTER", 7*24*time.Hour),
		ProbationLength:     dur("HIREFLOW_PROBATION_LENGTH", 90*24*time.Hour),
		ProbationSLA:        dur("HIREFLOW_PROBATION_SLA", 7*24*time.Hour),
	}
	c.PayloadEncryption = boolean("HIREFLOW_PAYLOAD_ENCRYPTION", true)
	c.PayloadKey = c.DataKey
	if get("HIREFLOW_PAYLOAD_KEY", "") != "" {
		c.PayloadKey = key32("HIREFLOW_PAYLOAD_KEY", "")
	}
	for i, k := range strings.Split(get("HIREFLOW_PAYLOAD_OLD_KEYS", ""), ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("HIREFLOW_PAYLOAD_OLD_KEYS: key %d must be 32 bytes, base64", i+1))
			continue
		}
		c.PayloadOldKeys = append(c.PayloadOldKeys, b)
	}
	c.PublicURL = strings.TrimRight(get("HIREFLOW_PUBLIC_URL", "http://"+c.HTTPAddr), "/")
	mb, err := strconv.ParseInt(get("HIREFLOW_MAX_RESUME_MB", "10"), 10, 64)
	if err != nil || mb <= 0 || mb > 100 {
		errs = append(errs, errors.New("HIREFLOW_MAX_RESUME_MB must be a whole number from 1 to 100"))
	}
	c.MaxResumeBytes = mb << 20
	rl, err := strconv.Atoi(get("HIREFLOW_RATE_LIMIT_PER_MIN", "30"))
	if err != nil || rl < 0 {
		errs = append(errs, errors.New("HIREFLOW_RATE_LIMIT_PER_MIN must be a whole number (0 disables)"))
	}
	c.RateLimitPerMin = rl
	switch c.Env {
	case "development", "test", "production":
	default:
		errs = append(errs, fmt.Errorf("HIREFLOW_ENV: %q must be development, test or production", c.Env))
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("HIREFLOW_SMTP_TLS: %q must be none, starttls or tls", c.SMTPTLS))
	}
	if c.InviteReminderAfter >= c.InviteExpiresAfter {
		errs = append(errs, errors.New("HIREFLOW_INVITE_REMINDER_AFTER must be shorter than HIREFLOW_INVITE_EXPIRES_AFTER"))
	}
	if c.Env == "production" {
		if get("HIREFLOW_DATA_KEY", devDataKey) == devDataKey {
			errs = append(errs, errors.New("production refuses the default HIREFLOW_DATA_KEY: set your own"))
		}
		if get("HIREFLOW_HASH_KEY", devHashKey) == devHashKey {
			errs = append(errs, errors.New("production refuses the default HIREFLOW_HASH_KEY: set your own"))
		}
		if c.S3SecretKey == devS3Secret || strings.HasPrefix(c.S3SecretKey, "hireflow-") {
			errs = append(errs, errors.New("production refuses the default HIREFLOW_S3_SECRET_KEY"))
		}
		if !strings.HasPrefix(c.PublicURL, "https://") {
			errs = append(errs, errors.New("production needs an https:// HIREFLOW_PUBLIC_URL"))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}

// Production reports whether the deployment runs in production mode.
func (c *Config) Production() bool { return c.Env == "production" }

func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: unable to read %s: %w", path, err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(k, "HIREFLOW_") {
			return nil, fmt.Errorf("config: %s line %d: expected HIREFLOW_KEY=value", path, n)
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return out, sc.Err()
}
