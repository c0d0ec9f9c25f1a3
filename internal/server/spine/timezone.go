package spine

import (
	"time"

	"accord/internal/accord"
)

// loadZones loads every zone a person may choose. One missing from the zone database
// is left out: a person who chose it reads the company's zone instead.
func loadZones() map[string]*time.Location {
	zones := map[string]*time.Location{}
	for _, name := range accord.TimeZones() {
		if loc, err := time.LoadLocation(name); err == nil {
			zones[name] = loc
		}
	}
	return zones
}

// Location is the zone a user reads times in: their own choice, else the company's.
func (s *Spine) Location(u accord.User) *time.Location {
	if loc, ok := s.zones[u.TimeZone]; ok {
		return loc
	}
	return s.Opts.Location
}

// InZone is *at read in loc, so its calendar day is loc's (nil stays nil).
func InZone(at *time.Time, loc *time.Location) *time.Time {
	if at == nil {
		return nil
	}
	t := at.In(loc)
	return &t
}
