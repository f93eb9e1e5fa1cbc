/**
 * The HTTP control of the sandbox, for tests that run the daemon as a child process and cannot
 * reach the in-process API:
 *
 *   POST   /_sandbox/faults    a fault spec (or an array of them) as JSON → 201 { faults }
 *   GET    /_sandbox/faults    → 200 { faults }   (what is still queued)
 *   DELETE /_sandbox/faults    → 200 { faults: [] }
 *   GET    /_sandbox/charges   → 200 the ChargeLedger report
 *   GET    /_sandbox/personality → 200 { personality: NAME, ...params }
 *   PUT    /_sandbox/personality   { personality: NAME, ...params } → 200 as GET; 400 naming the
 *                               problem (and nothing changed). New payments follow it from now on.
 *
 * The server only listens on 127.0.0.1, and these routes also refuse any non-loopback peer, so
 * they can never be reached from the network even if the bind address were changed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChargeLedger } from './charges.js';
import { parseFault, type FaultControl } from './faults.js';
import { JSON_TYPE, isLoopback, readBody, send } from './http.js';
import { parsePersonality, type PersonalityControl } from './personality.js';

export const CONTROL_PREFIX = '/_sandbox/';

export interface ControlTarget {
  faults: FaultControl;
  charges: ChargeLedger;
  personality: PersonalityControl;
  serverNowMs: () => number;
}

function reply(res: ServerResponse, status: number, value: unknown, nowMs: number): void {
  send(res, status, JSON_TYPE, JSON.stringify(value), nowMs);
}

const NOT_JSON = Symbol('not JSON');

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readBody(req)) as unknown;
  } catch {
    return NOT_JSON;
  }
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  target: ControlTarget,
): Promise<void> {
  const now = target.serverNowMs();
  if (!isLoopback(req.socket.remoteAddress)) {
    reply(res, 403, { error: 'sandbox control is loopback-only' }, now);
    return;
  }
  const route = `${req.method ?? ''} ${path}`;
  switch (route) {
    case 'GET /_sandbox/charges':
      reply(res, 200, target.charges.report(), now);
      return;
    case 'GET /_sandbox/faults':
      reply(res, 200, { faults: target.faults.list() }, now);
      return;
    case 'DELETE /_sandbox/faults':
      target.faults.clear();
      reply(res, 200, { faults: [] }, now);
      return;
    case 'POST /_sandbox/faults': {
      const input = await jsonBody(req);
      if (input === NOT_JSON) {
        reply(res, 400, { error: 'body must be a JSON fault spec or an array of them' }, now);
        return;
      }
      const specs: unknown[] = Array.isArray(input) ? input : [input];
      // Check all before queuing any, so a bad array leaves the queue as it was.
      const parsed = specs.map((s) => parseFault(s));
      const bad = parsed.findIndex((p) => !p.ok);
      const badResult = parsed[bad];
      if (badResult !== undefined && !badResult.ok) {
        reply(res, 400, { error: `fault ${bad}: ${badResult.message}` }, now);
        return;
      }
      for (const p of parsed) if (p.ok) target.faults.inject(p.spec);
      reply(res, 201, { faults: target.faults.list() }, now);
      return;
    }
    case 'GET /_sandbox/personality':
      reply(res, 200, target.personality.current, now);
      return;
    case 'PUT /_sandbox/personality': {
      const input = await jsonBody(req);
      const parsed: ReturnType<typeof parsePersonality> =
        input === NOT_JSON
          ? { ok: false, message: 'body must be JSON: { "personality": NAME, ...params }' }
          : parsePersonality(input);
      if (!parsed.ok) {
        reply(res, 400, { error: parsed.message }, now);
        return;
      }
      reply(res, 200, target.personality.set(parsed.value), now);
      return;
    }
    default:
      reply(res, 404, { error: `no control route ${route}` }, now);
  }
}
