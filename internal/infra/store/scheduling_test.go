package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/rules"
)

// TestFiftyBookingsOfOneSlotOneWins races 50 candidates' bookings of the same interviewer at
// the same time on committed rows and separate connections: PostgreSQL's exclusion constraint
// lets exactly one through, and every other gets the coded slot_taken answer.
func TestFiftyBookingsOfOneSlotOneWins(t *testing.T) {
	cfg := testenv.Config(t, nil)
	box, err := seal.New(cfg.DataKey, cfg.HashKey)
	require.NoError(t, err)
	s, err := store.Open(ctx, cfg.DatabaseURL, box)
	require.NoError(t, err)
	defer s.Close()
	org, err := s.OrgCreate(ctx, "race-"+uuid.NewString()[:8], "Race")
	require.NoError(t, err)
	rec, err := s.UserCreate(ctx, org.ID, "rec@race.test", "Rec", hireflow.RoleRecruiter, "x")
	require.NoError(t, err)
	iv, err := s.UserCreate(ctx, org.ID, "iv@race.test", "Iv", hireflow.RoleInterviewer, "x")
	require.NoError(t, err)
	f := fixture{s: s, org: org, p: hireflow.Principal{OrgID: org.ID, UserID: rec.ID, Role: hireflow.RoleRecruiter}, job: demo.BackendJob()}
	c, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: f.job.ScreeningRule}})
	require.Empty(t, errs)
	require.NoError(t, s.JobCreate(ctx, f.p, &f.job, c))
	var interviews []string
	for i := 0; i < 50; i++ {
		app := f.apply(t, fmt.Sprintf("c%d@race.test", i))
		v, err := s.InterviewEnsure(ctx, org.ID, app.ID, 1, 45)
		require.NoError(t, err)
		interviews = append(interviews, v.ID)
	}
	at := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	var wg sync.WaitGroup
	results := make([]error, len(interviews))
	start := make(chan struct{})
	for i, id := range interviews {
		wg.Add(1)
		go func(i int, id string) {
			defer wg.Done()
			<-start
			// Each candidate's slot starts at a slightly different minute: the buffers make them collide.
			st := at.Add(time.Duration(i%5) * time.Minute)
			_, results[i] = s.Book(ctx, org.ID, id, 0, []store.SlotRow{{UserID: iv.ID, Start: st, End: st.Add(45 * time.Minute),
				BufferBefore: 10 * time.Minute, BufferAfter: 10 * time.Minute}}, "")
		}(i, id)
	}
	close(start)
	wg.Wait()
	won := 0
	var losers []string // interviews without a booking, for the holds below
	for i, err := range results {
		if err == nil {
			won++
			continue
		}
		losers = append(losers, interviews[i])
		require.True(t, errors.Is(err, store.ErrSlotTaken), "the loser is told the time was taken: %v", err)
		require.Equal(t, "slot_taken", hireflow.AsError(err).Code)
	}
	require.Equal(t, 1, won, "exactly one booking")
	busy, err := s.SlotsBusy(ctx, org.ID, []string{iv.ID}, at.Add(-time.Hour), at.Add(2*time.Hour))
	require.NoError(t, err)
	require.Len(t, busy, 1)

	// A hold of one interview blocks another interview's hold of the same time, and releasing
	// it frees the time.
	later := at.Add(24 * time.Hour)
	row := []store.SlotRow{{UserID: iv.ID, Choice: 1, Start: later, End: later.Add(time.Hour)}}
	require.NoError(t, s.SlotsHold(ctx, org.ID, losers[0], later.Add(time.Hour), row))
	require.ErrorIs(t, s.SlotsHold(ctx, org.ID, losers[1], later.Add(time.Hour), row), store.ErrSlotTaken)
	n, err := s.SlotsRelease(ctx, org.ID, losers[0], "hold", "expired")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	require.NoError(t, s.SlotsHold(ctx, org.ID, losers[1], later.Add(time.Hour), row))
	got, err := s.InterviewGet(ctx, org.ID, losers[1])
	require.NoError(t, err)
	require.Equal(t, "offered", got.Status)
	require.Len(t, got.Choices, 1)
	b, err := s.Book(ctx, org.ID, losers[1], 1, nil, "https://meet.example/x")
	require.NoError(t, err)
	require.True(t, b.Start.Equal(later))
	got, err = s.InterviewGet(ctx, org.ID, losers[1])
	require.NoError(t, err)
	require.Equal(t, "booked", got.Status)
	require.Equal(t, 1, got.Sequence)
	require.Empty(t, got.Choices, "the holds became the booking")
	require.Equal(t, []string{iv.ID}, got.Interviewers)
	_, err = s.Book(ctx, org.ID, losers[2], 1, nil, "")
	require.Equal(t, "choice_not_held", hireflow.AsError(err).Code)
	_, err = s.InterviewGet(ctx, uuid.NewString(), losers[1])
	require.Equal(t, hireflow.KindNotFound, hireflow.ErrorKind(err), "another organisation's interview is not found")
}
