/** What other workspace packages use of the Go API: its binary, built once through Go's build cache. */
export { goApiBinary, goModuleDir } from './testing/go-binary.ts';
