import { FieldCode, invalidField } from './errors.js';

/** A required string must also hold something other than blanks. */
export function requireText(field: string, value: string | undefined): void {
  if (value === undefined || value.trim() === '') throw invalidField(field, FieldCode.required, `${field} is required`);
}

/** Longest email address accepted (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * An email address in the form users are stored under (trimmed, lower-cased), or undefined when
 * `value` is not one: something@domain with no blanks, at most MAX_EMAIL_LENGTH characters.
 */
export function normalEmail(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (v.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return undefined;
  return v;
}
