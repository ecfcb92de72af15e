import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, formatLogLine } from './log-lines.ts';

// A pino line as the services write it: JSON.stringify escapes the control characters, JSON.parse restores them.
const pinoLine = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: 1, pid: 7, hostname: 'h', service: 'gateway', version: 'local', ...fields });

describe('human-facing log lines', () => {
  it('cannot be forged by a CR LF in a logged request path', () => {
    const line = formatLogLine(pinoLine({ msg: 'request', path: '/v1/notes\r\nX-Injected: 1', status: 404 }));
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toBe('info request path="/v1/notes\\r\\nX-Injected: 1" status=404');
  });

  it('never passes a raw NUL, ESC or C1 control to the terminal, in JSON or in plain output', () => {
    const fromJson = formatLogLine(pinoLine({ msg: 'request', path: '/v1/notes\u0000\u001b[2J\u009b' }));
    const plain = formatLogLine('listening\u0000 \u001b]0;owned\u0007 done\u2028forged');
    for (const line of [fromJson, plain]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
    expect(fromJson).toContain('\\x00\\x1b[2J\\x9b');
    expect(plain).toBe('listening\\x00 \\x1b]0;owned\\x07 done\\u2028forged');
  });

  it("keeps a logged error's fields so a 500 shows its reason", () => {
    const line = formatLogLine(
      pinoLine({
        level: 50,
        msg: 'request failed',
        status: 500,
        err: { type: 'DatabaseError', message: 'relation "notes" does not exist', code: '42P01', stack: 'E\n at x' },
      }),
    );
    expect(line).toContain('error request failed status=500');
    expect(line).toContain('err.type=DatabaseError');
    expect(line).toContain('err.message="relation \\"notes\\" does not exist"');
    expect(line).toContain('err.code=42P01');
    expect(line).toContain('err.stack="E\\n at x"');
  });

  it('keeps a backslash that was in the text distinguishable from an escape it adds', () => {
    expect(escapeControlCharacters('a\\nb')).toBe('a\\\\nb');
    expect(escapeControlCharacters('a\nb')).toBe('a\\nb');
  });
});
