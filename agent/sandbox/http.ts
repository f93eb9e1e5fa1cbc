/**
 * Small HTTP helpers for the sandbox: body reading with a limit, TOP param merging, and replies
 * that always carry the gateway clock's `Date` (the client learns its clock offset from it).
 */
import { isLoopbackHost } from '../../config/loopback.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** TOP bodies are a few hundred bytes; anything near this is not a kiosk talking. */
export const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {
  constructor() {
    super(`request body over ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLarge';
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Query and form body merged, as the TOP gateway does (system params often ride in the URL and
 * `param0` in the body). A key in both takes the body's value. A body of another content type is
 * not read as params, so a client posting JSON sees the same refusal it would in production.
 */
export function topParams(url: URL, contentType: string | undefined, body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const isForm = contentType === undefined || /^application\/x-www-form-urlencoded\b/i.test(contentType);
  if (isForm && body !== '') {
    for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  }
  return params;
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  serverNowMs: number,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    Date: new Date(serverNowMs).toUTCString(),
    'Content-Type': contentType,
    'Content-Length': bytes.length,
  });
  res.end(bytes);
}

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const HTML_TYPE = 'text/html;charset=UTF-8';

export const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
  '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';

/** What a hotel or mall Wi-Fi answers instead of the gateway until someone accepts its terms. */
export const CAPTIVE_PORTAL_HTML =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Wi-Fi 登录</title></head>' +
  '<body><h1>欢迎使用免费 Wi-Fi</h1><p>请先登录后再访问网络。</p>' +
  '<form method="post" action="/login"><input name="phone"><button>登录</button></form></body></html>';

/** Where a control request came from; the control routes answer loopback peers only. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && isLoopbackHost(address);
}
