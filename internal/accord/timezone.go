package accord

import "strings"

// TimeZones lists the zones a person may choose to read times in, as IANA names.
// Leaving the choice empty follows the company's zone (ACCORD_TIME_ZONE).
func TimeZones() []string {
	return []string{
		"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
		"Asia/Kolkata", "Asia/Dubai", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Moscow",
		"America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Australia/Sydney", "UTC",
	}
}

// ValidTimeZone reports whether s is a zone a person may choose ("" follows the
// company's).
func ValidTimeZone(s string) bool {
	if s == "" {
		return true
	}
	for _, z := range TimeZones() {
		if z == s {
			return true
		}
	}
	return false
}

// TimeZoneMessageID names a zone's translated label in the settings list.
func TimeZoneMessageID(zone string) string {
	return "tz_" + strings.ToLower(strings.ReplaceAll(zone, "/", "_"))
}
