package activities

import "github.com/hireflow/hireflow/internal/seal"

func newToken() string { return seal.RandomToken() }
