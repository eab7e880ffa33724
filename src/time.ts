/** The one clock the server reads. Tests swap in a manual clock to move time without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  constructor(private current = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Stored form of a time: ISO 8601 in UTC with milliseconds, so text order is time order. */
export function storedTime(d: Date): string {
  return d.toISOString();
}

/** Wire form of a stored time: RFC 3339 in UTC, whole seconds (`2026-01-02T03:04:05Z`). */
export function wireTime(stored: string): string;
export function wireTime(stored: string | null | undefined): string | undefined;
export function wireTime(stored: string | null | undefined): string | undefined {
  if (!stored) return undefined;
  // The stored form is always 24 characters with milliseconds: cut them without a regex (this
  // runs twice per row of every page).
  if (stored.length === 24 && stored.charCodeAt(19) === 46 /* . */ && stored.charCodeAt(23) === 90 /* Z */) return stored.slice(0, 19) + 'Z';
  return stored.replace(/\.\d+Z$/, 'Z');
}
