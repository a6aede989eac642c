/** Conversions between the port types and the stored column values (see schema.ts for why text). */
import { canonicalJson } from '../domain/audit/hashChain';

export function toIso(at: Date): string {
  return at.toISOString();
}

export function fromIso(text: string): Date {
  return new Date(text);
}

export function fromIsoOrNull(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

/** JSON column text. Canonical, so the same value is always stored the same way (and can be hashed). */
export function toJsonText(value: unknown): string {
  return canonicalJson(value);
}

/** Reads back a JSON column this store wrote; the caller states the type it wrote there. */
export function fromJsonText<T>(text: string): T;
export function fromJsonText<T>(text: string | null): T | null;
export function fromJsonText<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}
