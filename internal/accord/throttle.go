package accord

import "time"

// Sign-in throttling protects people, not addresses. Failures are counted per account
// (from anywhere), per account and client address, and, for an address trying many
// accounts (spraying), the accounts it failed on. Behind a load balancer a whole
// company may share one address, so the address's own limit is high and never
// blocks an account that has not failed: a person who types their password right
// the first time is never stopped by someone else's failures. A success clears the
// account's failures.
const (
	// LoginFreeFailuresPerAccountAddress: guesses at one account from one address.
	LoginFreeFailuresPerAccountAddress = 5
	// LoginFreeFailuresPerAccount: guesses at one account from many addresses.
	LoginFreeFailuresPerAccount = 20
	// LoginFreeAccountsPerAddress: accounts one address may fail on before its
	// attempts at accounts that have failed are slowed too.
	LoginFreeAccountsPerAddress = 100
	LoginFailureWindow          = 15 * time.Minute
	loginFirstDelay             = 30 * time.Second
	loginMaxDelay               = 15 * time.Minute
)

// LoginFailureCounts are the failures within LoginFailureWindow that bear on one
// sign-in attempt.
type LoginFailureCounts struct {
	Account        int       // failures for the account, from any address
	AccountAddress int       // of which from this attempt's address
	AddressSpray   int       // distinct accounts this address failed on
	Last           time.Time // the latest failure of the account (or, with none, of the address)
}

// LoginDelay is how long a sign-in must still wait, given the failures that bear on
// it: a few free attempts per account and address, more per account, and an
// address's spraying only once the account itself has failed. Each failure past the
// free ones doubles the wait, up to 15 minutes.
func LoginDelay(c LoginFailureCounts, now time.Time) time.Duration {
	over := max(c.AccountAddress-LoginFreeFailuresPerAccountAddress, c.Account-LoginFreeFailuresPerAccount)
	if c.Account > 0 {
		over = max(over, c.AddressSpray-LoginFreeAccountsPerAddress)
	}
	if over < 0 {
		return 0
	}
	delay := loginFirstDelay
	for i := 0; i < over && delay < loginMaxDelay; i++ {
		delay *= 2
	}
	delay = min(delay, loginMaxDelay)
	if wait := c.Last.Add(delay).Sub(now); wait > 0 {
		return wait
	}
	return 0
}
