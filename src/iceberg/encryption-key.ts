import { asObject, type JsonObject, optString, optStringMap, reqString } from "./json-fields.ts";

/** A v3 table encryption key (spec "Encryption Keys"), itself encrypted by another key. */
export interface EncryptionKey {
  readonly keyId: string;
  /** Base64 of the encrypted key metadata. */
  readonly encryptedKeyMetadata: string;
  readonly encryptedById?: string;
  readonly properties?: Readonly<Record<string, string>>;
}

export function encryptionKeyFromJson(json: unknown): EncryptionKey {
  const what = "encryption key";
  const o = asObject(json, what);
  const out: { -readonly [K in keyof EncryptionKey]: EncryptionKey[K] } = {
    keyId: reqString(o, "key-id", what),
    encryptedKeyMetadata: reqString(o, "encrypted-key-metadata", what),
  };
  const by = optString(o, "encrypted-by-id", what);
  if (by !== undefined) out.encryptedById = by;
  const properties = optStringMap(o, "properties", what);
  if (properties !== undefined) out.properties = properties;
  return out;
}

export function encryptionKeyToJson(k: EncryptionKey): JsonObject {
  const out: JsonObject = { "key-id": k.keyId, "encrypted-key-metadata": k.encryptedKeyMetadata };
  if (k.encryptedById !== undefined) out["encrypted-by-id"] = k.encryptedById;
  if (k.properties !== undefined) out.properties = { ...k.properties };
  return out;
}
