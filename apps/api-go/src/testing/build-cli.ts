import { goApiBinary } from './go-binary.ts';

/** `pnpm --filter @homelab/api-go build`: the static Go binary under .artifacts/api-go/. */
console.log(await goApiBinary());
