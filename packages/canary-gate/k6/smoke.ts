/// <reference types="k6" />
// k6 run packages/canary-gate/k6/smoke.ts -e BASE_URL=https://api.example -e API_KEY=...
// Thresholds are the gateway's SLOs (profile.json); k6 exits non-zero when one is crossed.
import { optionsFor, request } from './common.ts';

export const options = optionsFor('smoke');

export default function () {
  request('smoke');
}
