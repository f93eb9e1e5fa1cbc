import t from 'tap';
import { banMs, classifyPay, classifyQuery } from '../../agent/pay/classify.js';

const PAY = 'alibaba_alisports_lianbei_xpos_pay_response';
const QUERY = 'alibaba_alisports_lianbei_xpos_querystatus_response';

/** A pay reply with the given `result` (as JSON text, so big numbers stay raw). */
function payReply(result: string, key = PAY): string {
  return `{"${key}":{"result":${result},"request_id":"trace-9"}}`;
}
function model(fields: string, success = 'true'): string {
  return `{"success":${success},"msg_code":"OK","http_status_code":200,"model":{${fields}}}`;
}
function errorReply(fields: string): string {
  return `{"error_response":{${fields},"request_id":"trace-e"}}`;
}

t.test('a confirmed payment is success with every id exact and the gateway trace id', (t) => {
  const body = payReply(
    model(
      '"success":true,"result_status":1,"checkout_id":"co-1","biz_order_id":1234567890123456789,' +
        '"payment_order_id":"po-1","current_pay_fee":1990,"buyer_id":2088123412341234567',
    ),
  );
  t.same(classifyPay(200, body), {
    kind: 'success',
    traceId: 'trace-9',
    value: {
      checkoutId: 'co-1',
      bizOrderId: '1234567890123456789',
      paymentOrderId: 'po-1',
      currentPayFee: 1990,
      buyerId: '2088123412341234567',
    },
  });
  t.end();
});

t.test('the simplify=true root form is accepted like the wrapped one', (t) => {
  const body = `{"result":${model('"success":true,"result_status":1,"checkout_id":"co-1"')},"request_id":"tr"}`;
  t.match(classifyPay(200, body), { kind: 'success', value: { checkoutId: 'co-1' }, traceId: 'tr' });
  t.end();
});

t.test('result_status 2 is declined and 3 is pending with the ids needed to ask again', (t) => {
  const declined = classifyPay(
    200,
    payReply(model('"success":false,"result_status":2,"result_code":"BALANCE","result_message":"余额不足"')),
  );
  t.match(declined, {
    kind: 'declined',
    error: { subCode: 'BALANCE', subMsg: '余额不足', traceId: 'trace-9' },
  });
  t.match(classifyPay(200, payReply(model('"success":true,"result_status":3,"checkout_id":"co-3"'))), {
    kind: 'pending',
    value: { checkoutId: 'co-3' },
  });
  const pending = classifyPay(200, payReply(model('"success":true,"result_status":3')));
  t.notMatch(pending, { error: { subCode: 'OK' } }, "a successful call's msg_code is not a reason");
  t.end();
});

t.test('layers that contradict each other are malformed, never success', (t) => {
  const cases: [string, string][] = [
    ['model.success with result_status 2', payReply(model('"success":true,"result_status":2'))],
    ['model.success without result_status', payReply(model('"success":true'))],
    ['unknown result_status', payReply(model('"success":true,"result_status":9'))],
    ['result.success false with status 1', payReply(model('"result_status":1', 'false'))],
    ['model.success false with status 1', payReply(model('"success":false,"result_status":1'))],
    ['result.success without any model', payReply('{"success":true}')],
    ['result.success missing', payReply('{"model":{"success":true,"result_status":1}}')],
    ['http_status_code 500 with success', payReply('{"success":true,"http_status_code":500,"model":{}}')],
    ['the querystatus wrapper on a pay reply', payReply(model('"success":true,"result_status":1'), QUERY)],
    ['a wrapper that is not an object', `{"${PAY}":"ok"}`],
    ['no result object', `{"${PAY}":{"request_id":"x"}}`],
    ['an unknown envelope', '{"hello":"world"}'],
  ];
  for (const [name, body] of cases) t.equal(classifyPay(200, body).kind, 'malformed', name);
  t.end();
});

t.test(
  'result.success false without a payment status is declined, unless the service crashed (5xx inside)',
  (t) => {
    t.match(classifyPay(200, payReply('{"success":false,"msg_code":"PARAM_ERROR","msg_info":"bad"}')), {
      kind: 'declined',
      error: { subCode: 'PARAM_ERROR', subMsg: 'bad' },
    });
    t.match(classifyPay(200, payReply('{"success":false,"http_status_code":500,"msg_code":"SYS"}')), {
      kind: 'ambiguous',
    });
    t.end();
  },
);

t.test('gateway refusals before dispatch are rejected with the reason the caller acts on', (t) => {
  const cases: [number, string][] = [
    [31, 'clock'],
    [30, 'clock'],
    [25, 'signature'],
    [24, 'signature'],
    [29, 'app-key'],
    [28, 'app-key'],
    [11, 'platform'],
    [22, 'platform'],
  ];
  for (const [code, reason] of cases) {
    t.match(
      classifyPay(200, errorReply(`"code":${code},"msg":"m"`)),
      { kind: 'rejected', reason },
      `code ${code}`,
    );
  }
  t.match(
    classifyPay(200, errorReply('"code":11,"msg":"m","sub_code":"isv.permission-ip-whitelist-limit"')),
    {
      kind: 'rejected',
      reason: 'platform',
      error: { code: 11, subCode: 'isv.permission-ip-whitelist-limit', traceId: 'trace-e' },
    },
  );
  t.end();
});

t.test('code 7 is rate-limited and waits as long as the ban says', (t) => {
  const body = errorReply(
    '"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count",' +
      '"sub_msg":"This ban will last for 3 more seconds"',
  );
  t.same(classifyPay(200, body), {
    kind: 'rejected',
    reason: 'rate-limited',
    retryAfterMs: 3000,
    error: {
      code: 7,
      subCode: 'accesscontrol.limited-by-app-access-count',
      msg: 'App Call Limited',
      subMsg: 'This ban will last for 3 more seconds',
      traceId: 'trace-e',
    },
  });
  t.match(classifyPay(200, errorReply('"code":7,"msg":"App Call Limited"')), { retryAfterMs: 1000 });
  t.equal(banMs('This ban will last for 0 more seconds'), 1000);
  t.end();
});

t.test('isp.* sub-codes are ambiguous whatever the code, because the backend may have charged', (t) => {
  for (const code of [15, 50, 530, 7, 40]) {
    const body = errorReply(`"code":${code},"msg":"m","sub_code":"isp.top-remote-connection-timeout"`);
    t.match(classifyPay(200, body), { kind: 'ambiguous', error: { code } }, `code ${code}`);
  }
  t.end();
});

t.test('isv.* sub-codes and codes 40/41 decline a payment', (t) => {
  t.match(
    classifyPay(200, errorReply('"code":50,"msg":"m","sub_code":"isv.invalid-parameter","sub_msg":"非法"')),
    {
      kind: 'declined',
      error: { code: 50, subCode: 'isv.invalid-parameter', subMsg: '非法' },
    },
  );
  t.match(classifyPay(200, errorReply('"code":40,"msg":"Missing Required Arguments"')), { kind: 'declined' });
  t.match(classifyPay(200, errorReply('"code":41,"msg":"Invalid Arguments"')), { kind: 'declined' });
  t.match(classifyPay(200, errorReply('"code":530,"msg":"m","sub_code":"isv.missing-parameter:image"')), {
    kind: 'declined',
  });
  t.end();
});

t.test('codes 10, 15, 50 and >= 100 without a sub-code are ambiguous', (t) => {
  for (const code of [10, 15, 50, 530]) {
    t.equal(classifyPay(200, errorReply(`"code":${code},"msg":"m"`)).kind, 'ambiguous', `code ${code}`);
  }
  t.end();
});

t.test('an error_response without any code, or beside other keys, is malformed', (t) => {
  t.equal(classifyPay(200, '{"error_response":{"msg":"?"}}').kind, 'malformed');
  t.equal(classifyPay(200, `{"error_response":{"code":7},"${PAY}":{}}`).kind, 'malformed');
  t.end();
});

t.test('HTML, truncated JSON and non-objects are malformed and keep the HTTP status', (t) => {
  t.same(classifyPay(200, '<html><body>Wi-Fi login</body></html>'), {
    kind: 'malformed',
    reason: 'HTML or XML instead of JSON',
    httpStatus: 200,
    envelope: false,
  });
  t.match(classifyPay(200, `{"${PAY}":{"result":{"succ`), {
    kind: 'malformed',
    httpStatus: 200,
    envelope: false,
  });
  t.match(classifyPay(302, ''), { kind: 'malformed', httpStatus: 302 });
  t.match(classifyPay(200, '[1,2]'), { kind: 'malformed' });
  t.end();
});

t.test('a 5xx without a TOP body is ambiguous, but a TOP error inside a 5xx is still read', (t) => {
  t.match(classifyPay(502, '<html>Bad Gateway</html>'), { kind: 'ambiguous', reason: /HTTP 502/ });
  t.match(classifyPay(503, '{"message":"busy"}'), { kind: 'ambiguous' });
  t.match(classifyPay(500, errorReply('"code":25,"msg":"Invalid signature"')), {
    kind: 'rejected',
    reason: 'signature',
  });
  t.match(classifyPay(500, payReply(model('"success":true,"result_status":1'))), {
    kind: 'malformed',
    envelope: true,
    httpStatus: 500,
  });
  t.end();
});

function queryReply(status: string, extra = '', success = 'true'): string {
  return (
    `{"${QUERY}":{"result":{"success":${success},"model":{"checkout_status":"${status}","checkout_id":"co-1",` +
    `"out_biz_id":"ob-1","paid_fee":1990,"paid_time":"2024-01-01 12:00:00"${extra}}},"request_id":"tq"}}`
  );
}

t.test('querystatus SUCCEEDED is success, FAILED/CANCELED declined, INIT/PROCESSING pending', (t) => {
  t.same(classifyQuery(200, queryReply('SUCCEEDED')), {
    kind: 'success',
    traceId: 'tq',
    value: {
      checkoutStatus: 'SUCCEEDED',
      checkoutId: 'co-1',
      outBizId: 'ob-1',
      paidFee: 1990,
      paidTime: '2024-01-01 12:00:00',
    },
  });
  for (const s of ['FAILED', 'CANCELED']) {
    t.match(classifyQuery(200, queryReply(s)), { kind: 'declined', value: { checkoutStatus: s } }, s);
  }
  for (const s of ['INIT', 'PROCESSING']) {
    t.match(classifyQuery(200, queryReply(s)), { kind: 'pending', value: { checkoutStatus: s } }, s);
  }
  t.end();
});

t.test('querystatus with an unknown status, a success contradiction or the pay wrapper is malformed', (t) => {
  t.equal(classifyQuery(200, queryReply('DONE')).kind, 'malformed');
  t.equal(classifyQuery(200, queryReply('SUCCEEDED', ',"success":false')).kind, 'malformed');
  t.equal(classifyQuery(200, queryReply('SUCCEEDED', '', 'false')).kind, 'malformed');
  t.equal(classifyQuery(200, `{"${QUERY}":{"result":{"success":true,"model":{}}}}`).kind, 'malformed');
  t.equal(classifyQuery(200, payReply(model('"success":true,"result_status":1'))).kind, 'malformed');
  t.end();
});

t.test('a refused or failed status query is ambiguous, never a declined payment', (t) => {
  t.match(classifyQuery(200, errorReply('"code":50,"msg":"m","sub_code":"isv.invalid-parameter"')), {
    kind: 'ambiguous',
    error: { subCode: 'isv.invalid-parameter' },
  });
  t.match(classifyQuery(200, errorReply('"code":41,"msg":"Invalid Arguments"')), { kind: 'ambiguous' });
  t.match(classifyQuery(200, `{"${QUERY}":{"result":{"success":false,"msg_code":"NOT_FOUND"}}}`), {
    kind: 'ambiguous',
    error: { subCode: 'NOT_FOUND' },
  });
  t.match(classifyQuery(200, errorReply('"code":31,"msg":"Invalid timestamp"')), {
    kind: 'rejected',
    reason: 'clock',
  });
  t.end();
});
