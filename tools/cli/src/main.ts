#!/usr/bin/env node
import { runCli } from './cli.ts';

// `homelab ... | head` closes the pipe early; that is the reader's choice, not a crash worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
