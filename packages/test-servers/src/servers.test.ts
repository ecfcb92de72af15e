import net from 'node:net';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { realServersRequired } from './env.ts';
import { createDatabase, postgresAvailable, startPostgres } from './postgres.ts';
import { redisAvailable, startRedis } from './redis.ts';

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe.runIf(postgresAvailable() || realServersRequired())('throwaway PostgreSQL', () => {
  it('serves the shared server and creates isolated databases', async () => {
    const url = await createDatabase(inject('postgresServerUrl'));
    await query(url, 'CREATE TABLE t (v int)');
    const rows = await query(url, 'SELECT current_database() AS db');
    expect(rows[0].db).toMatch(/^test_/);
  });

  it('keeps committed rows across a crash and restart', async () => {
    const server = await startPostgres();
    try {
      await query(server.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
      await server.stop('immediate');
      await expect(query(server.url, 'SELECT 1')).rejects.toThrow();
      await server.start();
      expect(await query(server.url, 'SELECT v FROM kept')).toEqual([{ v: 42 }]);
    } finally {
      await server.destroy();
    }
  });
});

describe.runIf(redisAvailable() || realServersRequired())('throwaway Redis', () => {
  it('answers PING and vanishes when killed', async () => {
    const server = await startRedis();
    const ping = () =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.write('PING\r\n'));
        socket.once('data', (d) => {
          resolve(d.toString());
          socket.destroy();
        });
        socket.once('error', reject);
      });
    expect(await ping()).toBe('+PONG\r\n');
    await server.kill();
    await expect(ping()).rejects.toThrow();
    await server.start();
    expect(await ping()).toBe('+PONG\r\n');
    await server.stop();
  });
});
