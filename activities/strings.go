package activities

import "strings"

func toLower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
