package api

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every text a page asks for exists in both languages.
func TestEveryPageTextIsTranslated(t *testing.T) {
	re := regexp.MustCompile(`t \$?\.Lang "([a-z0-9_.]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	n := 0
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			msg, ok := messages[m[1]]
			require.True(t, ok, "%s uses %q, which has no text", f, m[1])
			require.NotEmpty(t, strings.TrimSpace(msg[0]), m[1])
			require.NotEmpty(t, strings.TrimSpace(msg[1]), m[1])
			n++
		}
	}
	require.Greater(t, n, 50)
	for _, stage := range []string{"applied", "screening", "hold", "invited", "interview", "live_round", "review", "offer", "onboarding",
		"probation", "completed", "rejected", "expired", "withdrawn", "offer_declined", "cancelled", "deletion_requested"} {
		require.Contains(t, messages, "stage."+stage)
		require.Contains(t, messages, "next."+stage)
	}
}
