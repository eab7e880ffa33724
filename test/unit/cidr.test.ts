import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressAt, contains, formatRange, overlaps, parseAddress, parseCidr, parseRange, type IpRange,
} from '../../src/platform/cidr.js';

/** The canonical text of a range, or undefined when it does not parse. */
const canon = (text: string) => {
  const r = parseRange(text);
  return r && formatRange(r);
};
const range = (text: string): IpRange => {
  const r = parseRange(text);
  assert.ok(r, `${text} parses`);
  return r;
};
const addr = (text: string) => {
  const a = parseAddress(text);
  assert.ok(a, `${text} parses`);
  return a;
};

describe('IPv4 addresses', () => {
  it('reads dotted quads as 32-bit numbers', () => {
    assert.deepEqual(parseAddress('0.0.0.0'), { family: 4, value: 0n });
    assert.deepEqual(parseAddress('255.255.255.255'), { family: 4, value: 0xffffffffn });
    assert.deepEqual(parseAddress('192.0.2.1'), { family: 4, value: 0xc0000201n });
  });

  it('refuses anything but four decimal octets up to 255, without leading zeros', () => {
    for (const bad of [
      '', '1', '1.2.3', '1.2.3.4.5', '1.2.3.', '.1.2.3', '1..2.3', '256.0.0.1', '1.2.3.256', '1.2.3.1000',
      '01.2.3.4', '1.2.3.04', '00.0.0.0', '1.2.3.-4', '+1.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '0x1.2.3.4', '1.2.3.a',
      '1e2.0.0.1', '１.2.3.4',
    ]) {
      assert.equal(parseAddress(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('IPv6 addresses', () => {
  it('reads full, shortened and mixed forms', () => {
    assert.deepEqual(parseAddress('::'), { family: 6, value: 0n });
    assert.deepEqual(parseAddress('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseAddress('1::'), { family: 6, value: 1n << 112n });
    assert.equal(addr('2001:db8::1').value, addr('2001:0DB8:0000:0000:0000:0000:0000:0001').value);
    assert.equal(addr('2001:db8:0:0:1:0:0:1').value, addr('2001:db8::1:0:0:1').value);
    assert.equal(addr('64:ff9b::192.0.2.33').value, addr('64:ff9b::c000:221').value);
    assert.deepEqual(parseAddress('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), { family: 6, value: (1n << 128n) - 1n });
  });

  it('counts an IPv4-mapped address as the IPv4 address', () => {
    assert.deepEqual(parseAddress('::ffff:192.0.2.1'), { family: 4, value: 0xc0000201n });
    assert.deepEqual(parseAddress('::ffff:c000:201'), { family: 4, value: 0xc0000201n });
    // IPv4-compatible (deprecated) and other embeddings stay IPv6.
    assert.equal(addr('::192.0.2.1').family, 6);
    assert.equal(addr('64:ff9b::192.0.2.1').family, 6);
  });

  it('refuses malformed addresses', () => {
    for (const bad of [
      ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '::1:2:3:4:5:6:7:8',
      '12345::', 'g::', '1:2:3:4:5:6:7:', ':1:2:3:4:5:6:7', '::ffff:192.0.2', '::ffff:192.0.2.256', '::1.2.3.4:5',
      '1:2:3:4:5:6:7:1.2.3.4', 'fe80::1%eth0', '[::1]', ' ::1',
    ]) {
      assert.equal(parseAddress(bad), undefined, JSON.stringify(bad));
    }
  });

  it('accepts `::` standing for a single zero group', () => {
    assert.equal(addr('1:2:3:4:5:6::8').value, addr('1:2:3:4:5:6:0:8').value);
    assert.equal(addr('1:2:3:4:5:6:7::').value, addr('1:2:3:4:5:6:7:0').value);
  });
});

describe('ranges', () => {
  it('require a prefix no longer than the family allows, without leading zeros', () => {
    assert.equal(canon('10.0.0.0/0'), '0.0.0.0/0');
    assert.equal(canon('10.0.0.1/32'), '10.0.0.1/32');
    assert.equal(canon('::/0'), '::/0');
    assert.equal(canon('::1/128'), '::1/128');
    for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/-1', '10.0.0.0/1.5', '::/129', '::/0128', '/8', '10.0.0.0/8/8', '10.0.0.0 /8']) {
      assert.equal(parseRange(bad), undefined, JSON.stringify(bad));
    }
  });

  it('clear host bits', () => {
    assert.equal(canon('10.1.2.3/16'), '10.1.0.0/16');
    assert.equal(canon('192.0.2.255/25'), '192.0.2.128/25');
    assert.equal(canon('255.255.255.255/1'), '128.0.0.0/1');
    assert.equal(canon('2001:db8:abcd:1234::1/48'), '2001:db8:abcd::/48');
    assert.equal(canon('2001:db8::ffff/127'), '2001:db8::fffe/127');
    assert.equal(canon('ffff::/1'), '8000::/1');
  });

  it('write IPv6 as RFC 5952 does', () => {
    // Lower case, leading zeros dropped (§4.1, §4.3).
    assert.equal(canon('2001:0DB8:0000:0000:0000:0000:0000:0001/128'), '2001:db8::1/128');
    // The longest run of zeros is shortened (§4.2.1, §4.2.3)...
    assert.equal(canon('2001:db8:0:0:1:0:0:0/128'), '2001:db8:0:0:1::/128');
    // ...the first of equally long runs (§4.2.3)...
    assert.equal(canon('2001:db8:0:0:1:0:0:1/128'), '2001:db8::1:0:0:1/128');
    // ...and never a single zero group (§4.2.2).
    assert.equal(canon('2001:db8:0:1:1:1:1:1/128'), '2001:db8:0:1:1:1:1:1/128');
    assert.equal(canon('1:0:2:0:3:0:4:0/128'), '1:0:2:0:3:0:4:0/128');
    assert.equal(canon('0:0:0:0:0:0:0:0/128'), '::/128');
    assert.equal(canon('0:0:0:0:0:0:0:1/128'), '::1/128');
    assert.equal(canon('1:0:0:0:0:0:0:0/16'), '1::/16');
    // An embedded IPv4 tail is written as hex groups.
    assert.equal(canon('64:ff9b::192.0.2.33/128'), '64:ff9b::c000:221/128');
  });

  it('are IPv6 when written with colons, even an IPv4-mapped one', () => {
    assert.deepEqual(range('::ffff:10.0.0.0/104'), { family: 6, network: 0xffff0a000000n, prefix: 104 });
    assert.equal(formatRange(range('::ffff:10.0.0.0/104')), '::ffff:a00:0/104');
  });

  it('give back the same text when parsed again', () => {
    for (const text of ['0.0.0.0/0', '10.0.0.0/8', '203.0.113.7/32', '::/0', '2001:db8::/32', 'fe80::/10', '2001:db8:0:0:1::/80', '::ffff:a00:0/104']) {
      assert.equal(canon(text), text);
      assert.equal(canon(canon(text)!), text);
    }
  });
});

describe('containment', () => {
  it('holds for the addresses of the network, its first and last included', () => {
    const r = range('192.0.2.0/24');
    assert.ok(contains(r, addr('192.0.2.0')));
    assert.ok(contains(r, addr('192.0.2.255')));
    assert.ok(!contains(r, addr('192.0.3.0')));
    assert.ok(!contains(r, addr('192.0.1.255')));
    assert.ok(contains(range('0.0.0.0/0'), addr('255.255.255.255')));
    assert.ok(contains(range('203.0.113.9/32'), addr('203.0.113.9')));
    assert.ok(!contains(range('203.0.113.9/32'), addr('203.0.113.8')));
    const v6 = range('2001:db8::/32');
    assert.ok(contains(v6, addr('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')));
    assert.ok(!contains(v6, addr('2001:db9::')));
    assert.ok(contains(range('::/0'), addr('::1')));
  });

  it('never crosses families, except that an IPv4-mapped client is its IPv4 address', () => {
    assert.ok(!contains(range('::/0'), addr('10.0.0.1')));
    assert.ok(!contains(range('0.0.0.0/0'), addr('::1')));
    assert.ok(contains(range('10.0.0.0/8'), addr('::ffff:10.1.2.3')));
    // A range written as IPv4-mapped IPv6 is an IPv6 range: the mapped client is IPv4.
    assert.ok(!contains(range('::ffff:10.0.0.0/104'), addr('::ffff:10.1.2.3')));
  });
});

describe('IPv4 CIDRs (cluster networks)', () => {
  it('parse IPv4 only', () => {
    assert.deepEqual(parseCidr('10.1.2.3/16'), { family: 4, network: 0x0a010000n, prefix: 16 });
    assert.equal(parseCidr('2001:db8::/32'), undefined);
    assert.equal(parseCidr('::ffff:10.0.0.0/104'), undefined);
    assert.equal(parseCidr('10.0.0.0'), undefined);
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('10.0.0.0/016'), undefined);
  });

  it('overlap when one contains the other, in either order', () => {
    const cidr = (t: string) => parseCidr(t)!;
    assert.ok(overlaps(cidr('10.0.0.0/8'), cidr('10.200.0.0/16')));
    assert.ok(overlaps(cidr('10.200.0.0/16'), cidr('10.0.0.0/8')));
    assert.ok(overlaps(cidr('10.0.0.0/16'), cidr('10.0.255.255/16')));
    assert.ok(overlaps(cidr('0.0.0.0/0'), cidr('192.0.2.0/24')));
    assert.ok(!overlaps(cidr('10.0.0.0/16'), cidr('10.1.0.0/16')));
    assert.ok(!overlaps(cidr('10.0.0.0/25'), cidr('10.0.0.128/25')));
    assert.ok(overlaps(cidr('10.0.0.5/32'), cidr('10.0.0.0/29')));
    assert.ok(!overlaps(cidr('10.0.0.8/32'), cidr('10.0.0.0/29')));
  });

  it('overlap only within one family', () => {
    assert.ok(overlaps(range('2001:db8::/32'), range('2001:db8:1::/48')));
    assert.ok(!overlaps(range('2001:db8::/32'), range('2001:db9::/32')));
    assert.ok(!overlaps(range('::/0'), range('0.0.0.0/0')));
  });

  it('count addresses from the network, wrapping round the range', () => {
    assert.equal(addressAt(parseCidr('10.100.0.0/16')!, 10), '10.100.0.10');
    assert.equal(addressAt(parseCidr('172.20.5.7/24')!, 10), '172.20.5.10');
    assert.equal(addressAt(parseCidr('192.0.2.0/30')!, 10), '192.0.2.2');
    assert.equal(addressAt(parseCidr('192.0.2.4/32')!, 10), '192.0.2.4');
    assert.equal(addressAt(parseCidr('255.255.255.0/24')!, 255), '255.255.255.255');
  });
});
