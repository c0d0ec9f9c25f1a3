package accord

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNeedDisplayKeyPerson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		need   Need
		zh, en string
	}{
		{"names a person, typed in Chinese", Need{KeyPerson: "杨帆", KeyPersonName: "杨帆", KeyPersonNameEN: "Yang Fan"}, "杨帆", "Yang Fan"},
		{"names a person, typed in English", Need{KeyPerson: "Yang Fan", KeyPersonName: "杨帆", KeyPersonNameEN: "Yang Fan"}, "杨帆", "Yang Fan"},
		{"names a person with no English name", Need{KeyPerson: "杨帆", KeyPersonName: "杨帆"}, "杨帆", "杨帆"},
		{"names no one", Need{KeyPerson: "外部顾问"}, "外部顾问", "外部顾问"},
		{"empty", Need{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.zh, tt.need.DisplayKeyPerson("zh"))
			require.Equal(t, tt.en, tt.need.DisplayKeyPerson(LocaleEN))
		})
	}
}
