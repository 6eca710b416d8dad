import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { FloeError } from "../core/errors.ts";

/**
 * Request bodies may come compressed: Nessie's Java client gzips every body it sends
 * (`Content-Encoding: gzip`). The decoded size is held to the same limit as the encoded one, so a
 * small compressed body cannot expand without bound.
 */
export function decodeBody(raw: Buffer, encoding: string | undefined, limit: number): Buffer {
  const name = (encoding ?? "identity").trim().toLowerCase();
  const opts = { maxOutputLength: limit };
  try {
    switch (name) {
      case "":
      case "identity":
        return raw;
      case "gzip":
      case "x-gzip":
        return gunzipSync(raw, opts);
      case "deflate":
        return inflateSync(raw, opts);
      case "br":
        return brotliDecompressSync(raw, opts);
      default:
        throw new FloeError(
          "UNSUPPORTED_MEDIA_TYPE",
          `unsupported Content-Encoding '${name}' (use gzip, deflate or br)`,
        );
    }
  } catch (e) {
    if (e instanceof FloeError) throw e;
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new FloeError(
        "PAYLOAD_TOO_LARGE",
        `request body is larger than ${limit} bytes once decompressed`,
      );
    }
    throw new FloeError("BAD_REQUEST", `request body is not valid ${name} data: ${(e as Error).message}`);
  }
}
