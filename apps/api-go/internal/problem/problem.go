// Package problem answers RFC 9457 problem+json bodies in the service kit's exact shape (type, title, status,
// instance, detail, requestId, then extensions), so a client cannot tell which implementation answered.
package problem

import (
	"net/http"

	"github.com/homelab/homelab/apps/api-go/internal/jsonx"
)

// ContentType is the media type of every problem body.
const ContentType = "application/problem+json"

// Extra is one extension member, already JSON-encoded; kept in a slice so the order is the TypeScript one.
type Extra struct {
	Key  string
	JSON []byte
}

// Error is a problem a handler returns; the server renders it.
type Error struct {
	Status int
	Title  string
	Detail string
	// HasDetail distinguishes an absent detail from an empty one.
	HasDetail bool
	Extra     []Extra
}

func (e *Error) Error() string {
	if e.HasDetail {
		return e.Title + ": " + e.Detail
	}
	return e.Title
}

// New is a problem with a detail.
func New(status int, title, detail string, extra ...Extra) *Error {
	return &Error{Status: status, Title: title, Detail: detail, HasDetail: true, Extra: extra}
}

// Body builds the JSON body. instance is the request path as the TypeScript API reports it.
func Body(status int, title, detail string, hasDetail bool, instance, requestID string, extra []Extra) []byte {
	o := jsonx.NewObject().String("type", "about:blank").String("title", title).Int("status", int64(status)).
		String("instance", instance)
	if hasDetail {
		o.String("detail", detail)
	}
	if requestID != "" {
		o.String("requestId", requestID)
	}
	for _, e := range extra {
		o.Raw(e.Key, e.JSON)
	}
	return o.Bytes()
}

// Write sends the problem.
func Write(w http.ResponseWriter, e *Error, instance, requestID string) {
	body := Body(e.Status, e.Title, e.Detail, e.HasDetail, instance, requestID, e.Extra)
	w.Header().Set("content-type", ContentType)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

var titles = map[int]string{
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
	408: "Request Timeout", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
	422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout",
}

// Title is the service kit's title for a status (statusTitle in service-app.ts).
func Title(status int) string {
	if t, ok := titles[status]; ok {
		return t
	}
	if status >= 500 {
		return "Server Error"
	}
	return "Error"
}
