// Package openapi serves the TypeScript API's generated OpenAPI document (apps/api/src/routes/notes-contract.ts),
// exported to openapi.json by `node apps/api-go/src/export-openapi.ts`; a test fails when the file drifts.
package openapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

//go:embed openapi.json
var document []byte

// Document is /openapi.json, byte for byte what the TypeScript API serves (JSON.stringify's compact form): the
// committed file may be formatted, compacting keeps every token as written.
var Document = compact(document)

func compact(src []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, src); err != nil {
		panic("openapi.json is not JSON: " + err.Error())
	}
	return out.Bytes()
}
