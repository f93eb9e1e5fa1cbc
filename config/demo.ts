/**
 * The embedded demo gateway (`gateway.url: sandbox`) answers like the payment service but moves no
 * money. A kiosk on it must never pass for a real one: `run` takes it only with `--demo` (the
 * simulator always is a demo), and every receipt it prints is marked as a demo.
 */
import type { ConfigProblem } from './load.js';
import type { Config } from './schema.js';

/** The demo gateway's app key (public, like its secret: the sandbox moves no money). */
export const DEMO_APP_KEY = '12345678';

/** The `gateway.url` value that starts the embedded demo gateway on loopback. */
export const DEMO_GATEWAY = 'sandbox';

export function isDemo(config: Pick<Config, 'gateway'>): boolean {
  return config.gateway.url === DEMO_GATEWAY;
}

/** Why `run` refuses a demo config given without `--demo`, as a problem naming key and value. */
export function demoRefusal(config: Pick<Config, 'gateway'>, demoFlag: boolean): ConfigProblem | undefined {
  if (!isDemo(config) || demoFlag) return undefined;
  return {
    key: 'gateway.url',
    value: JSON.stringify(config.gateway.url),
    expected:
      'the embedded demo gateway takes no real money: set the real gateway URL, ' +
      'or start a demo kiosk with `xpos-agent run --demo`',
  };
}

/** What `config check` adds for a valid demo config: it is valid, but `run` needs `--demo`. */
export function demoNote(config: Pick<Config, 'gateway'>): string | undefined {
  if (!isDemo(config)) return undefined;
  return `note: gateway.url is ${JSON.stringify(DEMO_GATEWAY)}, the embedded demo gateway (no real money): \`xpos-agent run\` needs --demo`;
}

/** `--demo` with a real gateway would take real money while the operator believes it is a demo. */
export function demoFlagMisuse(config: Pick<Config, 'gateway'>): string | undefined {
  if (isDemo(config)) return undefined;
  return `--demo: gateway.url is ${JSON.stringify(config.gateway.url)}, a real gateway; --demo only starts a demo kiosk on gateway.url: ${DEMO_GATEWAY} (remove --demo to take real payments)`;
}
