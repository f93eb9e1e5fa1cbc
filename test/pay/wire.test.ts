import t from 'tap';
import { ErrorCode } from '../../agent/errors.js';
import type { PayRequest } from '../../agent/pay/types.js';
import {
  buildForm,
  parseLossless,
  queryParams,
  sendableParams,
  serializeParam0,
} from '../../agent/pay/wire.js';

const base: PayRequest = {
  negoPrice: '1990',
  qrCode: '28761234567890123456',
  requestId: 'r-0001',
  outBizId: 'ob-0001',
  storeId: 's-1',
  cashierId: 'c-1',
  cashierName: '张丽',
};

t.test('param0 uses the snake_case keys of the API doc and omits absent optional fields', (t) => {
  const json = serializeParam0(base);
  t.equal(
    json,
    '{"nego_price":"1990","qr_code":"28761234567890123456","request_id":"r-0001","out_biz_id":"ob-0001",' +
      '"cashier_name":"张丽","cashier_id":"c-1","store_id":"s-1"}',
  );
  t.notMatch(json, /null|machine_id|item_id/);
  t.end();
});

t.test('item_id is a JSON number and machine_id is included when given', (t) => {
  const parsed = JSON.parse(serializeParam0({ ...base, itemId: 42, machineId: 'k-07' })) as Record<
    string,
    unknown
  >;
  t.equal(parsed['item_id'], 42);
  t.equal(parsed['machine_id'], 'k-07');
  t.equal(typeof parsed['nego_price'], 'string');
  t.end();
});

t.test('a blank machine_id is omitted rather than sent empty', (t) => {
  t.notMatch(serializeParam0({ ...base, machineId: ' ' }), /machine_id/);
  t.end();
});

t.test('the same request always serialises to the same bytes', (t) => {
  t.equal(serializeParam0({ ...base, itemId: 7 }), serializeParam0({ ...base, itemId: 7 }));
  t.end();
});

t.test(
  'a request that cannot be valid is refused before anything is built, without echoing the code',
  (t) => {
    t.throws(() => serializeParam0({ ...base, qrCode: '' }), { code: ErrorCode.RequestInvalid });
    t.throws(() => serializeParam0({ ...base, itemId: 1.5 }), { code: ErrorCode.RequestInvalid });
    t.throws(() => serializeParam0({ ...base, negoPrice: '-1' }), { code: ErrorCode.RequestInvalid });
    t.throws(() => serializeParam0({ ...base, storeId: '' }), { code: ErrorCode.RequestInvalid });
    try {
      serializeParam0({ ...base, negoPrice: 'x' });
    } catch (e) {
      t.notMatch(String(e), /28761234567890123456/);
    }
    t.end();
  },
);

t.test('query params carry the ids as strings and leave out the ones not given', (t) => {
  t.same(queryParams({ checkoutId: 'co-1' }), { checkout_id: 'co-1' });
  t.same(queryParams({ bizOrderId: '1234567890123456789' }), { biz_order_id: '1234567890123456789' });
  t.same(queryParams({ checkoutId: 'co-1', bizOrderId: '' }), { checkout_id: 'co-1' });
  t.throws(() => queryParams({}), { code: ErrorCode.RequestInvalid });
  t.throws(() => queryParams({ bizOrderId: '12a' }), { code: ErrorCode.RequestInvalid });
  t.end();
});

t.test('empty and whitespace-only params are dropped from what is signed and sent', (t) => {
  t.same(sendableParams({ a: '1', b: '', c: '  ', d: undefined }), { a: '1' });
  t.equal(buildForm({ b: '2', a: '1', c: '', d: undefined }), 'a=1&b=2');
  t.end();
});

t.test('the form body percent-encodes UTF-8 and round-trips every value exactly', (t) => {
  const param0 = serializeParam0({ ...base, cashierName: '张 丽&=+%' });
  const body = buildForm({ param0, timestamp: '2016-01-01 12:00:00' });
  t.notMatch(body, /[ 张]/);
  const back = new URLSearchParams(body);
  t.equal(back.get('param0'), param0);
  t.equal(back.get('timestamp'), '2016-01-01 12:00:00');
  t.end();
});

t.test('ids of 18 and 19 digits stay exact strings while small numbers become numbers', (t) => {
  const v = parseLossless(
    '{"biz_order_id":1234567890123456789,"buyer_id":208812341234123456,"fee":1990,"rate":0.5,"neg":-3}',
  );
  t.same(v, {
    biz_order_id: '1234567890123456789',
    buyer_id: '208812341234123456',
    fee: 1990,
    rate: 0.5,
    neg: -3,
  });
  t.end();
});

t.test('the largest safe integer is still a number and the next one is a string', (t) => {
  t.same(parseLossless('[9007199254740991,9007199254740993]'), [9007199254740991, '9007199254740993']);
  t.end();
});

t.test('truncated JSON, HTML and duplicate keys with different values are syntax errors', (t) => {
  t.throws(() => parseLossless('{"a":{"b":1'), SyntaxError);
  t.throws(() => parseLossless('<html><body>Login</body></html>'), SyntaxError);
  t.throws(() => parseLossless('{"a":1,"a":2}'), SyntaxError);
  t.throws(() => parseLossless(''), SyntaxError);
  t.end();
});
