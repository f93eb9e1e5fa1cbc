import t from 'tap';
import { sign, signBase } from '../../agent/pay/sign.js';

t.test('the official TOP md5 vector from the API docs reproduces', (t) => {
  const params = {
    method: 'taobao.item.seller.get',
    app_key: '12345678',
    session: 'test',
    timestamp: '2016-01-01 12:00:00',
    format: 'json',
    v: '2.0',
    sign_method: 'md5',
    fields: 'num_iid,title,nick,price,num',
    num_iid: '11223344',
  };
  t.equal(
    signBase(params),
    'app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get' +
      'num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0',
  );
  t.equal(sign(params, 'helloworld', 'md5'), '66987CB115214E59E6EC978214934FB8');
  t.end();
});

t.test('hmac and hmac-sha256 match the RFC 2202 / RFC 4231 case 1 vectors through TOP concatenation', (t) => {
  t.equal(sign({ Hi: ' There' }, Buffer.alloc(16, 0x0b), 'hmac'), '9294727A3638BB1C13F48EF8158BFC9D');
  t.equal(
    sign({ Hi: ' There' }, Buffer.alloc(20, 0x0b), 'hmac-sha256'),
    'B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7',
  );
  t.end();
});

t.test('empty, whitespace-only and missing values are neither signed nor part of the base', (t) => {
  t.equal(signBase({ b: '2', a: '1', c: '', d: '  ', e: undefined, sign: 'X' }), 'a1b2');
  t.end();
});

t.test('keys sort by code unit and values are signed raw (UTF-8, not URL-encoded)', (t) => {
  t.equal(signBase({ b: 'x y', B: '张丽', a: '&=' }), 'B张丽a&=bx y');
  const s1 = sign({ name: '张丽' }, 'k', 'hmac-sha256');
  t.match(s1, /^[0-9A-F]{64}$/);
  t.not(s1, sign({ name: encodeURIComponent('张丽') }, 'k', 'hmac-sha256'));
  t.end();
});
