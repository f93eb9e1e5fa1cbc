/**
 * The sandbox gateway as its own child process, so its charge ledger (the ground truth of what
 * money moved) outlives every daemon the harness kills; and its HTTP control on loopback.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ChargeReport } from '../../agent/sandbox/charges.js';
import type { FaultSpec } from '../../agent/sandbox/faults.js';
import type { Personality, PersonalitySpec } from '../../agent/sandbox/personality.js';
import { LineProcess } from './procs.js';

export interface SandboxProcess {
  /** `http://127.0.0.1:PORT/router/rest`, the daemon's `gateway.url`. */
  url: string;
  control: SandboxControl;
  process: LineProcess;
}

export const CHAOS_APP_KEY = 'chaos-app';

/**
 * Write a 0600 secret file (the daemon refuses any other mode) and start the sandbox with it,
 * under `--personality NAME`; params other than the defaults are then set over the control route.
 */
export async function startSandbox(
  main: string,
  dir: string,
  personality: PersonalitySpec = { personality: 'today' },
  /** 0 picks a free port; a given one restarts a gateway where the daemon expects it. */
  port = 0,
): Promise<SandboxProcess> {
  const secretFile = join(dir, 'app-secret');
  writeFileSync(secretFile, 'chaos-harness-secret\n', { mode: 0o600 });
  const proc = new LineProcess(process.execPath, [
    main,
    'sandbox',
    '--port',
    String(port),
    '--app-key',
    CHAOS_APP_KEY,
    '--secret-file',
    secretFile,
    '--personality',
    personality.personality,
  ]);
  const url = await proc.waitFor(
    (line) => /^sandbox gateway: (http:\/\/127\.0\.0\.1:\d+\S*)$/.exec(line)?.[1],
    30_000,
  );
  if (url === undefined) {
    proc.kill('SIGKILL');
    throw new Error(`the sandbox did not print its URL within 30 s: ${proc.stderrTail}`);
  }
  const control = new SandboxControl(new URL(url).origin);
  if (Object.keys(personality).length > 1) await control.setPersonality(personality);
  return { url, control, process: proc };
}

const chargeReport = z.object({
  charges: z.number(),
  totalFen: z.number(),
  byOutBizId: z.record(
    z.string(),
    z.object({ count: z.number(), amountFen: z.number(), status: z.string() }),
  ),
  duplicates: z.array(z.string()),
});

export type Charges = z.infer<typeof chargeReport>;
// The report comes over HTTP; this fails to compile when the server's type drifts from the schema.
const _sameShape: ChargeReport extends Charges ? true : never = true;

export class SandboxControl {
  readonly #origin: string;

  constructor(origin: string) {
    if (!origin.startsWith('http://127.0.0.1:')) throw new Error(`not a loopback sandbox: ${origin}`);
    this.#origin = origin;
  }

  async inject(faults: readonly FaultSpec[]): Promise<void> {
    if (faults.length === 0) return;
    await this.#call('POST', '/_sandbox/faults', JSON.stringify(faults), 201);
  }

  async setPersonality(spec: PersonalitySpec): Promise<Personality> {
    return (await this.#call('PUT', '/_sandbox/personality', JSON.stringify(spec), 200)) as Personality;
  }

  async clear(): Promise<void> {
    await this.#call('DELETE', '/_sandbox/faults', undefined, 200);
  }

  /** Reading the report also settles pending demo payments whose time has come. */
  async charges(): Promise<Charges> {
    return chargeReport.parse(await this.#call('GET', '/_sandbox/charges', undefined, 200));
  }

  async #call(method: string, path: string, body: string | undefined, want: number): Promise<unknown> {
    const res = await fetch(`${this.#origin}${path}`, {
      method,
      signal: AbortSignal.timeout(5_000),
      ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    if (res.status !== want) throw new Error(`sandbox ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  }
}
