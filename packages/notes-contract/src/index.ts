// The notes API's contract: the schemas the API validates with, the routes its handlers are typed from, and the
// OpenAPI document the gateway publishes. A package, not a part of apps/api, so the gateway and web images carry it
// without carrying the API (apps are leaves: ADR 0110).
export * from './contract.ts';
export * from './schemas.ts';
