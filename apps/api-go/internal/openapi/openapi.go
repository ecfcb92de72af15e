// Package openapi serves the TypeScript API's generated OpenAPI document (apps/api/src/routes/notes-contract.ts),
// exported to openapi.json by `node apps/api-go/src/export-openapi.ts`; a test fails when the file drifts.
package openapi

import _ "embed"

// Document is /openapi.json, byte for byte what the TypeScript API serves.
//
//go:embed openapi.json
var Document []byte
