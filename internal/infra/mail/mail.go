// Package mail renders hireflow's emails (zh and en, HTML and plain text, with the
// organisation's branding) and sends them through SMTP with go-mail.
package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltpl "html/template"
	"net"
	"strconv"
	"strings"
	texttpl "text/template"
	"time"

	"github.com/hireflow/hireflow"
	gomail "github.com/wneessen/go-mail"
)

// Data is what a template may use. It lives only inside an activity, never in a workflow.
type Data struct {
	Lang      string // en | zh
	ToName    string
	OrgName   string
	BrandLine string
	Color     string
	LogoURL   string
	JobTitle  string
	Link      string
	ExpiresAt time.Time
	Count     int
	// Paragraphs are the body of a notice (see notices.go).
	Paragraphs []string
}

//go:embed templates/*
var files embed.FS

var (
	htmlT = htmltpl.Must(htmltpl.New("").Funcs(htmltpl.FuncMap{"date": dateFmt}).ParseFS(files, "templates/*.html"))
	textT = texttpl.Must(texttpl.New("").Funcs(texttpl.FuncMap{"date": dateFmt}).ParseFS(files, "templates/*.txt"))
)

func dateFmt(lang string, t time.Time) string {
	if lang == "zh" {
		return t.UTC().Format("2006年1月2日 15:04 UTC")
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

var subjects = map[string]map[string]string{
	hireflow.NoticeInvitation: {"en": "Your next step for {{job}} at {{org}}", "zh": "{{org}}「{{job}}」职位：下一步邀请"},
	hireflow.NoticeRejection:  {"en": "Your application for {{job}} at {{org}}", "zh": "关于您申请{{org}}「{{job}}」职位的结果"},
}

// Rendered is a message ready to send.
type Rendered struct {
	Subject, Text, HTML string
	// Calendar, when set, is an iCalendar object sent as the text/calendar alternative (with
	// its METHOD as the part's method parameter) and as an invite.ics attachment.
	Calendar       string
	CalendarMethod string
}

// Render produces the subject and both bodies of kind in d.Lang.
func Render(kind string, d Data) (Rendered, error) {
	if d.Lang != "zh" {
		d.Lang = "en"
	}
	if d.Color == "" {
		d.Color = "#1f5fbf"
	}
	subj, ok := subjects[kind][d.Lang]
	if !ok {
		return Rendered{}, fmt.Errorf("mail: unknown kind %q", kind)
	}
	subj = strings.NewReplacer("{{job}}", d.JobTitle, "{{org}}", d.OrgName, "{{count}}", strconv.Itoa(d.Count)).Replace(subj)
	name := kind + "." + d.Lang
	var h, t bytes.Buffer
	if err := htmlT.ExecuteTemplate(&h, name+".html", d); err != nil {
		return Rendered{}, fmt.Errorf("mail: %s: %w", name, err)
	}
	if err := textT.ExecuteTemplate(&t, name+".txt", d); err != nil {
		return Rendered{}, fmt.Errorf("mail: %s: %w", name, err)
	}
	return Rendered{Subject: subj, Text: t.String(), HTML: h.String()}, nil
}

// Sender sends mail through one SMTP server, reusing a few open connections.
type Sender struct {
	host string
	opts []gomail.Option
	from string
	idle chan pooled // open connections ready for the next message
}

// pooled is an idle connection and when it was last used.
type pooled struct {
	c    *gomail.Client
	used time.Time
}

// maxIdle is how long a pooled connection is trusted: SMTP servers drop idle clients (often
// after 30-300 s) without the client noticing until its next command fails.
const maxIdle = 20 * time.Second

// poolSize bounds the open SMTP connections kept between sends.
const poolSize = 4

// NewSender configures SMTP; tlsMode is none, starttls or tls.
func NewSender(addr, user, password, tlsMode, from string) (*Sender, error) {
	host, portS, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portS)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP port %q: %w", portS, err)
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(15 * time.Second)}
	switch tlsMode {
	case "tls":
		opts = append(opts, gomail.WithSSLPort(false))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(user), gomail.WithPassword(password))
	}
	return &Sender{host: host, opts: opts, from: from, idle: make(chan pooled, poolSize)}, nil
}

// Send delivers one rendered message. messageID is stable per idempotency key so a resend after
// a crash is recognisable as the same message.
func (s *Sender) Send(ctx context.Context, toName, toAddr, messageID string, r Rendered) error {
	m := gomail.NewMsg()
	if err := m.From(s.from); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := m.AddToFormat(toName, toAddr); err != nil {
		return fmt.Errorf("mail: invalid recipient: %w", err)
	}
	m.Subject(r.Subject)
	m.SetMessageIDWithValue(messageID)
	m.SetBodyString(gomail.TypeTextPlain, r.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	if r.Calendar != "" {
		m.AddAlternativeString(gomail.ContentType("text/calendar; method="+r.CalendarMethod), r.Calendar)
		m.AttachReadSeeker("invite.ics", strings.NewReader(r.Calendar), gomail.WithFileContentType(gomail.ContentType("application/ics")))
	}
	// A pooled connection may have been closed by the server meanwhile (or the server
	// restarted): on failure, send once more on a connection dialled now, never on another
	// pooled one, which is likely just as stale.
	c, fresh, err := s.conn(ctx, false)
	if err != nil {
		return fmt.Errorf("mail: unable to connect: %w", err)
	}
	if err = c.Send(m); err == nil {
		s.release(c)
		return nil
	}
	_ = c.Close()
	if fresh {
		return fmt.Errorf("mail: unable to send: %w", err)
	}
	s.drain()
	if c, _, err = s.conn(ctx, true); err != nil {
		return fmt.Errorf("mail: unable to connect: %w", err)
	}
	if err = c.Send(m); err != nil {
		_ = c.Close()
		return fmt.Errorf("mail: unable to send: %w", err)
	}
	s.release(c)
	return nil
}

// drain closes every pooled connection (after one of them turned out stale).
func (s *Sender) drain() {
	for {
		select {
		case p := <-s.idle:
			_ = p.c.Close()
		default:
			return
		}
	}
}

func (s *Sender) conn(ctx context.Context, fresh bool) (*gomail.Client, bool, error) {
	for !fresh {
		select {
		case p := <-s.idle:
			if time.Since(p.used) < maxIdle {
				return p.c, false, nil
			}
			_ = p.c.Close() // idle too long to trust
			continue
		default:
		}
		break
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return nil, true, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, true, err
	}
	return c, true, nil
}

func (s *Sender) release(c *gomail.Client) {
	if err := c.Reset(); err != nil {
		_ = c.Close()
		return
	}
	select {
	case s.idle <- pooled{c: c, used: time.Now()}:
	default:
		_ = c.Close()
	}
}

// Ping checks that the SMTP server accepts connections.
func (s *Sender) Ping(ctx context.Context) error {
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return err
	}
	return c.Close()
}

// From is the sender address (the organiser of calendar invitations).
func (s *Sender) From() string { return s.from }
