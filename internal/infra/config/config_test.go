package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := LoadWith(lookup(nil))
	require.NoError(t, err)
	require.Equal(t, "development", c.Env)
	require.Len(t, c.DataKey, 32)
	require.EqualValues(t, 10<<20, c.MaxResumeBytes)
	require.Equal(t, "http://127.0.0.1:8080", c.PublicURL)
}

func TestProductionRefusesDefaultSecrets(t *testing.T) {
	_, err := LoadWith(lookup(map[string]string{"HIREFLOW_ENV": "production"}))
	require.Error(t, err)
	for _, want := range []string{"HIREFLOW_DATA_KEY", "HIREFLOW_HASH_KEY", "HIREFLOW_S3_SECRET_KEY", "https://"} {
		require.Contains(t, err.Error(), want)
	}
	_, err = LoadWith(lookup(map[string]string{"HIREFLOW_ENV": "production",
		"HIREFLOW_DATA_KEY":      "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlYzE=",
		"HIREFLOW_HASH_KEY":      "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlYzI=",
		"HIREFLOW_S3_SECRET_KEY": "a-real-secret", "HIREFLOW_PUBLIC_URL": "https://jobs.example.com"}))
	require.NoError(t, err)
}

func TestBadValues(t *testing.T) {
	_, err := LoadWith(lookup(map[string]string{"HIREFLOW_INVITE_REMINDER_AFTER": "soon", "HIREFLOW_DATA_KEY": "short",
		"HIREFLOW_SMTP_TLS": "maybe", "HIREFLOW_MAX_RESUME_MB": "0"}))
	require.Error(t, err)
	for _, want := range []string{"HIREFLOW_INVITE_REMINDER_AFTER", "HIREFLOW_DATA_KEY", "HIREFLOW_SMTP_TLS", "HIREFLOW_MAX_RESUME_MB"} {
		require.Contains(t, err.Error(), want)
	}
}

func TestFileAndEnvPrecedence(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hireflow.env")
	require.NoError(t, os.WriteFile(p, []byte("# comment\nHIREFLOW_TASK_QUEUE=from-file\nexport HIREFLOW_S3_BUCKET=\"files\"\n"), 0o600))
	c, err := LoadWith(lookup(map[string]string{"HIREFLOW_CONFIG_FILE": p, "HIREFLOW_S3_BUCKET": "from-env"}))
	require.NoError(t, err)
	require.Equal(t, "from-file", c.TaskQueue)
	require.Equal(t, "from-env", c.S3Bucket)

	require.NoError(t, os.WriteFile(p, []byte("NOT_OURS=1\n"), 0o600))
	_, err = LoadWith(lookup(map[string]string{"HIREFLOW_CONFIG_FILE": p}))
	require.ErrorContains(t, err, "line 1")
}
