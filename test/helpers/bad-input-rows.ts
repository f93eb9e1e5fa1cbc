/**
 * The bad inputs of test/integration/bad-input.test.ts, one row each: the files a row's folder
 * holds, the command line, stdin, and the exit code and stderr messages it must give.
 */
const USAGE = 64;
const DATAERR = 65;
const CONFIG = 78;

const STORE = 'store: { store_id: "333333", cashier_id: "346753", cashier_name: 张丽, machine_id: K01 }\n';
const REAL = (extra = ''): string =>
  `gateway: { url: "https://gw.example.com/router/rest", app_key: "12345678"${extra} }\n${STORE}`;

export interface Row {
  name: string;
  args: string[];
  /** Files written into the row's folder first: name → content (mode 0600 unless `modes` says). */
  files?: Record<string, string>;
  modes?: Record<string, number>;
  /** Folders to create (a secret_file or --config that is a directory). */
  dirs?: string[];
  /** Piped to stdin (the simulator's script). */
  input?: string;
  /** Added to the environment; `DIR` in a value becomes the row's folder. */
  env?: Record<string, string>;
  /** Run as this uid (the owner check needs a user who is not root). */
  uid?: number;
  code: number;
  stderr: RegExp[];
  /** How often the first stderr pattern may appear (default: at least once). */
  once?: boolean;
}

export const rows: Row[] = [
  // --- config files: per key, exit 78, in config check and run alike --------------------------
  {
    name: 'gateway.url that is no URL',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: "not a url", app_key: "1" }\n${STORE}` },
    code: CONFIG,
    stderr: [/gateway\.url: "not a url" — expected an https:\/\/ URL or "sandbox"/, /1 problem\(s\)/],
  },
  {
    name: 'run with a gateway.url that is no URL',
    args: ['run', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: "not a url", app_key: "1" }\n${STORE}` },
    code: CONFIG,
    stderr: [/gateway\.url: "not a url" — expected an https:\/\/ URL/],
  },
  {
    name: 'gateway.url that is a number, beside other problems',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': 'gateway: { url: 12345 }\n' },
    code: CONFIG,
    stderr: [
      /gateway\.url: 12345 — expected an https:\/\/ URL or "sandbox"/,
      /gateway\.app_key: \(missing\)/,
      /store: \(missing\)/,
    ],
  },
  {
    name: 'an ftp URL is reported once',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: "ftp://gw.example.com/", app_key: "1" }\n${STORE}` },
    code: CONFIG,
    stderr: [/gateway\.url: "ftp:\/\/gw\.example\.com\/"/, /ftp is not supported/],
    once: true,
  },
  {
    name: 'plain http to a remote host',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: "http://gw.example.com/", app_key: "1" }\n${STORE}` },
    code: CONFIG,
    stderr: [/plain http only to 127\.0\.0\.1/],
    once: true,
  },
  {
    name: 'an unquoted numeric app_key',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: sandbox, app_key: 12345678 }\n${STORE}` },
    code: CONFIG,
    stderr: [/gateway\.app_key: 12345678 — .*quote it: '12345678'/],
  },
  {
    name: 'an unquoted numeric store_id',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: {
      'c.yaml':
        'gateway: { url: sandbox, app_key: "1" }\nstore: { store_id: 333333, cashier_id: "3", cashier_name: a, machine_id: K01 }\n',
    },
    code: CONFIG,
    stderr: [/store\.store_id: 333333 — .*quote it: '333333'/],
  },
  {
    name: 'an empty config file',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': '' },
    code: CONFIG,
    stderr: [/the file is empty/, /1 problem\(s\)/],
  },
  {
    name: 'a config file of blank lines',
    args: ['run', '--config', 'c.yaml'],
    files: { 'c.yaml': '\n  \n\n' },
    code: CONFIG,
    stderr: [/the file is empty/],
  },
  {
    name: 'a missing config file',
    args: ['config', 'check', '--config', 'nope.yaml'],
    code: CONFIG,
    stderr: [/\(file\): nope\.yaml — a readable YAML file \(ENOENT\)/],
  },
  {
    name: 'a config path that is a folder',
    args: ['config', 'check', '--config', 'conf.d'],
    dirs: ['conf.d'],
    code: CONFIG,
    stderr: [/a readable YAML file \(EISDIR\)/],
  },
  {
    name: 'a YAML syntax error',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': 'gateway: { url: sandbox\nstore: [\n' },
    code: CONFIG,
    stderr: [/\(line \d+\): valid YAML/],
  },
  {
    name: 'a key given twice',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: {
      'c.yaml': `gateway: { url: sandbox, app_key: "1" }\ngateway: { url: sandbox, app_key: "1" }\n${STORE}`,
    },
    code: CONFIG,
    stderr: [/valid YAML: Map keys must be unique/],
  },
  {
    name: 'a list where the config mapping belongs',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': '- gateway\n- store\n' },
    code: CONFIG,
    stderr: [/\(top level\)/],
  },
  {
    name: 'a misspelt key',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: sandbox, app_key: "1", sign_methd: md5 }\n${STORE}` },
    code: CONFIG,
    stderr: [/gateway\.sign_methd: unknown key/],
  },
  {
    name: 'an unknown time zone',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: {
      'c.yaml': `gateway: { url: sandbox, app_key: "1" }\n${STORE}kiosk: { time_zone: Mars/Olympus }\n`,
    },
    code: CONFIG,
    stderr: [/kiosk\.time_zone: "Mars\/Olympus" — an IANA zone/],
  },
  {
    name: 'a machine_id with spaces',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: {
      'c.yaml':
        'gateway: { url: sandbox, app_key: "1" }\nstore: { store_id: "3", cashier_id: "3", cashier_name: a, machine_id: "K 01" }\n',
    },
    code: CONFIG,
    stderr: [/store\.machine_id: "K 01" — expected 1-16 letters/],
  },
  // --- the app secret: config check judges it as run does ------------------------------------
  {
    name: 'a group-readable secret file (config check)',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(', secret_file: DIR/secret'), secret: 's3cret\n' },
    modes: { secret: 0o644 },
    code: CONFIG,
    stderr: [/gateway\.secret_file: .*secret has mode 0644 — expected no group\/world access \(chmod 600/],
  },
  {
    name: 'a group-readable secret file (run)',
    args: ['run', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(', secret_file: DIR/secret'), secret: 's3cret\n' },
    modes: { secret: 0o644 },
    code: CONFIG,
    stderr: [/gateway\.secret_file: .*secret has mode 0644 — expected no group\/world access/],
  },
  {
    name: 'an empty secret file',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(', secret_file: DIR/secret'), secret: '\n' },
    code: CONFIG,
    stderr: [/gateway\.secret_file: .*secret is empty — expected the app secret/],
  },
  {
    name: 'a missing secret file',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(', secret_file: DIR/no-secret') },
    code: CONFIG,
    stderr: [/no-secret cannot be read \(ENOENT\) — expected a file holding the app secret/],
  },
  {
    name: 'a secret file that is a folder',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(', secret_file: DIR/secret.d') },
    dirs: ['secret.d'],
    code: CONFIG,
    stderr: [/gateway\.secret_file: .*secret\.d has mode 0\d\d\d|secret\.d cannot be read \(EISDIR\)/],
  },
  {
    name: 'a world-readable systemd credential',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(), 'creds/app-secret': 's3cret\n' },
    modes: { 'creds/app-secret': 0o644 },
    env: { CREDENTIALS_DIRECTORY: 'DIR/creds' },
    code: CONFIG,
    stderr: [/\$CREDENTIALS_DIRECTORY\/app-secret: .*has mode 0644/],
  },
  {
    name: 'an empty systemd credential',
    args: ['config', 'check', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL(), 'creds/app-secret': '' },
    env: { CREDENTIALS_DIRECTORY: 'DIR/creds' },
    code: CONFIG,
    stderr: [/\$CREDENTIALS_DIRECTORY\/app-secret: .*is empty/],
  },
  ...(process.geteuid?.() === 0
    ? [
        {
          name: 'a secret file owned by another user',
          args: ['config', 'check', '--config', 'c.yaml'],
          files: { 'c.yaml': REAL(', secret_file: DIR/secret'), secret: 's3cret\n' },
          modes: { 'c.yaml': 0o644 },
          uid: 65534,
          code: CONFIG,
          stderr: [/secret is owned by uid 1234 — expected the user running the agent \(uid 65534\) or root/],
        } satisfies Row,
      ]
    : []),
  // --- the command line: usage message, exit 64 ----------------------------------------------
  // Every row here: a first line `xpos-agent: …` naming the problem, then the usage text when the
  // command line does not parse, or the hint `(xpos-agent --help for usage)` for a bad value
  // (bad-input.test.ts checks it for each exit-64 row).
  { name: 'no arguments', args: [], code: USAGE, stderr: [/no command given/, /usage: xpos-agent/] },
  {
    name: 'an unknown option alone',
    args: ['--bogus'],
    code: USAGE,
    stderr: [/unknown option --bogus/, /usage:/],
  },
  { name: 'an unknown command', args: ['frob'], code: USAGE, stderr: [/unknown command: frob/, /usage:/] },
  {
    name: 'config without check',
    args: ['config'],
    code: USAGE,
    stderr: [/^xpos-agent: config needs a subcommand: check$/m, /usage:/],
  },
  {
    name: 'queue without a subcommand',
    args: ['queue'],
    code: USAGE,
    stderr: [/^xpos-agent: queue needs one of: list, show ID, report, export$/m, /usage:/],
  },
  {
    name: 'queue with only options',
    args: ['queue', '--json'],
    code: USAGE,
    stderr: [/^xpos-agent: queue needs one of: list, show ID, report, export$/m],
  },
  {
    name: 'ledger without a subcommand',
    args: ['ledger'],
    code: USAGE,
    stderr: [/^xpos-agent: ledger needs one of: backup \[DEST\], restore BACKUP$/m, /usage:/],
  },
  {
    name: 'an unknown ledger subcommand',
    args: ['ledger', 'explode'],
    code: USAGE,
    stderr: [/^xpos-agent: unknown command: ledger explode; ledger needs one of: backup/m],
  },
  {
    name: 'a misspelt subcommand',
    args: ['config', 'chek'],
    code: USAGE,
    stderr: [/unknown command: config chek/],
  },
  {
    name: 'an unknown queue subcommand',
    args: ['queue', 'frob'],
    code: USAGE,
    stderr: [/unknown command: queue frob; queue needs one of: list, show ID, report, export/],
  },
  {
    name: 'an option the command does not take',
    args: ['queue', 'list', '--bogus'],
    code: USAGE,
    stderr: [/queue list: unknown option --bogus/],
  },
  {
    name: 'run --state-dir (sim only)',
    args: ['run', '--state-dir', 'x'],
    code: USAGE,
    stderr: [/run: unknown option --state-dir/],
  },
  {
    name: 'queue show without an id',
    args: ['queue', 'show'],
    code: USAGE,
    stderr: [/queue show: ID missing/],
  },
  { name: 'reprint without an id', args: ['reprint'], code: USAGE, stderr: [/reprint: ID\|last missing/] },
  {
    name: 'reprint with two ids',
    args: ['reprint', 'a', 'b'],
    code: USAGE,
    stderr: [/reprint: unexpected argument "b"/],
  },
  {
    name: 'an argument run does not take',
    args: ['run', 'now'],
    code: USAGE,
    stderr: [/run: unexpected argument "now"/],
  },
  {
    name: '--config without a value',
    args: ['config', 'check', '--config'],
    code: USAGE,
    stderr: [/option --config needs a value/],
  },
  {
    name: 'a value for a flag',
    args: ['doctor', '--json=yes'],
    code: USAGE,
    stderr: [/option --json takes no value/],
  },
  {
    name: 'a port out of range',
    args: ['sandbox', '--port', '99999'],
    code: USAGE,
    stderr: [
      /^xpos-agent: sandbox: --port: "99999" — expected a port number, 0\.\.65535 \(xpos-agent --help/m,
    ],
  },
  {
    name: 'a port that is no number',
    args: ['sandbox', '--port', 'abc'],
    code: USAGE,
    stderr: [/^xpos-agent: sandbox: --port: "abc" — expected a port number, 0\.\.65535/m],
  },
  {
    name: 'a port with a letter in it',
    args: ['sandbox', '--port', '80x'],
    code: USAGE,
    stderr: [/^xpos-agent: sandbox: --port: "80x" — expected a port number/m],
  },
  {
    name: 'an unknown sandbox personality',
    args: ['sandbox', '--personality', 'nope'],
    code: USAGE,
    stderr: [/^xpos-agent: sandbox: --personality: unknown personality "nope"; one of: today, /m],
  },
  {
    name: 'an unknown queue status (told before the config is read)',
    args: ['queue', 'list', '--status', 'bogus', '--config', 'absent.yaml'],
    code: USAGE,
    stderr: [/^xpos-agent: queue list --status: unknown status "bogus"; one of: created, sent, /m],
  },
  {
    name: 'an empty sale id',
    args: ['queue', 'show', '', '--config', 'c.yaml', '--state-dir', 'st'],
    files: { 'c.yaml': `gateway: { url: sandbox, app_key: "1" }\n${STORE}` },
    code: USAGE,
    stderr: [/^xpos-agent: queue show: ID is empty — expected a sale id/m],
  },
  {
    name: 'run --demo with a real gateway',
    args: ['run', '--demo', '--config', 'c.yaml'],
    files: { 'c.yaml': REAL() },
    code: USAGE,
    stderr: [
      /^xpos-agent: run: --demo: gateway\.url is "https:\/\/gw\.example\.com\/router\/rest", a real gateway/m,
    ],
  },
  {
    name: 'an unknown option of a fleet command',
    args: ['ledger', 'backup', '--bogus'],
    code: USAGE,
    stderr: [/^xpos-agent: ledger backup: unknown option --bogus$/m, /usage:/],
  },
  {
    name: 'a bad --keep',
    args: ['ledger', 'backup', '--keep', '0'],
    code: USAGE,
    stderr: [/^xpos-agent: ledger backup: --keep: "0" — expected a whole number of copies, 1\.\.365/m],
  },
  {
    name: 'ledger restore without a backup',
    args: ['ledger', 'restore'],
    code: USAGE,
    stderr: [/^xpos-agent: ledger restore: BACKUP missing/m, /usage:/],
  },
  {
    name: 'an argument queue export does not take',
    args: ['queue', 'export', 'today'],
    code: USAGE,
    stderr: [/^xpos-agent: queue export: unexpected argument "today"$/m],
  },
  {
    name: 'an unknown export format',
    args: [
      'queue',
      'export',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-02',
      '--format',
      'xml',
      '--config',
      'c.yaml',
    ],
    files: { 'c.yaml': `gateway: { url: sandbox, app_key: "1" }\n${STORE}` },
    code: USAGE,
    stderr: [
      /^xpos-agent: queue export: --format: "xml" — expected csv or json \(xpos-agent --help for usage\)$/m,
    ],
  },
  {
    name: 'an export without --from',
    args: ['queue', 'export', '--to', '2024-05-02', '--config', 'c.yaml'],
    files: { 'c.yaml': `gateway: { url: sandbox, app_key: "1" }\n${STORE}` },
    code: USAGE,
    stderr: [/^xpos-agent: queue export: --from: missing/m],
  },
  // --- piped simulator script: exit 65 naming the line -------------------------------------------
  {
    name: 'wait with no number',
    args: ['sim', '--state-dir', 'st'],
    input: 'wait abc\n',
    code: DATAERR,
    stderr: [/script line 1: "wait abc" — wait needs whole milliseconds/],
  },
  {
    name: 'an unknown key after a comment',
    args: ['sim', '--state-dir', 'st'],
    input: '# a member\nkey 1 Z\n',
    code: DATAERR,
    stderr: [/script line 2: "key 1 Z" — unknown key "Z"/],
  },
  {
    name: 'an unknown script command',
    args: ['sim', '--state-dir', 'st'],
    input: 'key A\nfrobnicate\n',
    code: DATAERR,
    stderr: [/script line 2: "frobnicate" — unknown command "frobnicate"/],
  },
  {
    name: 'a wait too long to be meant',
    args: ['sim', '--state-dir', 'st'],
    input: 'wait 9999999\n',
    code: DATAERR,
    stderr: [/script line 1: .* wait at most 120000 ms/],
  },
  {
    name: 'an unknown demo code',
    args: ['sim', '--state-dir', 'st'],
    input: '\ndemo z\n',
    code: DATAERR,
    stderr: [/script line 2: "demo z" — unknown demo code "z"/],
  },
  {
    name: 'scan with no code',
    args: ['sim', '--state-dir', 'st'],
    input: 'scan\n',
    code: DATAERR,
    stderr: [/script line 1: "scan" — scan needs a code/],
  },
];
