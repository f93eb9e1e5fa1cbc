/**
 * One call to the gateway for a recorded sale — the first send, an identical replay, or a status
 * query — and the ledger change the decision table (`table.ts`) makes of its answer. Shared by the
 * member-facing loop, background resolution and forwarding of offline sales.
 *
 * Which tool resolves a sale that may have been charged: querystatus when a checkout id is known,
 * AND the identical replay of the pay call (same request_id, same param0 bytes), alternating,
 * because gateways differ: some complete a pending payment only when queried, some only on an
 * identical replay. Both are idempotent on a gateway that deduplicates by request_id. A replay
 * answered with a new checkout proves this gateway does not: replays stop for the rest of the run.
 */
import { asError, ErrorCode, isAgentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PayRequest, XposApi } from '../pay/types.js';
import { payAnswer, queryAnswer, type Answer, type Tool } from './answer.js';
import { addFlag, flagKinds } from './flags.js';
import type { SaleRecord } from './sale.js';
import type { SalePatch, SaleStore } from './store.js';
import { decide, type Decision } from './table.js';

export interface AttemptResult {
  sale: SaleRecord;
  answer: Answer;
  decision: Decision;
}

export class SaleAttempts {
  readonly #api: XposApi;
  readonly #store: SaleStore;
  readonly #log: Logger;
  readonly #wall: () => number;
  /** The last tool used per unresolved sale, so query and replay alternate. */
  readonly #lastTool = new Map<string, Tool>();
  readonly #unconfirmedDeclines = new Map<string, number>();
  #replaySafe = true;
  /** True while the last call could not reach the gateway at all. */
  #offline = false;

  /** A sale that ends final after its receipt was printed owes a result receipt. */
  readonly #resultReceipts: boolean;

  constructor(
    api: XposApi,
    store: SaleStore,
    log: Logger,
    wall: () => number,
    opts: { resultReceipts?: boolean } = {},
  ) {
    this.#api = api;
    this.#store = store;
    this.#log = log;
    this.#wall = wall;
    this.#resultReceipts = opts.resultReceipts ?? true;
  }

  get store(): SaleStore {
    return this.#store;
  }

  /** The kiosk is offline (every call just now ended `not-sent`) and should say so at once. */
  get offline(): boolean {
    return this.#offline;
  }

  /** False once the gateway answered a replay with a new checkout: from then on only querystatus. */
  get replaysSafe(): boolean {
    return this.#replaySafe;
  }

  async attempt(sale: SaleRecord, abort?: AbortSignal): Promise<AttemptResult> {
    const tool = this.#tool(sale);
    if (tool === undefined) return this.#unresolvable(sale);
    const answer = await this.#ask(tool, sale, abort);
    this.#offline = answer.kind === 'not-sent';
    this.#lastTool.set(sale.saleId, tool);
    let declines = this.#unconfirmedDeclines.get(sale.saleId) ?? 0;
    if (answer.kind === 'declined' && sale.status === 'pending') declines += 1;
    this.#unconfirmedDeclines.set(sale.saleId, declines);
    const decision = decide(answer, sale, { unconfirmedDeclines: declines });
    const attempts = sale.attempts + (tool === 'pay' ? 1 : 0);
    this.#log.info(
      {
        saleId: sale.saleId,
        tool,
        answer: answer.kind,
        history: decision.history,
        status: decision.status,
        attempt: attempts,
      },
      'payment step',
    );
    if (decision.flag !== undefined) {
      this.#log.error({ saleId: sale.saleId, outBizId: sale.outBizId, flag: decision.flag }, 'sale flagged');
      if (flagKinds(decision.flag).includes('double-charge') && this.#replaySafe) {
        this.#replaySafe = false;
        this.#log.error(
          'the gateway answered a replay with a new checkout: replays stop for this run, pending sales are checked by querystatus only',
        );
      }
    }
    if (decision.final) this.#forget(sale.saleId);
    return { answer, decision, sale: this.#record(sale, answer, decision, attempts) };
  }

  /** Final without any money moving: the request provably never reached the payment service. */
  refuse(sale: SaleRecord, reason: string): SaleRecord {
    this.#log.warn({ saleId: sale.saleId, reason }, 'sale refused before reaching the payment service');
    this.#forget(sale.saleId);
    return this.#store.update(sale.saleId, { status: 'refused', reason, updatedAt: this.#wall() });
  }

  #forget(saleId: string): void {
    this.#lastTool.delete(saleId);
    this.#unconfirmedDeclines.delete(saleId);
  }

  #tool(sale: SaleRecord): Tool | undefined {
    const canPay = sale.qrCode !== undefined;
    // Not yet possibly charged: the first send, or a resend of a request that never left.
    if (sale.status !== 'pending') return canPay ? 'pay' : undefined;
    const canReplay = canPay && this.#replaySafe;
    const checkout = sale.result?.checkoutId;
    if (checkout === undefined) return canReplay ? 'pay' : undefined;
    if (!canReplay) return 'query';
    return this.#lastTool.get(sale.saleId) === 'query' ? 'pay' : 'query';
  }

  async #ask(tool: Tool, sale: SaleRecord, abort?: AbortSignal): Promise<Answer> {
    const checkoutId = sale.result?.checkoutId;
    if (tool === 'query' && checkoutId !== undefined) {
      return queryAnswer(await this.#api.queryStatus({ checkoutId }, abort), sale, checkoutId);
    }
    const code = sale.qrCode ?? '';
    try {
      return payAnswer(await this.#api.pay(payRequest(sale, code), abort), sale);
    } catch (e) {
      // The client validates before sending: an invalid request provably never left.
      if (isAgentError(e, ErrorCode.RequestInvalid))
        return { kind: 'rejected', via: 'pay', reason: e.message };
      // Anything else is a bug somewhere after we may have sent: unknown, never guessed.
      this.#log.error({ saleId: sale.saleId, err: asError(e) }, 'pay call threw');
      return { kind: 'unknown', via: 'pay', reason: `client error: ${asError(e).message}` };
    }
  }

  /** No tool left: the code is gone, or replays are unsafe and no checkout is known. */
  #unresolvable(sale: SaleRecord): AttemptResult {
    const why =
      sale.qrCode === undefined
        ? 'unresolved and the code is no longer kept: reconcile manually'
        : 'replays are unsafe on this gateway and no checkout id is known: reconcile manually';
    const answer: Answer = { kind: 'unknown', via: 'pay', reason: why };
    const decision = decide(answer, sale, { unconfirmedDeclines: 0 });
    const flag = addFlag(sale.flag, 'unresolvable', why);
    const updated = flag === sale.flag ? sale : this.#store.update(sale.saleId, { flag });
    return { sale: updated, answer, decision };
  }

  /** Writes only what changed: a poll that learns nothing new costs no commit (SD cards wear). */
  #record(sale: SaleRecord, answer: Answer, d: Decision, attempts: number): SaleRecord {
    const trusted = answer.kind !== 'contradictory';
    const result =
      trusted && answer.result !== undefined
        ? {
            ...sale.result,
            ...answer.result,
            // The first checkout an answer gave stays the sale's: a later one is evidence in the flag.
            ...(sale.result?.checkoutId !== undefined && { checkoutId: sale.result.checkoutId }),
          }
        : undefined;
    const patch: SalePatch = {
      status: d.status,
      ...(result !== undefined && { result }),
      ...(trusted && answer.error !== undefined && { error: answer.error }),
      // A success writes its reason too ('paid', 'paid (querystatus)'): a patch cannot clear a
      // field, and an earlier answer's ('still PROCESSING') would otherwise outlive the sale's state.
      ...(d.status !== 'sent' && { reason: answer.reason }),
      ...(d.flag !== undefined && { flag: d.flag }),
      // The paper said pending or accepted offline: the result receipt is owed in the same commit,
      // so a crash cannot lose it.
      ...(d.final && sale.printed && this.#resultReceipts && { printed: false }),
    };
    const changed = (Object.keys(patch) as (keyof SalePatch)[]).some(
      (k) => JSON.stringify(patch[k]) !== JSON.stringify(sale[k]),
    );
    if (!changed && !d.final) return sale;
    return this.#store.update(sale.saleId, { ...patch, attempts, updatedAt: this.#wall() });
  }
}

export function payRequest(sale: SaleRecord, qrCode: string): PayRequest {
  return {
    negoPrice: sale.negoPrice,
    qrCode,
    requestId: sale.requestId,
    outBizId: sale.outBizId,
    storeId: sale.storeId,
    cashierId: sale.cashierId,
    cashierName: sale.cashierName,
    machineId: sale.machineId,
    ...(sale.itemId !== undefined && { itemId: sale.itemId }),
  };
}
