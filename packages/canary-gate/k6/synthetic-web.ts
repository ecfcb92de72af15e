/// <reference types="k6" />
// The canary gate's synthetic evidence for a web canary (ADR 0130): the load-test identity signs in and reads its
// notes page, tagged; web counts the tag only on that identity's session. The gate prints the rate it needs:
// k6 run packages/canary-gate/k6/synthetic-web.ts -e BASE_URL=https://notes.example -e WEB_PASSWORD=... -e SYNTHETIC_RPS=17
import { optionsFor, request, signIn } from './common.ts';

export const options = optionsFor('synthetic-web', Number(__ENV.SYNTHETIC_RPS ?? 0));

export function setup() {
  return signIn('synthetic-web');
}

export default function (session: { cookie: string }) {
  request('synthetic-web', session);
}
