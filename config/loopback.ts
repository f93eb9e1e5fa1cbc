import { isIP } from 'node:net';

/**
 * True for host names and addresses that never leave this machine: `localhost`, 127.0.0.0/8, ::1
 * and IPv4-mapped 127.x (how a dual-stack socket reports a loopback peer).
 */
export function isLoopbackHost(hostOrAddress: string): boolean {
  const host = hostOrAddress.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host === 'localhost.') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}
