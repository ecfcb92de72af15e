import { reasonAnnotationPrefix } from '../src/constructs/exemptions.ts';
import { objectId } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';

/** Every checker exemption on every object carries a written reason. */
export const exemptionsHaveReasons: Guard = (objects) =>
  objects.flatMap((o) => {
    const annotations = o.metadata.annotations ?? {};
    const reason = (check: string) => (annotations[`${reasonAnnotationPrefix}${check}`] ?? '').trim().length >= 20;
    const problems: string[] = [];
    for (const check of (annotations['kube-score/ignore'] ?? '').split(',').filter(Boolean)) {
      if (!reason(check)) problems.push(`${objectId(o)}: kube-score ${check} ignored without a reason`);
    }
    for (const [key, value] of Object.entries(annotations)) {
      const polaris = /^polaris\.fairwinds\.com\/(.+)-exempt$/.exec(key);
      if (polaris?.[1] && !reason(polaris[1]))
        problems.push(`${objectId(o)}: polaris ${polaris[1]} exempt without a reason`);
      if (key.startsWith('ignore-check.kube-linter.io/') && value.trim().length < 20) {
        problems.push(`${objectId(o)}: ${key} without a reason`);
      }
      if (key.startsWith('checkov.io/skip') && !/^CKV[A-Z0-9_]+=.{20,}/.test(value)) {
        problems.push(`${objectId(o)}: ${key} without a reason`);
      }
    }
    return problems;
  });
