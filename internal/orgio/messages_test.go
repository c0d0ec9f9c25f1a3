package orgio_test

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"accord/internal/orgio"
	"accord/web/i18n"
)

// TestEveryMessageExists: the reasons, columns and groups orgio names are in both
// catalogs (the catalogs' own test cannot see ids passed around as values).
func TestEveryMessageExists(t *testing.T) {
	b, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	known := b.MessageIDs(i18n.English)
	var ids []string
	re := regexp.MustCompile(`"((?:org_import|org_field|unit_code|field)_[a-z_]+)"`)
	for _, name := range []string{"plan.go", "read.go", "messages.go", "../accord/unit_code.go"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			ids = append(ids, m[1])
		}
	}
	for kind := range (orgio.Changes{}).Counts() {
		ids = append(ids, orgio.GroupMessageID(kind))
	}
	if len(ids) < 40 {
		t.Fatalf("found only %d ids: the scan is broken", len(ids))
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			t.Errorf("message %q is missing from the catalogs", id)
		}
	}
}
