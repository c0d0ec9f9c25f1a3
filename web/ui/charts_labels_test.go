package ui

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFitLabelsKeepsLabelsApart(t *testing.T) {
	labels := []string{
		"Customer management system development, phase 1",
		"Customer management system development, phase 2",
		"Customer data analysis",
		"客户管理系统开发与上线推广（第一期）",
		"客户管理系统开发与上线推广（第二期）",
		"Short",
		"Short",
	}
	got := fitLabels(len(labels), func(i int) string { return labels[i] }, chartLabelW-20)
	require.Equal(t, "Short", got[5])
	require.Equal(t, got[5], got[6], "the same label stays the same")
	require.Equal(t, "Customer data analysis", got[2], "a label that fits stays whole")
	seen := map[string]int{}
	for i, g := range got[:5] {
		require.LessOrEqual(t, textWidth(g), chartLabelW-20, "%q fits", g)
		if j, ok := seen[g]; ok {
			t.Fatalf("%q and %q both drawn as %q", labels[j], labels[i], g)
		}
		seen[g] = i
	}
	require.Contains(t, got[0], "phase 1")
	require.Contains(t, got[1], "phase 2")
	require.Contains(t, got[3], "第一期")
}
