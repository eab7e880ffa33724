import { FieldCode, invalidField } from './errors.js';

/** A required string must also hold something other than blanks. */
export function requireText(field: string, value: string | undefined): void {
  if (value === undefined || value.trim() === '') throw invalidField(field, FieldCode.required, `${field} is required`);
}

/** Longest email address accepted (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The one email rule: `value`, exactly as given, is something@domain.tld with no blanks and at
 * most MAX_EMAIL_LENGTH characters. Deliberately loose (no quoting or comment syntax checks):
 * whether an address can receive mail is for the mail system to say.
 */
export function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

/** Refuses `value` with a 400 on `field` unless it is an email address (isEmail); it is kept as sent. */
export function requireEmail(field: string, value: string): void {
  if (!isEmail(value)) throw invalidField(field, FieldCode.email, `${field} must be an email address`);
}

/**
 * An email address in the form users are stored under (trimmed, lower-cased), or undefined when
 * `value` is not one (isEmail, after trimming).
 */
export function normalEmail(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  return isEmail(v) ? v : undefined;
}
