import { realServersRequired } from '@homelab/test-servers';

/**
 * Whether a test needing a real tool should run: yes when it is installed; when it is not, skip with a visible
 * notice on a laptop, and fail under CI=true, where a skipped proof proves nothing.
 */
export function toolAvailable(name: string, path: string | undefined): boolean {
  if (path) return true;
  if (realServersRequired()) throw new Error(`${name} is required under CI=true but is not installed`);
  console.warn(`[observability] ${name} not installed: skipping the tests that need it (apt-get install prometheus)`);
  return false;
}
