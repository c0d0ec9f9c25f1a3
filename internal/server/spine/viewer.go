package spine

import (
	"context"

	"accord/internal/accord"
)

type viewerKey struct{}

// WithViewer puts the signed-in user (by session or token) into ctx.
func WithViewer(ctx context.Context, v *accord.Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the signed-in user, or nil.
func ViewerFrom(ctx context.Context) *accord.Viewer {
	v, _ := ctx.Value(viewerKey{}).(*accord.Viewer)
	return v
}
