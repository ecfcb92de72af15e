import { data } from '@homelab/platform';
import { CronExpressionParser } from 'cron-parser';
import { MigrationJob } from '../src/constructs/migration-job.ts';
import { objectId } from '../src/manifests.ts';
import { platformParts } from '../src/platform-app.ts';
import type { Guard } from './cross-references.ts';

/**
 * What the batch objects mean, not what their fields are named: which Jobs run when the manifests are applied,
 * whether a CronJob's schedule ever fires (and often enough for the data it keeps), and whether two of its runs
 * can overlap. The API server accepts all of these broken (suspend is optional, any parseable cron is valid).
 */

/**
 * The Jobs allowed to run on every apply: the ones the constructs build as idempotent (the schema migration).
 * Taken from the constructs, not from the objects under test, so a mutated object cannot widen it.
 */
let runOnApplyNames: Set<string> | undefined;
const runOnApply = (): Set<string> => {
  runOnApplyNames ??= new Set(
    platformParts({ outdir: 'unused' })
      .app.node.findAll()
      .filter((c): c is MigrationJob => c instanceof MigrationJob)
      .map((c) => c.name),
  );
  return runOnApplyNames;
};

/**
 * Every other Job is committed suspended: applying the manifests must never start it (the restore Job would
 * restore the newest dump over the live database on every `pulumi up`). An absent `suspend` means false.
 */
export const oneShotJobsSuspended: Guard = (objects) => {
  const allowed = runOnApply();
  return objects
    .filter((o) => o.kind === 'Job' && !allowed.has(o.metadata.name))
    .flatMap((o) =>
      o.spec?.suspend === true ? [] : [`${objectId(o)}: not suspended, so every apply runs it (suspend: true)`],
    );
};

/** A year of fire times shows any gap a retention in days can miss; a leap-day-only schedule never fires in it. */
const horizonDays = 366;
const dayMs = 24 * 3600 * 1000;
const horizonStart = new Date('2026-01-01T00:00:00Z');

// cron-parser takes about a millisecond per fire time; every mutation case re-runs the guards on the same schedule.
const fireTimesCache = new Map<string, Date[]>();

/** The fire times of a CronJob schedule from `start` over `days`, as Kubernetes reads it (5 fields, in its time zone). */
export const fireTimes = (schedule: string, timeZone: string | undefined, start: Date, days: number): Date[] => {
  const cacheKey = `${schedule}|${timeZone}|${start.toISOString()}|${days}`;
  const cached = fireTimesCache.get(cacheKey);
  if (cached) return cached;
  const expression = CronExpressionParser.parse(schedule, {
    currentDate: start,
    endDate: new Date(start.getTime() + days * dayMs),
    tz: timeZone ?? 'Etc/UTC',
  });
  const times: Date[] = [];
  while (expression.hasNext() && times.length < 100_000) times.push(expression.next().toDate());
  fireTimesCache.set(cacheKey, times);
  return times;
};

/**
 * Every CronJob's schedule parses and fires, and never leaves longer between two runs than the backups are kept:
 * a gap longer than the retention would delete the last dump before the next one is written (30 February parses
 * in some tools and never fires; 29 February fires once in four years).
 */
export const cronJobsFireInTime: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'CronJob')
    .flatMap((o) => {
      const { schedule, timeZone } = o.spec ?? {};
      let times: Date[];
      try {
        // From a fixed instant, so the verdict does not depend on the day the test runs.
        times = fireTimes(String(schedule), timeZone, horizonStart, horizonDays);
      } catch (error) {
        return [`${objectId(o)}: schedule "${schedule}" does not parse: ${(error as Error).message}`];
      }
      if (times.length === 0) return [`${objectId(o)}: schedule "${schedule}" does not fire within a year`];
      const maxGapMs = data.postgres.backupRetentionDays * dayMs;
      const points = [horizonStart, ...times];
      for (let i = 1; i < points.length; i++) {
        const gap = (points[i]?.getTime() ?? 0) - (points[i - 1]?.getTime() ?? 0);
        if (gap > maxGapMs)
          return [
            `${objectId(o)}: schedule "${schedule}" leaves ${Math.round(gap / dayMs)} days between runs, more than the ${data.postgres.backupRetentionDays}-day retention`,
          ];
      }
      return [];
    });

/**
 * A CronJob never runs twice at once (two dumps racing, or a slow run overlapping the next): concurrencyPolicy
 * Forbid (the default, Allow, lets them overlap; Replace kills a running dump), and each run's deadline ends it
 * before the next fire time.
 */
export const cronJobsNeverOverlap: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'CronJob')
    .flatMap((o) => {
      const problems: string[] = [];
      if (o.spec?.concurrencyPolicy !== 'Forbid')
        problems.push(
          `${objectId(o)}: concurrencyPolicy ${o.spec?.concurrencyPolicy ?? '(default Allow)'}, not Forbid`,
        );
      const deadline = o.spec?.jobTemplate?.spec?.activeDeadlineSeconds;
      if (deadline === undefined) problems.push(`${objectId(o)}: a run has no activeDeadlineSeconds`);
      else {
        try {
          const times = fireTimes(String(o.spec.schedule), o.spec.timeZone, horizonStart, horizonDays);
          const minGap = Math.min(...times.slice(1).map((t, i) => t.getTime() - (times[i]?.getTime() ?? 0)));
          if (deadline * 1000 >= minGap)
            problems.push(`${objectId(o)}: a run may last ${deadline}s, as long as the ${minGap / 1000}s to the next`);
        } catch {
          // cronJobsFireInTime reports a schedule that does not parse.
        }
      }
      return problems;
    });

/**
 * Kubernetes may never schedule a CronJob whose startingDeadlineSeconds is below 10 s (its controller checks every
 * 10 s); a suspended one never fires at all, whatever its schedule (issue 17's audit).
 */
const minStartingDeadlineSeconds = 10;

/** Every CronJob fires: not suspended, and any starting deadline at least 10 s. */
export const cronJobsActive: Guard = (objects) =>
  objects
    .filter((o) => o.kind === 'CronJob')
    .flatMap((o) => {
      const deadline = o.spec?.startingDeadlineSeconds;
      return [
        ...(o.spec?.suspend === true ? [`${objectId(o)}: suspended, so it never fires`] : []),
        ...(deadline !== undefined && !(deadline >= minStartingDeadlineSeconds)
          ? [
              `${objectId(o)}: startingDeadlineSeconds ${deadline} < ${minStartingDeadlineSeconds} may never be scheduled`,
            ]
          : []),
      ];
    });

export const jobGuards: Record<string, Guard> = {
  oneShotJobsSuspended,
  cronJobsFireInTime,
  cronJobsNeverOverlap,
  cronJobsActive,
};
