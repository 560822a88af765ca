package activities

import "github.com/hireflow/hireflow/internal/infra/seal"

func newToken() string { return seal.RandomToken() }
