import { createSocket } from 'node:dgram';
import * as packet from 'dns-packet';

/**
 * Test-only: a resolver on loopback that answers by name: `ok.*` NOERROR with an A record, `missing.*` NXDOMAIN,
 * `broken.*` SERVFAIL, `silent.*` never answers. Real DNS packets on a real UDP socket, so the client under test
 * goes through its whole resolver path.
 */
export async function startDnsServer(): Promise<{ address: string; queries: string[]; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    const query = packet.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    queries.push(`${question.type} ${question.name}`);
    const label = question.name.split('.')[0];
    if (label === 'silent') return;
    // RCODE values from RFC 1035 4.1.1 (dns-packet decodes them but exports no encoder for them).
    const rcode = label === 'missing' ? 3 : label === 'broken' ? 2 : 0;
    const answers: packet.Answer[] =
      label === 'ok' && question.type === 'A'
        ? [{ type: 'A', name: question.name, ttl: 60, class: 'IN', data: '10.1.2.3' }]
        : [];
    const response = packet.encode({
      id: query.id,
      type: 'response',
      // RD copied and RA set, as a recursive resolver does; rcode in the low bits of the flags.
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | rcode,
      questions: query.questions,
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
