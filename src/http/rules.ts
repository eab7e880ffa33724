import { invalidField } from './errors.js';

/** A required string must also hold something other than blanks. */
export function requireText(field: string, value: string | undefined): void {
  if (value === undefined || value.trim() === '') throw invalidField(field, 'required', `${field} is required`);
}
