/// <reference types="k6" />
// The canary gate's synthetic evidence (ADR 0130): read-only, tagged with the gate's header, so the services label
// it traffic="synthetic" (left out of the user-facing SLOs, counted by the gate). The gate prints the rate it needs:
// k6 run packages/canary-gate/k6/synthetic.ts -e BASE_URL=https://api.example -e API_KEY=... -e SYNTHETIC_RPS=17
import { optionsFor, request } from './common.ts';

export const options = optionsFor('synthetic', Number(__ENV.SYNTHETIC_RPS ?? 0));

export default function () {
  request('synthetic');
}
