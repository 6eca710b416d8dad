import type { S3Settings } from "../../../storage/s3-object-store.ts";

/**
 * The FileIO properties Iceberg clients get in `/v1/config` defaults and `LoadTableResult.config`:
 * for an `s3://` warehouse, S3FileIO with floe's own endpoint, addressing style, region and — where
 * floe is configured with static keys — those keys, so clients need no S3 settings of their own.
 * (Temporary vended credentials and remote request signing are not offered.)
 */
export function clientFileIo(warehouse: string, s3: S3Settings): Record<string, string> {
  if (!warehouse.startsWith("s3://")) return {};
  const props: Record<string, string> = { "io-impl": "org.apache.iceberg.aws.s3.S3FileIO" };
  if (s3.endpoint !== undefined) props["s3.endpoint"] = s3.endpoint;
  const pathStyle = s3.pathStyle ?? s3.endpoint !== undefined;
  props["s3.path-style-access"] = String(pathStyle);
  const region = s3.region ?? (s3.endpoint !== undefined ? "us-east-1" : undefined);
  if (region !== undefined) {
    props["client.region"] = region;
    props["s3.region"] = region;
  }
  if (s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined) {
    props["s3.access-key-id"] = s3.accessKeyId;
    props["s3.secret-access-key"] = s3.secretAccessKey;
  }
  return props;
}
