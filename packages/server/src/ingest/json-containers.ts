/**
 * The most JSON objects and arrays a body may open. JSON.parse builds every one before a decoder can
 * refuse anything: 16 MB of `{},` is 5.3 million objects, which ran a decode worker (256 MiB) out of memory,
 * an answer of 500 instead of 400. 2 million take ~130 MiB and ~1.3 s; a legitimate export opens far fewer
 * (an OTLP attribute opens 2 in 35 bytes or more: under 1 million in 16 MiB).
 */
export const MAX_JSON_CONTAINERS = 2_000_000;

/** A container takes 2 bytes at least (`{}`): a shorter body cannot open too many, and is not scanned. */
const SCANNED_FROM_BYTES = MAX_JSON_CONTAINERS * 2;

/**
 * The reason to refuse `body` before parsing it, or null: more than MAX_JSON_CONTAINERS `{` and `[`, counted
 * as bytes (braces inside strings count too, so the bound only errs towards the legitimate side of it).
 */
export function tooManyContainers(body: Uint8Array): string | null {
  if (body.length < SCANNED_FROM_BYTES) return null;
  let opened = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte === 0x7b || byte === 0x5b) opened++;
  }
  return opened > MAX_JSON_CONTAINERS
    ? `body: more than ${MAX_JSON_CONTAINERS.toLocaleString('en-US')} JSON objects and arrays in one request: send smaller batches`
    : null;
}
