package accord

import "time"

// Sign-in throttling: a few free attempts, then each further failure doubles the wait.
const (
	LoginFreeFailuresPerEmail = 5
	LoginFreeFailuresPerIP    = 20
	LoginFailureWindow        = 15 * time.Minute
	loginFirstDelay           = 30 * time.Second
	loginMaxDelay             = 15 * time.Minute
)

// LoginDelay is how long a sign-in must still wait, given the failures within
// LoginFailureWindow for the email and for the address, and when the last one was.
func LoginDelay(byEmail, byIP int, last, now time.Time) time.Duration {
	over := max(byEmail-LoginFreeFailuresPerEmail, byIP-LoginFreeFailuresPerIP)
	if over < 0 {
		return 0
	}
	delay := loginFirstDelay
	for i := 0; i < over && delay < loginMaxDelay; i++ {
		delay *= 2
	}
	delay = min(delay, loginMaxDelay)
	if wait := last.Add(delay).Sub(now); wait > 0 {
		return wait
	}
	return 0
}
