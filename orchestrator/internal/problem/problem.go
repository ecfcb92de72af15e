// Package problem writes RFC 9457 problem+json error bodies, the one error shape of the agent's and the API
// server's HTTP APIs.
package problem

import (
	"encoding/json"
	"net/http"
)

// Write sends a problem+json response.
func Write(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail,
	})
}

// DecodeJSON reads a JSON body strictly (unknown fields refused, 1 MiB at most); false after writing a 400.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		Write(w, http.StatusBadRequest, "body: "+err.Error())
		return false
	}
	return true
}

// JSON sends v as JSON.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
