package api

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// setWebhookBody is the JSON body of setWebhook.
type setWebhookBody struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

func (s *Server) setWebhook(c *fiber.Ctx) error {
	var req setWebhookBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && !s.Cfg.Production())) || u.Host == "" {
		return invalid("url", "url must be an https:// address (http:// is allowed outside production)")
	}
	if len(req.Secret) < 16 || len(req.Secret) > 256 {
		return invalid("secret", "secret must be 16 to 256 characters")
	}
	p := principal(c)
	if err := s.Store.WebhookSet(c.UserContext(), p.OrgID, req.URL, req.Secret); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "webhook.set", "organisation", p.OrgID, map[string]any{"url": req.URL})
	return c.JSON(fiber.Map{"url": req.URL})
}
