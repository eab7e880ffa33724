import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/core/errors.js';
import { isEmail, MAX_EMAIL_LENGTH, normalEmail, requireEmail } from '../../src/core/rules.js';

/** An address of exactly `length` characters. */
const address = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;

describe('core/rules: the email rule', () => {
  it('takes something@domain.tld without blanks, up to 254 characters', () => {
    assert.equal(MAX_EMAIL_LENGTH, 254);
    for (const ok of ['a@b.c', 'First.Last+tag@mail.example.org', address(254)]) assert.ok(isEmail(ok), ok);
    for (const bad of ['not-an-address', 'a@b', '@b.c', 'a@@b.c', 'a b@c.d', ' a@b.c', '', address(255)]) assert.ok(!isEmail(bad), bad);
  });

  it('normalEmail trims and lower-cases before the rule applies', () => {
    assert.equal(normalEmail('  Ann@Example.COM '), 'ann@example.com');
    assert.equal(normalEmail(` ${address(254)} `), address(254));
    assert.equal(normalEmail(address(255)), undefined);
    assert.equal(normalEmail('nope'), undefined);
  });

  it('requireEmail answers a 400 with the email code on the field', () => {
    requireEmail('contactEmails[0]', 'ops@example.com');
    assert.throws(() => requireEmail('contactEmails[1]', 'ops'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.statusCode, 400);
      assert.deepEqual(err.fieldErrors?.map((e) => [e.field, e.code]), [['contactEmails[1]', 'email']]);
      return true;
    });
  });
});
