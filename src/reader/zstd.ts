import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';

/**
 * A streaming zstd decoder: compressed chunks in, decompressed chunks out, in order. It throws
 * (while iterating) when the input is not zstd, is damaged, or ends inside a frame. Breaking out
 * of the loop releases everything it holds.
 */
export type ZstdDecoder = (input: AsyncIterable<Buffer>) => AsyncGenerator<Buffer, void, undefined>;

/** zstd in the pure JavaScript `fzstd`: the same on every Node.js and platform, no native code. */
export const fzstdDecoder: ZstdDecoder = async function* (input) {
  let out: Buffer[] = [];
  const d = new Decompress((data) => {
    // fzstd hands out a fresh array per block; wrap it without copying.
    if (data.length > 0) out.push(Buffer.from(data.buffer, data.byteOffset, data.length));
  });
  for await (const chunk of input) {
    d.push(chunk);
    if (out.length > 0) {
      const ready = out;
      out = [];
      yield* ready;
    }
  }
  // `final` makes fzstd throw when the input stopped inside a frame (a truncated file).
  d.push(new Uint8Array(0), true);
  yield* out;
};

type ZstdFactory = () => Transform;
const createZstdDecompress = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

/** zstd in `node:zlib` (Node.js 22.15 / 23.8 and later); `undefined` on an older Node.js. */
export const zlibDecoder: ZstdDecoder | undefined =
  createZstdDecompress === undefined
    ? undefined
    : async function* (input) {
        const inflate = createZstdDecompress();
        const source = Readable.from(input, { objectMode: false });
        source.on('error', (e) => inflate.destroy(e));
        source.pipe(inflate);
        try {
          for await (const chunk of inflate as AsyncIterable<Buffer>) yield chunk;
        } finally {
          source.unpipe(inflate);
          source.destroy();
          inflate.destroy();
        }
      };

interface NapiDCtx {
  decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number];
}
interface NapiBinding {
  DCtx: new () => NapiDCtx;
  dStreamOutSize(): number;
}

function loadNapi(): NapiBinding | undefined {
  try {
    return createRequire(import.meta.url)('zstd-napi/binding') as NapiBinding;
  } catch {
    // An optional dependency: absent when its native build failed at install.
    return undefined;
  }
}
const napi = loadNapi();

/**
 * zstd in the native `zstd-napi` (the reference C library, built from the sources its package
 * ships), driven through its synchronous streaming call; `undefined` when it is not installed.
 */
export const napiDecoder: ZstdDecoder | undefined =
  napi === undefined
    ? undefined
    : async function* (input) {
        const dctx = new napi.DCtx();
        const size = napi.dStreamOutSize();
        let inFrame = false;
        for await (const chunk of input) {
          let src: Buffer = chunk;
          for (;;) {
            const dst = Buffer.allocUnsafe(size);
            const [ret, produced, consumed] = dctx.decompressStream(dst, src);
            if (produced > 0) yield dst.subarray(0, produced);
            src = src.subarray(consumed);
            if (src.length === 0 && (produced < dst.length || ret === 0)) {
              inFrame = ret !== 0;
              break;
            }
          }
        }
        if (inFrame) throw new Error('the data ends inside a zstd frame (cut short)');
      };

/**
 * The decoder the line engine uses, the fastest one present. `npm run bench -- zstd` measured, on
 * Node.js 20 and a 50 MB rollout made with `zstd -3`: `zstd-napi` about 3× the throughput of
 * `fzstd` at the same flat memory. `fzstd` (a regular dependency, pure JavaScript) is the floor
 * when the optional native one could not be built; `node:zlib` sits between where Node.js has it.
 */
export const zstdDecoder: ZstdDecoder = napiDecoder ?? zlibDecoder ?? fzstdDecoder;
