import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger, turnBatched } from './logger.ts';

/** A destination that records each write it receives, and each flush. */
function recorder() {
  const writes: string[] = [];
  const events: string[] = [];
  return {
    writes,
    events,
    write(chunk: Buffer) {
      writes.push(chunk.toString('utf8'));
    },
    flush(callback?: (error?: Error | null) => void) {
      events.push('flush');
      callback?.(null);
    },
    flushSync() {
      events.push('flushSync');
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('turnBatched', () => {
  it('hands the lines of one event-loop turn to the destination as one write, in order', async () => {
    const target = recorder();
    const batched = turnBatched(target);
    batched.write('a\n');
    batched.write('b\n');
    batched.write('c\n');
    expect(target.writes).toEqual([]);
    await nextTurn();
    expect(target.writes).toEqual(['a\nb\nc\n']);
    batched.write('d\n');
    await nextTurn();
    expect(target.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes pending lines before flushing, synchronously or not', () => {
    const target = recorder();
    const batched = turnBatched(target);
    batched.write('last words\n');
    batched.flushSync();
    expect(target.writes).toEqual(['last words\n']);
    expect(target.events).toEqual(['flushSync']);
    batched.write('more\n');
    batched.flush();
    expect(target.writes).toEqual(['last words\n', 'more\n']);
    expect(target.events).toEqual(['flushSync', 'flush']);
  });

  it('keeps pino lines whole and ordered through a logger', async () => {
    const target = recorder();
    const logger = createLogger({ service: 'svc', version: '1', destination: turnBatched(target) });
    logger.info({ n: 1 }, 'first ✓');
    logger.warn({ password: 'hunter2' }, 'second');
    await nextTurn();
    expect(target.writes).toHaveLength(1);
    const lines = (target.writes[0] ?? '')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.msg, l.level, l.service])).toEqual([
      ['first ✓', 'info', 'svc'],
      ['second', 'warn', 'svc'],
    ]);
    expect(lines[1].password).toBe('[redacted]');
  });
});

describe('the default stdout destination', () => {
  it('delivers every line in order, including those logged right before process.exit()', async () => {
    // A child process, because the default destination is file descriptor 1 and flushes in an exit handler.
    const script = `
      import { createLogger } from ${JSON.stringify(new URL('./logger.ts', import.meta.url).href)};
      const logger = createLogger({ service: 'child', version: '1' });
      for (let i = 0; i < 3000; i++) logger.info({ i }, 'burst');
      await new Promise((resolve) => setTimeout(resolve, 20));
      logger.info({ i: 3000 }, 'last');
      process.exit(0);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      maxBuffer: 16 << 20,
    });
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { i: number; msg: string });
    expect(lines).toHaveLength(3001);
    expect(lines.every((line, index) => line.i === index)).toBe(true);
    expect(lines.at(-1)?.msg).toBe('last');
  });
});
