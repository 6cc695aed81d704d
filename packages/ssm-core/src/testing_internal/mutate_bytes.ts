import fc from 'fast-check';

/**
 * Test-only: byte-level mutations of a valid file for the loaders' mutation fuzzers (issue 14).
 * Not published: each package that fuzzes a format keeps its own copy of what it needs.
 *
 * Positions are absolute; `hot` ranges (e.g. the header or the pickle) get half of them so the
 * structure, not only the payload, is hit.
 */
export type ByteMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; edits: Array<{ at: number; value: number }> }
  | { kind: 'flipBit'; at: number; bit: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  /** Copies `length` bytes from `from` over `to` (a header spliced onto another place). */
  | { kind: 'splice'; from: number; to: number; length: number }
  /** Overwrites a little-endian integer of `width` bytes at `at` with a large declared length. */
  | { kind: 'bigLength'; at: number; width: 1 | 2 | 4 | 8; value: 'max' | 'signedMax' | 'negative' | 'huge' };

/** A position in `[0, length)`, half the time inside one of `hot`. */
function position(length: number, hot: ReadonlyArray<readonly [number, number]>): fc.Arbitrary<number> {
  const anywhere = fc.integer({ min: 0, max: Math.max(0, length - 1) });
  const ranges = hot.filter(([a, b]) => b > a && a < length);
  if (ranges.length === 0) return anywhere;
  return fc.oneof(
    anywhere,
    fc.constantFrom(...ranges).chain(([a, b]) => fc.integer({ min: a, max: Math.min(b, length) - 1 })),
  );
}

/**
 * Mutations of a file of `length` bytes: truncations, byte sets, bit flips, deletions, insertions,
 * splices and oversized declared lengths.
 *
 * @example
 * fc.assert(fc.property(byteMutation(file.length), (m) => check(applyMutation(file, m))), { seed: 1 });
 */
export function byteMutation(
  length: number,
  hot: ReadonlyArray<readonly [number, number]> = [],
): fc.Arbitrary<ByteMutation> {
  const at = position(length, hot);
  return fc.oneof(
    at.map((a) => ({ kind: 'truncate' as const, at: a })),
    fc
      .array(fc.record({ at, value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 })
      .map((edits) => ({ kind: 'set' as const, edits })),
    fc.record({ kind: fc.constant('flipBit' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at,
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('splice' as const),
      from: at,
      to: at,
      length: fc.integer({ min: 1, max: 64 }),
    }),
    fc.record({
      kind: fc.constant('bigLength' as const),
      at,
      width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      value: fc.constantFrom('max' as const, 'signedMax' as const, 'negative' as const, 'huge' as const),
    }),
  );
}

/** Applies `m` to a copy of `bytes` (positions past the end are clamped). */
export function applyMutation(bytes: Uint8Array, m: ByteMutation): Uint8Array {
  const n = bytes.length;
  const clamp = (p: number) => Math.min(Math.max(0, p), n);
  switch (m.kind) {
    case 'truncate':
      return bytes.slice(0, clamp(m.at));
    case 'set': {
      const out = bytes.slice();
      for (const e of m.edits) if (e.at < n) out[e.at] = e.value;
      return out;
    }
    case 'flipBit': {
      const out = bytes.slice();
      if (m.at < n) out[m.at] ^= 1 << m.bit;
      return out;
    }
    case 'delete': {
      const a = clamp(m.at);
      const out = new Uint8Array(n - (clamp(a + m.length) - a));
      out.set(bytes.subarray(0, a));
      out.set(bytes.subarray(clamp(a + m.length)), a);
      return out;
    }
    case 'insert': {
      const a = clamp(m.at);
      const out = new Uint8Array(n + m.bytes.length);
      out.set(bytes.subarray(0, a));
      out.set(m.bytes, a);
      out.set(bytes.subarray(a), a + m.bytes.length);
      return out;
    }
    case 'splice': {
      const out = bytes.slice();
      const src = bytes.subarray(clamp(m.from), clamp(m.from + m.length));
      out.set(src.subarray(0, Math.max(0, n - clamp(m.to))), clamp(m.to));
      return out;
    }
    case 'bigLength': {
      const out = bytes.slice();
      const fill: Record<typeof m.value, number[]> = {
        max: Array(m.width).fill(0xff),
        signedMax: [...Array(m.width - 1).fill(0xff), 0x7f],
        negative: [...Array(m.width - 1).fill(0x00), 0x80],
        huge: [...Array(m.width - 1).fill(0x00), 0x40],
      };
      fill[m.value].forEach((b, i) => {
        if (m.at + i < n) out[m.at + i] = b;
      });
      return out;
    }
  }
}
