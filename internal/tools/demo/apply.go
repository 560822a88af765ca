package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
)

// ApplyResponse is the public apply endpoint's answer.
type ApplyResponse struct {
	Status        int    `json:"-"`
	ApplicationID string `json:"application_id"`
	Error         struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// Apply posts an application over HTTP exactly as the apply page does. Empty fields are left
// out, so callers can test missing fields; consent is sent unless consent is false.
func Apply(ctx context.Context, hc *http.Client, baseURL, jobID string, p Profile, filename string, file []byte, consent bool) (ApplyResponse, error) {
	return ApplyWith(ctx, hc, baseURL, jobID, p, filename, file, consent, nil)
}

// ApplyWith is Apply with extra form fields (e.g. the voluntary eeo_* answers).
func ApplyWith(ctx context.Context, hc *http.Client, baseURL, jobID string, p Profile, filename string, file []byte, consent bool, extra map[string]string) (ApplyResponse, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range extra {
		_ = w.WriteField(k, v)
	}
	for k, v := range map[string]string{"name": p.Name, "email": p.Email, "phone": p.Phone, "language": p.Language} {
		if v != "" {
			_ = w.WriteField(k, v)
		}
	}
	if consent {
		_ = w.WriteField("privacy_consent", "true")
	}
	if file != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="resume"; filename=%q`, filename))
		h.Set("Content-Type", "application/octet-stream")
		part, err := w.CreatePart(h)
		if err != nil {
			return ApplyResponse{}, err
		}
		_, _ = part.Write(file)
	}
	_ = w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/public/jobs/"+jobID+"/applications", &body)
	if err != nil {
		return ApplyResponse{}, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := hc.Do(req)
	if err != nil {
		return ApplyResponse{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := ApplyResponse{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("demo: apply answered %d with non-JSON body: %.200s", resp.StatusCode, raw)
	}
	return out, nil
}
