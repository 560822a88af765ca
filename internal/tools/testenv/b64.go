package testenv

import (
	"encoding/base64"
	"regexp"
	"strings"
)

var dataRe = regexp.MustCompile(`"data":"([A-Za-z0-9+/=]+)"`)

func decodeB64Payloads(s string) string {
	var b strings.Builder
	for _, m := range dataRe.FindAllStringSubmatch(s, -1) {
		if d, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.Write(d)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
